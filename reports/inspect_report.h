// Reports of `ckptlint inspect`: what a checkpoint holds, for people (text) and tools (JSON).
#pragma once

#include <ostream>

#include "linter/core/checkpoint.h"

namespace ckptlint::reports {

void writeInspectText(const Checkpoint& checkpoint, std::ostream& out);
void writeInspectJson(const Checkpoint& checkpoint, std::ostream& out);

}  // namespace ckptlint::reports
