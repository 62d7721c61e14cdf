#include "tools/fs/fs_tools.h"

#include "tools/fs/fs_common.h"

namespace benchtop {

void register_fs_tools(ToolRegistry& registry, WorkspaceProvider& provider) {
  fs_tools::register_read_tools(registry, provider);
  fs_tools::register_write_tools(registry, provider);
  fs_tools::register_edit_tool(registry, provider);
  fs_tools::register_apply_patch_tool(registry, provider);
  fs_tools::register_tree_tools(registry, provider);
}

}  // namespace benchtop
