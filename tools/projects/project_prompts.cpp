#include "tools/projects/project_prompts.h"

#include <string>
#include <utility>

namespace benchtop {
namespace {

PromptArgument project_argument() {
  return {"project", "The project to work on (a name from project_list).", true};
}

nlohmann::json user_message(std::string text) {
  return {{"role", "user"}, {"content", {{"type", "text"}, {"text", std::move(text)}}}};
}

// Completes project names for the `project` argument of every prompt here.
CompletionProvider project_names(ProjectService& projects) {
  return [&projects](const std::string& argument, const std::string& value,
                     const std::map<std::string, std::string>&) {
    return argument == "project" ? projects.names_starting_with(value) : std::vector<std::string>{};
  };
}

// The project must exist: a typo is reported now rather than discovered by the model later.
Result<std::string> known_project(ProjectService& projects,
                                  const std::map<std::string, std::string>& arguments) {
  auto project = projects.get(arguments.at("project"));
  if (!project) return project.take_error();
  return project->name;
}

Prompt fix_failing_tests(ProjectService& projects) {
  Prompt prompt;
  prompt.name = "fix_failing_tests";
  prompt.title = "Fix failing tests";
  prompt.description = "Run a project's tests and fix the code until they pass.";
  prompt.arguments = {project_argument(),
                      {"focus", "Optional: a test file, directory or name to start with.", false}};
  prompt.get = [&projects](const std::map<std::string, std::string>& arguments,
                           ToolContext&) -> Result<nlohmann::json> {
    auto name = known_project(projects, arguments);
    if (!name) return name.take_error();
    const auto focus = arguments.find("focus");
    std::string text =
        "Work in project '" + *name + "'. Run its tests with test_run" +
        (focus != arguments.end() && !focus->second.empty()
             ? " (start with paths: [\"" + focus->second + "\"])"
             : std::string()) +
        ". For each failure, read the code around the reported file and line with fs_read, find "
        "the cause, and fix it with fs_edit. Change a test only when the test itself is wrong, and "
        "say so. Run test_run again after each fix, and stop when everything passes or when a "
        "failure needs a decision from me; then summarise what you changed and why.";
    return nlohmann::json{{"description", "Fix the failing tests of " + *name},
                          {"messages", nlohmann::json::array({user_message(std::move(text))})}};
  };
  prompt.complete = project_names(projects);
  return prompt;
}

Prompt review_changes(ProjectService& projects) {
  Prompt prompt;
  prompt.name = "review_changes";
  prompt.title = "Review uncommitted changes";
  prompt.description = "Review a project's uncommitted changes before they are committed.";
  prompt.arguments = {project_argument()};
  prompt.get = [&projects](const std::map<std::string, std::string>& arguments,
                           ToolContext&) -> Result<nlohmann::json> {
    auto name = known_project(projects, arguments);
    if (!name) return name.take_error();
    std::string text =
        "Review the uncommitted changes of project '" + *name +
        "'. Call git_status, then git_diff (and git_diff with staged: true) to see them; read "
        "surrounding code with fs_read where the diff is not enough. Report bugs, missing tests, "
        "unclear names and risky changes, each with file and line, most important first. Do not "
        "change any file.";
    return nlohmann::json{{"description", "Review of the changes in " + *name},
                          {"messages", nlohmann::json::array({user_message(std::move(text))})}};
  };
  prompt.complete = project_names(projects);
  return prompt;
}

Prompt start_ticket(ProjectService& projects) {
  Prompt prompt;
  prompt.name = "start_ticket";
  prompt.title = "Start work on a ticket";
  prompt.description = "Create a ticket branch in a project and plan the work on it.";
  prompt.arguments = {project_argument(),
                      {"ticket", "The ticket's id, used for the branch ticket/<id>.", true},
                      {"goal", "What the ticket asks for.", true}};
  prompt.get = [&projects](const std::map<std::string, std::string>& arguments,
                           ToolContext&) -> Result<nlohmann::json> {
    auto name = known_project(projects, arguments);
    if (!name) return name.take_error();
    const std::string& ticket = arguments.at("ticket");
    std::string text =
        "In project '" + *name + "', start ticket " + ticket + ": " + arguments.at("goal") +
        "\n\nCheck git_status first and stop if there are uncommitted changes. Create and switch "
        "to the branch ticket/" +
        ticket +
        " with git_checkout (create: true). Explore the relevant code with fs_glob, fs_grep "
        "and fs_read, write a short plan, then implement it in small steps, running test_run "
        "after each; commit with git_commit when the tests pass.";
    return nlohmann::json{{"description", "Ticket " + ticket + " in " + *name},
                          {"messages", nlohmann::json::array({user_message(std::move(text))})}};
  };
  prompt.complete = project_names(projects);
  return prompt;
}

}  // namespace

void register_project_prompts(PromptRegistry& prompts, ProjectService& projects) {
  prompts.add(fix_failing_tests(projects));
  prompts.add(review_changes(projects));
  prompts.add(start_ticket(projects));
}

}  // namespace benchtop
