#include "tools/search/search_tools.h"

namespace benchtop {

void register_search_tools(ToolRegistry& registry, WorkspaceProvider& provider) {
  registry.add(fs_glob_tool(provider));
  registry.add(fs_grep_tool(provider));
}

}  // namespace benchtop
