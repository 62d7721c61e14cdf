// Builds small repositories with libgit2 for tests: a work tree with N commits of one file.
#pragma once

#include <git2.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "server/git/git_handles.h"
#include "tests/support/temp_dir.h"

namespace benchtop::testing {

// Creates a repository at `path` (branch main) with `commits` commits, each rewriting
// file.txt and adding data<i>.txt, so a clone has objects to transfer.
inline void make_repository(const std::filesystem::path& path, int commits) {
  git::GitLibrary library;
  git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  options.flags = GIT_REPOSITORY_INIT_MKPATH;
  options.initial_head = "main";
  git_repository* raw = nullptr;
  if (git_repository_init_ext(&raw, path.c_str(), &options) != 0) {
    throw std::runtime_error("init failed");
  }
  git::RepositoryPtr repo(raw);
  git_signature* signature_raw = nullptr;
  git_signature_now(&signature_raw, "Test", "test@example.com");
  git::SignaturePtr signature(signature_raw);
  for (int i = 0; i < commits; ++i) {
    write_file(path / "file.txt", "version " + std::to_string(i) + "\n");
    write_file(path / ("data" + std::to_string(i) + ".txt"), std::string(200, 'a' + i % 26));
    git_index* index_raw = nullptr;
    git_repository_index(&index_raw, repo.get());
    git::IndexPtr index(index_raw);
    git_index_add_all(index.get(), nullptr, 0, nullptr, nullptr);
    git_index_write(index.get());
    git_oid tree_id;
    git_index_write_tree(&tree_id, index.get());
    git_tree* tree_raw = nullptr;
    git_tree_lookup(&tree_raw, repo.get(), &tree_id);
    git::TreePtr tree(tree_raw);
    git_commit* parent_raw = nullptr;
    git_oid head;
    const bool has_parent = git_reference_name_to_id(&head, repo.get(), "HEAD") == 0 &&
                            git_commit_lookup(&parent_raw, repo.get(), &head) == 0;
    git::CommitPtr parent(parent_raw);
    const git_commit* parents[] = {parent.get()};
    git_oid commit_id;
    const std::string message = "commit " + std::to_string(i);
    if (git_commit_create(&commit_id, repo.get(), "HEAD", signature.get(), signature.get(), nullptr,
                          message.c_str(), tree.get(), has_parent ? 1 : 0,
                          has_parent ? parents : nullptr) != 0) {
      throw std::runtime_error("commit failed");
    }
  }
}

}  // namespace benchtop::testing
