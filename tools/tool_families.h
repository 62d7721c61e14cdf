// The entry point of each tool family. The composition root calls these with the services the
// family needs; nothing here reaches for globals, so tests can hand any family a temp workspace.
#pragma once

namespace benchtop {

class ToolRegistry;

}  // namespace benchtop
