// Text about the program as a whole, shared by `ckptlint --help` and the man page, so that
// the two cannot say different things.
#pragma once

#include <string_view>

namespace ckptlint::cli {

inline constexpr std::string_view kTagline = "static linter for PyTorch checkpoints (never executes the pickle)";

struct ExitCodeText {
  int code;
  std::string_view brief;    // --help's one-line list
  std::string_view meaning;  // the man page
};
inline constexpr ExitCodeText kExitCodes[] = {
    {0, "clean", "no finding at or above --fail-on (check); success (other commands)"},
    {1, "findings", "findings at or above --fail-on (check); the snapshot does not load into the model (verify)"},
    {2, "usage or I/O error, unreadable file",
     "usage, configuration or I/O error, or a file that could not be read (fail closed: never reported clean)"},
};

struct EnvironmentText {
  std::string_view name;
  std::string_view meaning;
};
inline constexpr EnvironmentText kEnvironment[] = {
    {"NO_COLOR", "when set and not empty, --color auto never colours the output"},
    {"CLICOLOR_FORCE", "when set and not 0, --color auto colours the output even when it is not a terminal"},
    {"CKPTLINT_PLUGIN_DIR",
     "a folder holding the LibTorch plugin ckptlint_torchscript.so, searched before the executable's folder "
     "and ../lib/ckptlint/ beside it"},
};

}  // namespace ckptlint::cli
