// RAII owners for libgit2 objects: one unique_ptr alias per handle type, each freed by its own
// git_*_free, so no libgit2 object can leak on an early return.
#pragma once

#include <git2.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string_view>

namespace benchtop::git {

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* handle) const {
    if (handle) Free(handle);
  }
};

template <typename T, void (*Free)(T*)>
using GitPtr = std::unique_ptr<T, GitDeleter<T, Free>>;

using RepositoryPtr = GitPtr<git_repository, git_repository_free>;
using ObjectPtr = GitPtr<git_object, git_object_free>;
using CommitPtr = GitPtr<git_commit, git_commit_free>;
using TreePtr = GitPtr<git_tree, git_tree_free>;
using IndexPtr = GitPtr<git_index, git_index_free>;
using DiffPtr = GitPtr<git_diff, git_diff_free>;
using DiffStatsPtr = GitPtr<git_diff_stats, git_diff_stats_free>;
using PatchPtr = GitPtr<git_patch, git_patch_free>;
using StatusListPtr = GitPtr<git_status_list, git_status_list_free>;
using RevwalkPtr = GitPtr<git_revwalk, git_revwalk_free>;
using ReferencePtr = GitPtr<git_reference, git_reference_free>;
using BranchIteratorPtr = GitPtr<git_branch_iterator, git_branch_iterator_free>;
using SignaturePtr = GitPtr<git_signature, git_signature_free>;
using RemotePtr = GitPtr<git_remote, git_remote_free>;
using AnnotatedCommitPtr = GitPtr<git_annotated_commit, git_annotated_commit_free>;
using ConfigPtr = GitPtr<git_config, git_config_free>;

// A git_buf freed on scope exit.
class GitBuf {
 public:
  GitBuf() = default;
  GitBuf(const GitBuf&) = delete;
  GitBuf& operator=(const GitBuf&) = delete;
  ~GitBuf() { git_buf_dispose(&buf_); }
  git_buf* get() { return &buf_; }
  std::string_view view() const { return buf_.ptr ? std::string_view(buf_.ptr, buf_.size) : ""; }

 private:
  git_buf buf_ = GIT_BUF_INIT;
};

// A git_strarray filled by libgit2, disposed on scope exit.
class GitStrArray {
 public:
  GitStrArray() = default;
  GitStrArray(const GitStrArray&) = delete;
  GitStrArray& operator=(const GitStrArray&) = delete;
  ~GitStrArray() { git_strarray_dispose(&array_); }
  git_strarray* get() { return &array_; }
  size_t size() const { return array_.count; }
  const char* operator[](size_t i) const { return array_.strings[i]; }

 private:
  git_strarray array_{nullptr, 0};
};

// Keeps libgit2's global state alive while held. git_libgit2_init is reference counted and
// thread-safe, so every owner of repositories holds one; the first initialises, the last shuts
// down.
class GitLibrary {
 public:
  GitLibrary() { git_libgit2_init(); }
  ~GitLibrary() { git_libgit2_shutdown(); }
  GitLibrary(const GitLibrary&) = delete;
  GitLibrary& operator=(const GitLibrary&) = delete;
};

// A GitLibrary taken on first use: libgit2's initialisation (OpenSSL, thread-local state) costs
// around 10 ms, which a server start should not pay before any git tool is called.
class LazyGitLibrary {
 public:
  LazyGitLibrary() = default;
  LazyGitLibrary(const LazyGitLibrary&) = delete;
  LazyGitLibrary& operator=(const LazyGitLibrary&) = delete;
  ~LazyGitLibrary() {
    if (initialised_.load(std::memory_order_acquire)) git_libgit2_shutdown();
  }
  void ensure() {
    std::call_once(once_, [this] {
      git_libgit2_init();
      initialised_.store(true, std::memory_order_release);
    });
  }

 private:
  std::once_flag once_;
  std::atomic<bool> initialised_{false};
};

}  // namespace benchtop::git
