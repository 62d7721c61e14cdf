#include "tools/checkpoints/checkpoint_recording.h"

#include <optional>

#include "common/utf8.h"
#include "server/workspace/workspace.h"

namespace benchtop {

namespace {

constexpr size_t kSummaryValueBytes = 80;
constexpr size_t kSummaryBytes = 300;

std::string shortened(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, utf8_floor(text, limit))) + "…";
}

bool recorded(const Tool& tool) {
  if (tool.annotations.read_only || !tool.changes_files) return false;
  // Creating and deleting projects is not a change inside one; an agent run is recorded call by
  // call, as its tools run.
  return tool.toolset != "projects" && tool.toolset != "agent";
}

}  // namespace

std::string summarize_arguments(const nlohmann::json& arguments) {
  if (!arguments.is_object()) return {};
  nlohmann::json shown = nlohmann::json::object();
  for (const auto& [key, value] : arguments.items()) {
    if (key == "project") continue;
    shown[key] =
        value.is_string()
            ? nlohmann::json(shortened(value.get_ref<const std::string&>(), kSummaryValueBytes))
            : value;
  }
  return shortened(shown.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                   kSummaryBytes);
}

ToolRegistry::CallWrapper record_checkpoints(CheckpointRecorder& recorder,
                                             ProjectService& projects) {
  return [&recorder, &projects](const Tool& tool, const nlohmann::json& arguments,
                                const std::function<ToolResult()>& run) -> ToolResult {
    if (!recorder.options().enabled || !recorded(tool)) return run();
    std::optional<std::string> named;
    if (auto project = arguments.find("project");
        project != arguments.end() && project->is_string()) {
      named = project->get<std::string>();
    }
    auto project = projects.open_workspace(named);
    if (!project) return run();  // the tool reports the bad project itself

    std::vector<std::string> scope;
    if (tool.changed_paths) {
      for (const auto& path : tool.changed_paths(arguments)) {
        // A path the guard refuses is refused by the tool too: nothing to record there.
        if (auto relative = project->workspace->relative_path(path)) scope.push_back(*relative);
      }
      if (scope.empty()) return run();
    }
    auto pending = recorder.begin(project->project_id, project->workspace, std::move(scope));
    if (!pending) return run();
    ToolResult result;
    try {
      result = run();
    } catch (...) {
      recorder.finish(std::move(*pending), tool.name, summarize_arguments(arguments));
      throw;
    }
    recorder.finish(std::move(*pending), tool.name, summarize_arguments(arguments));
    return result;
  };
}

}  // namespace benchtop
