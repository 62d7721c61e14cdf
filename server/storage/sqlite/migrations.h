// The schema of benchtop.db, as the ordered list of migrations that builds it. Every service that
// keeps state in the database adds its tables here by appending a step.
#pragma once

#include <span>

#include "server/storage/sqlite/database.h"

namespace benchtop {

std::span<const Migration> benchtop_migrations();

}  // namespace benchtop
