// .gitignore semantics as git documents them (gitignore(5)):
//  - blank lines and lines starting with '#' are ignored; "\#" and "\!" escape those characters;
//    trailing spaces are dropped unless escaped with '\';
//  - '!' negates: a matching path is re-included (but a file inside an excluded directory cannot
//    be, because git never looks inside that directory — callers prune excluded directories);
//  - a trailing '/' matches directories only;
//  - a pattern with a '/' at the start or in the middle is anchored to the .gitignore's directory,
//    otherwise it matches the name at any depth below it;
//  - '*', '?', '[...]' never match '/'; "**/x", "x/**" and "a/**/b" span directories;
//  - within one file the last matching line wins; a .gitignore deeper in the tree takes
//    precedence over one above it, and all of them over .git/info/exclude.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/workspace/search/glob_pattern.h"

namespace benchtop {

enum class IgnoreMatch { kNone, kIgnore, kWhitelist };

// The rules of one ignore file, whose patterns are relative to the directory `base` (relative to
// the workspace root, "" for the root).
class GitignoreFile {
 public:
  static GitignoreFile parse(std::string_view contents, std::string base);

  // `path` is relative to the workspace root and must lie beneath base(); `is_dir` says whether it
  // names a directory. Returns the verdict of the last matching rule, kNone if none matches.
  IgnoreMatch match(std::string_view path, bool is_dir) const;

  const std::string& base() const { return base_; }
  bool empty() const { return rules_.empty(); }
  size_t size() const { return rules_.size(); }

 private:
  struct Rule {
    GlobPattern glob;
    bool negated = false;
    bool dir_only = false;
    bool basename_only = false;  // no '/' in the pattern: compare against the last component
  };
  std::string base_;
  std::vector<Rule> rules_;
};

// The ignore files in force for one directory: every .gitignore from the workspace root down to
// it, plus .git/info/exclude. Cheap to copy-extend as a walker descends (shared rule sets).
class IgnoreStack {
 public:
  void set_exclude(std::shared_ptr<const GitignoreFile> exclude) { exclude_ = std::move(exclude); }
  void push(std::shared_ptr<const GitignoreFile> file) { files_.push_back(std::move(file)); }
  void pop() { files_.pop_back(); }
  size_t depth() const { return files_.size(); }

  // The verdict for `path` itself (not its parents): the deepest file with a matching rule decides.
  IgnoreMatch match(std::string_view path, bool is_dir) const;

  // Whether git would ignore `path`: it or any of its parent directories is ignored. Meant for
  // one-off questions and tests; a walker calls match() per entry and prunes instead.
  bool is_ignored(std::string_view path, bool is_dir) const;

 private:
  std::vector<std::shared_ptr<const GitignoreFile>> files_;
  std::shared_ptr<const GitignoreFile> exclude_;
};

}  // namespace benchtop
