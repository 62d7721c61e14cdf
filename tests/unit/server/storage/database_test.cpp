#include "server/storage/sqlite/database.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "server/storage/data_dir.h"
#include "server/storage/sqlite/migrations.h"
#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  std::filesystem::path file() const { return dir_ / "nested" / "state.db"; }

  std::unique_ptr<Database> open_ok(std::span<const Migration> migrations) {
    auto db = Database::open(file(), migrations);
    EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message);
    return db.ok() ? std::move(db).value() : nullptr;
  }

  static int64_t count(Database& db, const std::string& sql) {
    auto connection = db.connect();
    auto statement = connection.prepare(sql);
    EXPECT_TRUE(statement.ok()) << (statement.ok() ? "" : statement.error().message);
    if (!statement) return -1;
    auto row = statement->step();
    EXPECT_TRUE(row.ok() && *row);
    return statement->column_int64(0);
  }

  testing::TempDir temp_;
  std::filesystem::path dir_ = temp_.path();
};

constexpr std::array kTwoSteps = {
    Migration{"create items", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"},
    Migration{"count applications",
              "CREATE TABLE applied (n INTEGER); INSERT INTO applied VALUES (2);"},
};

TEST_F(DatabaseTest, CreatesParentDirectoriesAndUsesWalAndForeignKeys) {
  auto db = open_ok(kTwoSteps);
  ASSERT_TRUE(db);
  EXPECT_TRUE(std::filesystem::exists(file()));
  auto connection = db->connect();
  auto journal = connection.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(journal.ok());
  ASSERT_TRUE(*journal->step());
  EXPECT_EQ(journal->column_text(0), "wal");
  auto keys = connection.prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(keys.ok());
  ASSERT_TRUE(*keys->step());
  EXPECT_EQ(keys->column_int64(0), 1);
}

TEST_F(DatabaseTest, MigrationsApplyOnceAndReopenKeepsData) {
  {
    auto db = open_ok(kTwoSteps);
    ASSERT_TRUE(db);
    auto connection = db->connect();
    EXPECT_EQ(*connection.schema_version(), 2);
    auto insert = connection.prepare("INSERT INTO items (name) VALUES (?)");
    ASSERT_TRUE(insert.ok());
    ASSERT_TRUE(insert->bind(1, "kept").run().ok());
  }
  auto db = open_ok(kTwoSteps);
  ASSERT_TRUE(db);
  // Step 2 inserted one row; running it again would have failed (table exists) or added a second.
  EXPECT_EQ(count(*db, "SELECT count(*) FROM applied"), 1);
  EXPECT_EQ(count(*db, "SELECT count(*) FROM items WHERE name = 'kept'"), 1);
}

TEST_F(DatabaseTest, AppliesOnlyTheNewStepsOnUpgrade) {
  { ASSERT_TRUE(open_ok(std::span(kTwoSteps).first(1))); }
  auto db = open_ok(kTwoSteps);
  ASSERT_TRUE(db);
  EXPECT_EQ(*db->connect().schema_version(), 2);
  EXPECT_EQ(count(*db, "SELECT count(*) FROM applied"), 1);
}

TEST_F(DatabaseTest, RefusesANewerSchemaThanTheCodeKnows) {
  { ASSERT_TRUE(open_ok(kTwoSteps)); }
  auto db = Database::open(file(), std::span(kTwoSteps).first(1));
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "schema_too_new");
  EXPECT_NE(db.error().message.find("newer benchtop"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find("version 2"), std::string::npos) << db.error().message;
}

TEST_F(DatabaseTest, AFailingMigrationLeavesTheDatabaseUntouched) {
  constexpr std::array broken = {
      kTwoSteps[0],
      Migration{"broken", "CREATE TABLE half (x INTEGER); THIS IS NOT SQL;"},
  };
  auto db = Database::open(file(), broken);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "migration_failed");
  EXPECT_NE(db.error().message.find("broken"), std::string::npos) << db.error().message;

  // Nothing of steps 1 or 2 was kept: the version is 0, so opening with the first step works.
  auto fixed = open_ok(std::span(kTwoSteps).first(1));
  ASSERT_TRUE(fixed);
  EXPECT_EQ(*fixed->connect().schema_version(), 1);
  EXPECT_EQ(count(*fixed, "SELECT count(*) FROM sqlite_schema WHERE name = 'half'"), 0);
}

TEST_F(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  auto db = open_ok(kTwoSteps);
  ASSERT_TRUE(db);
  {
    auto connection = db->connect();
    auto transaction = connection.begin();
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE(connection.execute("INSERT INTO items (name) VALUES ('dropped')").ok());
    // No commit: leaving the scope rolls back.
  }
  {
    auto connection = db->connect();
    auto transaction = connection.begin();
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE(connection.execute("INSERT INTO items (name) VALUES ('kept')").ok());
    ASSERT_TRUE(transaction->commit().ok());
    EXPECT_FALSE(transaction->commit().ok());  // a second commit is a mistake, not a no-op
  }
  EXPECT_EQ(count(*db, "SELECT count(*) FROM items WHERE name = 'dropped'"), 0);
  EXPECT_EQ(count(*db, "SELECT count(*) FROM items WHERE name = 'kept'"), 1);
}

TEST_F(DatabaseTest, StatementsBindStepAndReportErrors) {
  auto db = open_ok(kTwoSteps);
  ASSERT_TRUE(db);
  auto connection = db->connect();
  auto insert = connection.prepare("INSERT INTO items (id, name) VALUES (?, ?)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->bind_all(int64_t{7}, std::string("seven")).run().ok());
  insert->reset();
  auto duplicate = insert->bind_all(int64_t{7}, "again").run();
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, "constraint");
  insert->reset();
  auto missing = insert->bind(1, int64_t{8}).bind(2, nullptr).run();
  ASSERT_FALSE(missing.ok());  // NOT NULL
  insert->reset();
  EXPECT_FALSE(insert->bind(9, "no such parameter").run().ok());

  auto select = connection.prepare("SELECT id, name, NULL FROM items WHERE id = ?");
  ASSERT_TRUE(select.ok());
  select->bind(1, 7);
  auto row = select->step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(select->column_count(), 3);
  EXPECT_EQ(select->column_int64(0), 7);
  EXPECT_EQ(select->column_text(1), "seven");
  EXPECT_TRUE(select->column_is_null(2));
  EXPECT_FALSE(select->column_optional_text(2).has_value());
  EXPECT_FALSE(*select->step());

  EXPECT_FALSE(connection.prepare("SELEC nonsense").ok());
  EXPECT_FALSE(connection.prepare("SELECT 1; SELECT 2").ok());
}

TEST_F(DatabaseTest, ConnectionsFromManyThreadsTakeTurns) {
  auto db = open_ok(kTwoSteps);
  ASSERT_TRUE(db);
  constexpr int kThreads = 4;
  constexpr int kInserts = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&db, t] {
      for (int i = 0; i < kInserts; ++i) {
        auto connection = db->connect();
        auto transaction = connection.begin();
        ASSERT_TRUE(transaction.ok());
        auto insert = connection.prepare("INSERT INTO items (name) VALUES (?)");
        ASSERT_TRUE(insert.ok());
        ASSERT_TRUE(insert->bind(1, std::to_string(t) + "-" + std::to_string(i)).run().ok());
        ASSERT_TRUE(transaction->commit().ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(count(*db, "SELECT count(*) FROM items"), kThreads * kInserts);
}

TEST_F(DatabaseTest, BenchtopSchemaApplies) {
  auto db = open_ok(benchtop_migrations());
  ASSERT_TRUE(db);
  EXPECT_EQ(*db->connect().schema_version(), static_cast<int>(benchtop_migrations().size()));
  EXPECT_EQ(count(*db, "SELECT count(*) FROM projects"), 0);
}

TEST(DataDir, FollowsXdgDataHomeThenHome) {
  auto xdg = DataDir::from_environment("/xdg/data", "/home/someone");
  ASSERT_TRUE(xdg.ok());
  EXPECT_EQ(xdg->root(), "/xdg/data/benchtop");
  EXPECT_EQ(xdg->database_file(), "/xdg/data/benchtop/benchtop.db");
  EXPECT_EQ(xdg->workspaces_dir(), "/xdg/data/benchtop/workspaces");

  auto home = DataDir::from_environment("", "/home/someone");
  ASSERT_TRUE(home.ok());
  EXPECT_EQ(home->root(), "/home/someone/.local/share/benchtop");

  // A relative XDG_DATA_HOME is invalid per the XDG spec and ignored.
  auto relative = DataDir::from_environment("relative/dir", "/home/someone");
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(relative->root(), "/home/someone/.local/share/benchtop");

  // No HOME: the password database still names a home directory.
  auto passwd = DataDir::from_environment("", "");
  ASSERT_TRUE(passwd.ok()) << passwd.error().message;
  EXPECT_TRUE(passwd->root().is_absolute());
  EXPECT_EQ(passwd->root().filename(), "benchtop");
}

TEST_F(DatabaseTest, DataDirCreatesPrivateDirectories) {
  DataDir data(dir_ / "a" / "benchtop");
  ASSERT_TRUE(data.create().ok());
  ASSERT_TRUE(data.create().ok());  // idempotent
  EXPECT_TRUE(std::filesystem::is_directory(data.workspaces_dir()));
  const auto perms = std::filesystem::status(data.root()).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_all);
}

}  // namespace
}  // namespace benchtop
