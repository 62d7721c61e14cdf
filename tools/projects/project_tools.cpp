#include "tools/projects/project_tools.h"

#include <nlohmann/json.hpp>
#include <string>

#include "server/project/project_json.h"
#include "tools/common/confirmation.h"
#include "tools/common/workspace_args.h"
#include "tools/projects/project_clone.h"

namespace benchtop {
namespace {

using nlohmann::json;

json string_property(const std::string& description) {
  return {{"type", "string"}, {"description", description}};
}

json project_reference_property() {
  return {{"type", "string"}, {"minLength", 1}, {"description", "Project id or name."}};
}

json project_schema() {
  return {
      {"type", "object"},
      {"description", "A project: a workspace directory the other tools act in."},
      {"properties",
       {
           {"id", string_property("Stable project id (UUID).")},
           {"name", string_property("Unique project name; pass it as `project` to other tools.")},
           {"description", string_property("What the project is for (may be empty).")},
           {"kind",
            {{"type", "string"},
             {"enum", {"managed", "external"}},
             {"description",
              "managed: benchtop created the workspace and deletes it with the project. "
              "external: an existing directory registered by the user; never deleted."}}},
           {"root", string_property("Absolute path of the workspace directory on the server.")},
           {"default",
            {{"type", "boolean"},
             {"description", "True for the project tools use when `project` is omitted."}}},
           {"created_at", string_property("Creation time, ISO 8601 UTC.")},
           {"updated_at", string_property("Last change, ISO 8601 UTC.")},
       }},
      {"required",
       {"id", "name", "description", "kind", "root", "default", "created_at", "updated_at"}},
      {"additionalProperties", false},
  };
}

// One line per project for listings: "todo-app (default) — managed, /path — A todo app".
std::string summary_line(const Project& project) {
  std::string line = project.name;
  if (project.is_default) line += " (default)";
  line += " — " + std::string(to_string(project.kind)) + ", " + project.root.string();
  if (!project.description.empty()) line += " — " + project.description;
  return line;
}

std::string details(const Project& project) {
  std::string text = "Project '" + project.name + "'" + (project.is_default ? " (default)" : "") +
                     "\n  id: " + project.id + "\n  kind: " + std::string(to_string(project.kind)) +
                     "\n  root: " + project.root.string();
  if (!project.description.empty()) text += "\n  description: " + project.description;
  text += "\n  created: " + project.created_at + "\n  updated: " + project.updated_at;
  return text;
}

ToolResult missing_argument(const char* name) {
  return ToolResult::error(std::string("Missing required argument '") + name + "'.");
}

Tool project_create_tool(ProjectService& projects, git::GitSettingsSource* git_settings,
                         const git::TransportPolicy& policy) {
  Tool tool;
  tool.name = "project_create";
  tool.builtin_agent = false;
  tool.title = "Create project";
  tool.description = "Create a project: an empty workspace, or a clone of git_url (" +
                     policy.describe() + " URLs), optionally on a new `branch`.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"name",
         {{"type", "string"},
          {"pattern", std::string(ProjectService::kNamePattern)},
          {"minLength", 1},
          {"maxLength", 63},
          {"description", "Unique name, e.g. 'todo-app'."}}},
        {"description",
         {{"type", "string"}, {"maxLength", 2000}, {"description", "What the project is for."}}},
        {"git_url",
         {{"type", "string"},
          {"minLength", 1},
          {"maxLength", 4096},
          {"description", "Repository to clone, without credentials."}}},
        {"git_branch",
         {{"type", "string"},
          {"minLength", 1},
          {"maxLength", 250},
          {"description", "Branch of git_url to check out."}}},
        {"branch",
         {{"type", "string"},
          {"minLength", 1},
          {"maxLength", 250},
          {"description", "New branch to work on."}}},
        {"https_username",
         {{"type", "string"},
          {"maxLength", 200},
          {"description", "Username for an HTTPS git_url."}}},
        {"https_token",
         {{"type", "string"},
          {"maxLength", 4096},
          {"description", "Token for git_url's host, never shown."}}}}},
      {"required", {"name"}},
      {"additionalProperties", false},
  };
  tool.output_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_schema()},
        {"git",
         {{"type", "object"},
          {"description", "Present when the project was cloned from git_url."},
          {"properties",
           {{"branch", string_property("Branch checked out after the clone.")},
            {"head", string_property("Commit id checked out; empty for an empty repository.")}}},
          {"required", {"branch", "head"}},
          {"additionalProperties", false}}}}},
      {"required", {"project"}},
      {"additionalProperties", false}};
  tool.annotations = {.read_only = false, .destructive = false, .idempotent = false};
  tool.execution = ToolExecution::kLongRunning;  // may clone a repository over the network
  tool.handler = [&projects, git_settings, policy](const json& arguments, ToolContext& context) {
    auto name = optional_string(arguments, "name");
    if (!name) return missing_argument("name");
    const auto git_url = optional_string(arguments, "git_url");
    if (!git_url && (arguments.contains("branch") || arguments.contains("git_branch") ||
                     arguments.contains("https_token") || arguments.contains("https_username"))) {
      return ToolResult::error(
          "`branch`, `git_branch` and the https_* credentials need "
          "`git_url` (the repository to clone).");
    }
    const auto https_token = optional_string(arguments, "https_token");
    const auto https_username = optional_string(arguments, "https_username");
    if ((https_token || https_username) && git_settings == nullptr) {
      return ToolResult::error(
          "This server does not store git credentials; clone a public repository.");
    }
    std::string https_host;
    if (git_url) {
      // Checked before the project exists, so a refused URL leaves nothing behind.
      auto parsed = git::parse_remote_url(*git_url);
      if (!parsed) return ToolResult::from_error(parsed.error());
      if (auto status = git::refuse_embedded_credentials(*parsed); !status) {
        return ToolResult::from_error(status.error());
      }
      if (auto status = policy.check(*git_url); !status) {
        return ToolResult::from_error(status.error());
      }
      if (https_token && parsed->scheme != "https") {
        return ToolResult::error("https_token is only sent over https; git_url is not https.");
      }
      https_host = parsed->origin();
    }
    auto created = projects.create(*name, optional_string(arguments, "description").value_or(""));
    if (!created) return ToolResult::from_error(created.error());
    const Project& project = *created;
    if (git_url) {
      CloneRequest request{*git_url,
                           optional_string(arguments, "git_branch").value_or(""),
                           optional_string(arguments, "branch").value_or(""),
                           https_username.value_or(""),
                           https_token.value_or(""),
                           policy,
                           https_token ? https_host : ""};
      if (https_token || https_username) {
        git::GitSettingsUpdate update;
        update.https_username = https_username;
        update.https_token = https_token;
        if (https_token) update.https_host = https_host;
        if (auto saved = git_settings->update(project.id, update); !saved) {
          auto removed = projects.remove(project.id, project.name);
          (void)removed;
          return ToolResult::from_error(saved.error());
        }
      }
      auto cloned = clone_into_new_project(projects, project, request, context);
      if (!cloned) return ToolResult::from_error(cloned.error());
      return ToolResult::success(
          {{"project", to_json(project)},
           {"git", {{"branch", cloned->branch}, {"head", cloned->head}}}},
          "Created project '" + project.name + "' (id " + project.id + ") at " +
              project.root.string() + ", cloned and on branch '" + cloned->branch + "'" +
              (cloned->head.empty() ? std::string(" (empty repository)")
                                    : " at " + cloned->head.substr(0, 7)) +
              ". Pass project: '" + project.name + "' to the file, shell and git tools.");
    }
    return ToolResult::success({{"project", to_json(project)}},
                               "Created project '" + project.name + "' (id " + project.id +
                                   ") with an empty workspace at " + project.root.string() +
                                   ". Pass project: '" + project.name +
                                   "' to the file, shell and git tools to work in it.");
  };
  return tool;
}

Tool project_list_tool(ProjectService& projects) {
  Tool tool;
  tool.name = "project_list";
  tool.builtin_agent = false;
  tool.title = "List projects";
  tool.description = "Every project (id, name, kind, path) and which is the default.";
  tool.input_schema = {
      {"type", "object"}, {"properties", json::object()}, {"additionalProperties", false}};
  tool.output_schema = {
      {"type", "object"},
      {"properties",
       {{"projects",
         {{"type", "array"},
          {"items", project_schema()},
          {"description", "All projects, ordered by name."}}},
        {"default_project",
         string_property("Name of the default project; absent when there is none.")}}},
      {"required", {"projects"}},
      {"additionalProperties", false},
  };
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [&projects](const json&, ToolContext&) {
    auto listed = projects.list();
    if (!listed) return ToolResult::from_error(listed.error());
    json structured = {{"projects", json::array()}};
    std::string text;
    for (const Project& project : *listed) {
      structured["projects"].push_back(to_json(project));
      if (project.is_default) structured["default_project"] = project.name;
      text += "\n- " + summary_line(project);
    }
    if (listed->empty()) {
      text = "No projects yet. Call project_create to make one.";
    } else {
      text = std::to_string(listed->size()) + (listed->size() == 1 ? " project:" : " projects:") +
             text;
      if (!structured.contains("default_project")) {
        text += "\nNo default project: pass `project` to the other tools.";
      }
    }
    return ToolResult::success(std::move(structured), std::move(text));
  };
  return tool;
}

Tool project_get_tool(ProjectService& projects) {
  Tool tool;
  tool.name = "project_get";
  tool.builtin_agent = false;
  tool.title = "Get project";
  tool.description = "One project's details.";
  tool.input_schema = {{"type", "object"},
                       {"properties", {{"project", project_reference_property()}}},
                       {"required", {"project"}},
                       {"additionalProperties", false}};
  tool.output_schema = {{"type", "object"},
                        {"properties", {{"project", project_schema()}}},
                        {"required", {"project"}},
                        {"additionalProperties", false}};
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [&projects](const json& arguments, ToolContext&) {
    auto reference = optional_string(arguments, "project");
    if (!reference) return missing_argument("project");
    auto found = projects.get(*reference);
    if (!found) return ToolResult::from_error(found.error());
    return ToolResult::success({{"project", to_json(*found)}}, details(*found));
  };
  return tool;
}

Tool project_delete_tool(ProjectService& projects) {
  Tool tool;
  tool.name = "project_delete";
  tool.builtin_agent = false;
  tool.title = "Delete project";
  tool.description =
      "Delete a project (a managed one with its files; an external one is unregistered). Asks the "
      "user, or needs `confirm` = its name.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_reference_property()},
        {"confirm", {{"type", "string"}, {"description", "The project's name, confirming."}}}}},
      {"required", {"project"}},
      {"additionalProperties", false},
  };
  tool.output_schema = {
      {"type", "object"},
      {"properties",
       {{"deleted", project_schema()},
        {"workspace_deleted",
         {{"type", "boolean"},
          {"description",
           "True when the workspace directory was deleted (managed projects); false when it "
           "was left in place (external projects)."}}}}},
      {"required", {"deleted", "workspace_deleted"}},
      {"additionalProperties", false},
  };
  tool.annotations = {.read_only = false, .destructive = true, .idempotent = false};
  tool.handler = [&projects](const json& arguments, ToolContext& context) {
    auto reference = optional_string(arguments, "project");
    if (!reference) return missing_argument("project");
    auto found = projects.get(*reference);
    if (!found) return ToolResult::from_error(found.error());
    auto confirm = optional_string(arguments, "confirm");
    const bool managed = found->kind == ProjectKind::kManaged;
    const std::string question =
        managed ? "Delete project '" + found->name + "' and every file in its workspace " +
                      found->root.string() + "? This cannot be undone."
                : "Unregister project '" + found->name + "'? Its directory " +
                      found->root.string() + " stays untouched.";
    if (auto refusal =
            confirm_destructive(context, question, confirm && *confirm == found->name,
                                "To delete project '" + found->name +
                                    "', set `confirm` to its exact name '" + found->name + "'.")) {
      return *refusal;
    }
    auto removed = projects.remove(*reference, found->name);
    if (!removed) return ToolResult::from_error(removed.error());
    const Project& project = *removed;
    const bool workspace_deleted = project.kind == ProjectKind::kManaged;
    const std::string text = workspace_deleted
                                 ? "Deleted project '" + project.name + "' and its workspace " +
                                       project.root.string() + "."
                                 : "Unregistered project '" + project.name + "'; its directory " +
                                       project.root.string() + " was left untouched.";
    return ToolResult::success(
        {{"deleted", to_json(project)}, {"workspace_deleted", workspace_deleted}}, text);
  };
  return tool;
}

}  // namespace

void register_project_tools(ToolRegistry& registry, ProjectService& projects,
                            const git::TransportPolicy& policy) {
  registry.add(project_create_tool(projects, nullptr, policy));
  registry.add(project_list_tool(projects));
  registry.add(project_get_tool(projects));
  registry.add(project_delete_tool(projects));
}

void register_project_tools(ToolRegistry& registry, ProjectService& projects,
                            git::GitSettingsSource& git_settings,
                            const git::TransportPolicy& policy) {
  registry.add(project_create_tool(projects, &git_settings, policy));
  registry.add(project_list_tool(projects));
  registry.add(project_get_tool(projects));
  registry.add(project_delete_tool(projects));
}

}  // namespace benchtop
