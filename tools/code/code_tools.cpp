#include "tools/code/code_tools.h"

#include "tools/code/code_tool.h"

namespace benchtop {

void register_code_tools(ToolRegistry& registry, WorkspaceProvider& provider, Ctags& ctags,
                         CodeToolOptions options) {
  registry.add(code_outline_tool(provider, ctags, options));
  registry.add(code_find_tool(provider, ctags, options));
}

Tool read_only_code_tool(const CodeToolText& text, nlohmann::json input_schema,
                         nlohmann::json output_schema, WorkspaceProvider& provider, Ctags& ctags,
                         const CodeToolOptions& options, CodeToolRun run) {
  Tool tool;
  tool.name = text.name;
  tool.title = text.title;
  tool.description = text.description;
  tool.input_schema = std::move(input_schema);
  tool.output_schema = std::move(output_schema);
  tool.annotations = {
      .read_only = true, .destructive = false, .idempotent = true, .open_world = false};
  tool.handler = [&provider, &ctags, options, run](const nlohmann::json& args,
                                                   ToolContext& context) {
    return run(provider, ctags, options, args, context);
  };
  return tool;
}

void end_with_note(std::string& text, std::optional<std::string>& field, std::string note) {
  if (note.empty()) return;
  text += note;
  field = std::move(note);
}

}  // namespace benchtop
