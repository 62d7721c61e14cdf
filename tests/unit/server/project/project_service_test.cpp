#include "server/project/project_service.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/uuid.h"
#include "server/storage/data_dir.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "server/workspace/workspace.h"
#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;

class ProjectServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = std::make_unique<DataDir>(temp_ / "data");
    ASSERT_TRUE(data_->create().ok());
    reopen();
  }
  void TearDown() override {
    service_.reset();
    repositories_ = {};
    database_.reset();
  }

  // Closes and reopens the database and the service, as a server restart would.
  void reopen() {
    service_.reset();
    repositories_ = {};
    database_.reset();
    auto database = Database::open(data_->database_file(), benchtop_migrations());
    ASSERT_TRUE(database.ok()) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    service_ = std::make_unique<ProjectService>(*repositories_.projects, data_->workspaces_dir());
  }

  // A directory outside the data dir, as a user's existing checkout.
  fs::path make_external(const std::string& name) {
    const fs::path dir = temp_ / "elsewhere" / name;
    fs::create_directories(dir);
    std::ofstream(dir / "README.md") << "keep me\n";
    return dir;
  }

  Project create_ok(const std::string& name, const std::string& description = "") {
    auto project = service_->create(name, description);
    EXPECT_TRUE(project.ok()) << (project.ok() ? "" : project.error().message);
    return project.ok() ? *project : Project{};
  }

  testing::TempDir temp_dir_;
  fs::path temp_ = temp_dir_.path();
  std::unique_ptr<DataDir> data_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ProjectService> service_;
};

TEST_F(ProjectServiceTest, CreateMakesAnEmptyManagedWorkspace) {
  const Project project = create_ok("todo-app", "A todo app");
  EXPECT_TRUE(is_uuid(project.id)) << project.id;
  EXPECT_EQ(project.name, "todo-app");
  EXPECT_EQ(project.description, "A todo app");
  EXPECT_EQ(project.kind, ProjectKind::kManaged);
  EXPECT_EQ(project.root, data_->workspaces_dir() / project.id);
  EXPECT_TRUE(fs::is_directory(project.root));
  EXPECT_TRUE(fs::is_empty(project.root));
  EXPECT_FALSE(project.is_default);
  EXPECT_EQ(project.created_at.size(), 24u) << project.created_at;  // 2025-01-01T00:00:00.000Z
  EXPECT_EQ(project.created_at.back(), 'Z');
  EXPECT_EQ(project.updated_at, project.created_at);
}

TEST_F(ProjectServiceTest, NamesFollowTheRule) {
  for (const std::string& name :
       std::vector<std::string>{"a", "0", "my-app.v2_x", std::string(63, 'z')}) {
    EXPECT_TRUE(ProjectService::valid_name(name)) << name;
    create_ok(name);
  }
  for (const std::string& name :
       std::vector<std::string>{"", "Foo", "-x", ".hidden", "_x", "a b", "a/b", "..", "caf\xc3\xa9",
                                std::string(64, 'z')}) {
    EXPECT_FALSE(ProjectService::valid_name(name)) << name;
    auto project = service_->create(name, "");
    ASSERT_FALSE(project.ok()) << name;
    EXPECT_EQ(project.error().code, "invalid_argument");
    EXPECT_NE(project.error().message.find("lowercase letters"), std::string::npos);
  }
  // A name that could be mistaken for an id is refused too, so lookups stay unambiguous.
  auto id_like = service_->create(uuid_v4(), "");
  ASSERT_FALSE(id_like.ok());
  EXPECT_EQ(id_like.error().code, "invalid_argument");

  // The message offers a valid alternative.
  auto suggested = service_->create("My App", "");
  ASSERT_FALSE(suggested.ok());
  EXPECT_NE(suggested.error().message.find("'my-app'"), std::string::npos)
      << suggested.error().message;

  // Refused names left no workspace behind: only the valid ones have directories.
  size_t directories = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(data_->workspaces_dir())) {
    ++directories;
  }
  EXPECT_EQ(directories, 4u);
}

TEST_F(ProjectServiceTest, DuplicateNamesAreRefused) {
  const Project first = create_ok("app");
  auto second = service_->create("app", "again");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "exists");
  EXPECT_NE(second.error().message.find("already exists"), std::string::npos);
  auto listed = service_->list();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, first.id);
}

TEST_F(ProjectServiceTest, LooksUpByIdOrName) {
  const Project project = create_ok("lookup");
  auto by_name = service_->get("lookup");
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->id, project.id);
  auto by_id = service_->get(project.id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->name, "lookup");

  auto missing = service_->get("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "not_found");
  EXPECT_EQ(missing.error().message,
            "No project 'nope'. Call project_list to see projects, or project_create to make one.");
  EXPECT_FALSE(service_->get("LOOKUP").ok());  // names are exact
}

TEST_F(ProjectServiceTest, ListsByName) {
  create_ok("beta");
  create_ok("alpha");
  create_ok("gamma");
  auto listed = service_->list();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].name, "alpha");
  EXPECT_EQ((*listed)[1].name, "beta");
  EXPECT_EQ((*listed)[2].name, "gamma");
}

TEST_F(ProjectServiceTest, DeleteNeedsTheExactNameAsConfirmation) {
  const Project project = create_ok("precious");
  std::ofstream(project.root / "work.txt") << "data\n";
  for (const std::string& confirm :
       std::vector<std::string>{"", "PRECIOUS", "precious ", "yes", project.id}) {
    auto removed = service_->remove("precious", confirm);
    ASSERT_FALSE(removed.ok()) << confirm;
    EXPECT_EQ(removed.error().code, "confirmation_required");
    EXPECT_NE(removed.error().message.find("'precious'"), std::string::npos);
  }
  EXPECT_TRUE(fs::exists(project.root / "work.txt"));
  EXPECT_TRUE(service_->get("precious").ok());

  // By id, confirmed by name.
  auto removed = service_->remove(project.id, "precious");
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(removed->id, project.id);
  EXPECT_FALSE(fs::exists(project.root));
  EXPECT_EQ(service_->get("precious").error().code, "not_found");
  EXPECT_EQ(service_->remove("precious", "precious").error().code, "not_found");
}

TEST_F(ProjectServiceTest, DeletingAManagedProjectDoesNotFollowSymlinksOut) {
  const fs::path outside = make_external("outside");
  const Project project = create_ok("linked");
  fs::create_directory_symlink(outside, project.root / "link");
  fs::create_symlink(outside / "README.md", project.root / "file-link");
  ASSERT_TRUE(service_->remove("linked", "linked").ok());
  EXPECT_FALSE(fs::exists(project.root));
  EXPECT_TRUE(fs::exists(outside / "README.md"));
}

TEST_F(ProjectServiceTest, ExternalRootsAreNeverDeleted) {
  const fs::path dir = make_external("checkout");
  auto registered = service_->register_root(dir);
  ASSERT_TRUE(registered.ok()) << registered.error().message;
  EXPECT_EQ(registered->kind, ProjectKind::kExternal);
  EXPECT_EQ(registered->root, fs::canonical(dir));
  auto removed = service_->remove("checkout", "checkout");
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_TRUE(fs::exists(dir / "README.md"));
  EXPECT_EQ(service_->get("checkout").error().code, "not_found");
}

TEST_F(ProjectServiceTest, RegisterRootIsIdempotentAndDerivesUniqueNames) {
  const fs::path dir = make_external("My Repo (v2)");
  auto first = service_->register_root(dir);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->name, "my-repo-v2");
  EXPECT_TRUE(first->is_default);

  // The same directory by another spelling, and through a symlink: the same project.
  auto again = service_->register_root(dir / "." / ".." / "My Repo (v2)");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, first->id);
  const fs::path link = temp_ / "link-to-repo";
  fs::create_directory_symlink(dir, link);
  auto via_link = service_->register_root(link);
  ASSERT_TRUE(via_link.ok());
  EXPECT_EQ(via_link->id, first->id);

  // A different directory with the same base name gets a suffix and becomes the default.
  const fs::path other = temp_ / "other" / "My Repo (v2)";
  fs::create_directories(other);
  auto second = service_->register_root(other);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->id, first->id);
  EXPECT_EQ(second->name, "my-repo-v2-2");
  EXPECT_TRUE(second->is_default);
  EXPECT_FALSE(service_->get(first->id)->is_default);

  // A managed project's name is taken into account too.
  create_ok("tools");
  const fs::path tools = temp_ / "x" / "tools";
  fs::create_directories(tools);
  EXPECT_EQ(service_->register_root(tools)->name, "tools-2");

  auto listed = service_->list();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 4u);
}

TEST_F(ProjectServiceTest, RegisterRootRefusesWhatIsNotAUsableDirectory) {
  auto missing = service_->register_root(temp_ / "does-not-exist");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("does-not-exist"), std::string::npos);

  const fs::path file = make_external("f") / "README.md";
  auto not_dir = service_->register_root(file);
  ASSERT_FALSE(not_dir.ok());
  EXPECT_EQ(not_dir.error().code, "not_directory");

  // A managed workspace cannot also be registered as an external root.
  const Project managed = create_ok("inside");
  EXPECT_FALSE(service_->register_root(managed.root).ok());
  EXPECT_FALSE(service_->register_root(data_->workspaces_dir()).ok());
}

TEST_F(ProjectServiceTest, DefaultProjectIsUsedWhenNoneIsNamed) {
  auto none = service_->workspace(std::nullopt);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "no_default_project");
  EXPECT_NE(none.error().message.find("project_list"), std::string::npos);
  EXPECT_FALSE(service_->default_project()->has_value());

  const Project a = create_ok("a");
  create_ok("b");
  ASSERT_TRUE(service_->set_default("b").ok());
  ASSERT_TRUE(service_->set_default(a.id).ok());
  auto chosen = service_->default_project();
  ASSERT_TRUE(chosen.ok() && chosen->has_value());
  EXPECT_EQ((*chosen)->name, "a");
  auto workspace = service_->workspace(std::nullopt);
  ASSERT_TRUE(workspace.ok()) << workspace.error().message;
  EXPECT_EQ((*workspace)->root(), fs::canonical(a.root));
  EXPECT_EQ(service_->set_default("zzz").error().code, "not_found");

  // Deleting the default project leaves no default rather than a dangling one.
  ASSERT_TRUE(service_->remove("a", "a").ok());
  EXPECT_FALSE(service_->default_project()->has_value());
  EXPECT_EQ(service_->workspace(std::nullopt).error().code, "no_default_project");
}

TEST_F(ProjectServiceTest, WorkspacesAreCachedAndDroppedWithTheProject) {
  const Project project = create_ok("cached");
  auto first = service_->workspace("cached");
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto by_id = service_->workspace(project.id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(first->get(), by_id->get());
  EXPECT_EQ((*first)->root(), fs::canonical(project.root));

  ASSERT_TRUE(service_->remove("cached", "cached").ok());
  auto gone = service_->workspace("cached");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, "not_found");

  const Project recreated = create_ok("cached");
  auto fresh = service_->workspace("cached");
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(fresh->get(), first->get());
  EXPECT_EQ((*fresh)->root(), fs::canonical(recreated.root));
}

TEST_F(ProjectServiceTest, ChangingTheDefaultRedirectsCallsThatNameNoProject) {
  const Project a = create_ok("a");
  const Project b = create_ok("b");
  ASSERT_TRUE(service_->set_default("a").ok());
  auto first = service_->workspace(std::nullopt);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->root(), fs::canonical(a.root));

  ASSERT_TRUE(service_->set_default("b").ok());
  auto second = service_->workspace(std::nullopt);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->root(), fs::canonical(b.root));

  fs::create_directories(temp_ / "outside");
  const Project external = service_->register_root(temp_ / "outside").value();
  auto third = service_->workspace(std::nullopt);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ((*third)->root(), fs::canonical(external.root));
}

TEST_F(ProjectServiceTest, RemovalHooksRunBeforeTheWorkspaceGoesAndOnlyWhenConfirmed) {
  const Project project = create_ok("hooked");
  std::vector<std::string> seen;
  bool workspace_present = false;
  service_->add_removal_hook([&](const Project& p) {
    seen.push_back(p.name);
    workspace_present = fs::exists(p.root);
    // A hook may look projects up: the database is not held while it runs.
    EXPECT_TRUE(service_->get(p.id).ok());
  });
  ASSERT_FALSE(service_->remove("hooked", "wrong").ok());
  EXPECT_TRUE(seen.empty());
  ASSERT_TRUE(service_->remove("hooked", "hooked").ok());
  EXPECT_EQ(seen, std::vector<std::string>{"hooked"});
  EXPECT_TRUE(workspace_present);
  EXPECT_FALSE(fs::exists(project.root));
}

TEST_F(ProjectServiceTest, AMissingWorkspaceIsReportedWithAWayOut) {
  const fs::path dir = make_external("vanishing");
  ASSERT_TRUE(service_->register_root(dir).ok());
  fs::remove_all(dir);
  auto workspace = service_->workspace("vanishing");
  ASSERT_FALSE(workspace.ok());
  EXPECT_EQ(workspace.error().code, "workspace_unavailable");
  EXPECT_NE(workspace.error().message.find("project_delete"), std::string::npos);
}

TEST_F(ProjectServiceTest, DataSurvivesReopeningTheDatabase) {
  const Project managed = create_ok("kept", "still here");
  const fs::path dir = make_external("external");
  auto external = service_->register_root(dir);
  ASSERT_TRUE(external.ok());

  reopen();

  auto listed = service_->list();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  auto kept = service_->get("kept");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->id, managed.id);
  EXPECT_EQ(kept->description, "still here");
  EXPECT_EQ(kept->created_at, managed.created_at);
  auto chosen = service_->default_project();
  ASSERT_TRUE(chosen.ok() && chosen->has_value());
  EXPECT_EQ((*chosen)->id, external->id);
  auto again = service_->register_root(dir);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, external->id);
  EXPECT_TRUE(service_->workspace("kept").ok());
}

// Writes cut short by kill -9 leave their temporary file; the first use of the workspace after a
// restart removes exactly those: the atomic-write name pattern, a regular file, unlocked (its
// writer is gone) and not brand new. User files, look-alikes, symlinks and a write in progress
// (locked) stay.
TEST_F(ProjectServiceTest, TemporaryFilesOfInterruptedWritesAreRemovedOnFirstUse) {
  const fs::path root = make_external("crashed");
  fs::create_directories(root / "src" / "deep");
  const auto age = [](const fs::path& path) {
    const timespec old_times[2] = {{1'000'000'000, 0}, {1'000'000'000, 0}};  // 2001
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), old_times, AT_SYMLINK_NOFOLLOW), 0) << path;
  };
  const auto leftover = [&](const fs::path& path) {
    std::ofstream(path) << "partial";
    age(path);
  };
  const std::vector<fs::path> abandoned = {root / ".a.txt.benchtop-0123456789abcdef.tmp",
                                           root / "src" / "deep" / ".benchtop-fedcba9876543210.tmp",
                                           root / "src" / ".main.c.benchtop-00000000000000ff.tmp"};
  for (const auto& path : abandoned) leftover(path);
  const std::vector<fs::path> kept_files = {
      root / "notes.tmp",
      root / ".a.txt.benchtop-0123456789ABCDEF.tmp",  // upper-case hex: not ours
      root / ".a.txt.benchtop-0123456789abcde.tmp",   // 15 digits
      root / "a.txt.benchtop-0123456789abcdef.tmp",   // no leading dot
      root / ".a.txt.benchtop-0123456789abcdef.tmp.bak",
      root / ".in-progress.benchtop-1111111111111111.tmp",
      root / ".fresh.benchtop-2222222222222222.tmp"};
  for (const auto& path : kept_files) leftover(path);
  std::ofstream(root / ".fresh.benchtop-2222222222222222.tmp") << "just created";  // mtime: now
  // A writer still alive holds the lock on its file.
  const int writer =
      ::open((root / ".in-progress.benchtop-1111111111111111.tmp").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(writer, 0);
  ASSERT_EQ(::flock(writer, LOCK_EX), 0);
  // A symlink named like a leftover is not followed or removed; neither is its target.
  std::ofstream(temp_ / "target.txt") << "outside";
  fs::create_symlink(temp_ / "target.txt", root / ".link.benchtop-3333333333333333.tmp");

  auto project = service_->register_root(root);
  ASSERT_TRUE(project.ok()) << project.error().message;
  ASSERT_TRUE(service_->workspace(project->name).ok());
  ::close(writer);

  for (const auto& path : abandoned) EXPECT_FALSE(fs::exists(path)) << path;
  for (const auto& path : kept_files) EXPECT_TRUE(fs::exists(path)) << path;
  EXPECT_TRUE(fs::is_symlink(root / ".link.benchtop-3333333333333333.tmp"));
  EXPECT_TRUE(fs::exists(temp_ / "target.txt"));
  EXPECT_TRUE(fs::exists(root / "README.md"));
}

}  // namespace
}  // namespace benchtop
