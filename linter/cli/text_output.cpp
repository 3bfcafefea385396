#include "linter/cli/text_output.h"

#include <iostream>

#include "linter/io/atomic_write.h"

namespace ckptlint::cli {

void addTextOutputOption(po::options_description& visible) {
  visible.add_options()("output,o", po::value<std::string>()->value_name("FILE"),
                        "write to FILE (replaced atomically) instead of stdout");
}

ExitStatus writeTextOutput(std::string_view text, const po::variables_map& options) {
  if (options.count("output") == 0) {
    std::cout << text;
    std::cout.flush();
    return std::cout ? ExitStatus::kClean : reportError("cannot write the output");
  }
  const std::string& path = options["output"].as<std::string>();
  if (std::optional<Error> error = io::writeFileAtomically(path, text, /*overwrite=*/true)) {
    return reportError(path + ": " + error->message);
  }
  return ExitStatus::kClean;
}

}  // namespace ckptlint::cli
