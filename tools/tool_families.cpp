#include "tools/tool_families.h"
