#include "tools/projects/project_clone.h"

#include "server/git/git_error.h"
#include "server/git/git_repository.h"
#include "server/git/remote/git_clone.h"

namespace benchtop {
namespace {

Result<CloneOutcome> clone_and_branch(ProjectService& projects, const Project& project,
                                      const CloneRequest& request, ToolContext& context) {
  if (!request.working_branch.empty()) {
    if (auto valid = git::check_branch_name(request.working_branch); !valid) {
      return valid.take_error();
    }
  }
  auto workspace = projects.workspace(project.id);
  if (!workspace) return workspace.take_error();
  git::TransferOptions options;
  options.cancellation = context.cancellation();
  options.https_username = request.https_username;
  options.https_token = request.https_token;
  options.https_origin = request.https_origin;
  options.policy = request.policy;
  if (context.wants_progress()) {
    options.progress = [&context](double progress, std::optional<double> total,
                                  const std::string& message) {
      context.report_progress(progress, total, message);
    };
  }
  auto repo = git::clone_into(**workspace, request.url, request.remote_branch, options);
  if (!repo) return repo.take_error();
  if (context.cancelled()) return Error::make("The clone was cancelled.", "cancelled");

  CloneOutcome outcome;
  if (git_repository_head_unborn(repo->get()) == 1) {
    outcome.branch = git::current_branch(repo->get());
    return outcome;  // an empty repository: nothing to branch from
  }
  auto head = git::resolve_commit(repo->get(), "HEAD");
  if (!head) return head.take_error();
  outcome.head = git::full_id(git_commit_id(head->get()));
  if (!request.working_branch.empty()) {
    git_reference* raw = nullptr;
    int rc = git_branch_create(&raw, repo->get(), request.working_branch.c_str(), head->get(), 0);
    git::ReferencePtr branch(raw);
    if (rc < 0)
      return git::git_failure("Cannot create branch '" + request.working_branch + "'", rc);
    // Same commit as the clone's checkout, so only HEAD moves.
    rc = git_repository_set_head(repo->get(), git_reference_name(branch.get()));
    if (rc < 0) return git::git_failure("Cannot switch to the working branch", rc);
  }
  outcome.branch = git::current_branch(repo->get());
  return outcome;
}

}  // namespace

Result<CloneOutcome> clone_into_new_project(ProjectService& projects, const Project& project,
                                            const CloneRequest& request, ToolContext& context) {
  git::GitLibrary library;
  auto outcome = clone_and_branch(projects, project, request, context);
  if (!outcome) {
    auto removed = projects.remove(project.id, project.name);
    Error error = outcome.take_error();
    error.message = "Could not create project '" + project.name + "' from " +
                    git::redact_url(request.url) + ": " + error.message +
                    (removed ? " The project was not created."
                             : " Removing the partial project also failed (" +
                                   removed.error().message + "); delete it with project_delete.");
    return error;
  }
  return outcome;
}

}  // namespace benchtop
