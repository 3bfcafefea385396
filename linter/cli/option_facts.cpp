#include "linter/cli/option_facts.h"

#include "linter/core/text.h"

namespace ckptlint::cli {

std::vector<OptionFacts> optionFacts(const po::options_description& options) {
  std::vector<OptionFacts> facts;
  for (const auto& option : options.options()) {
    OptionFacts fact;
    fact.long_name = option->long_name();
    // Program_options has no getter for the short name; this display form is "-m" when there is one.
    const std::string short_form = option->canonical_display_name(po::command_line_style::allow_dash_for_short);
    if (short_form.size() == 2 && short_form[0] == '-') fact.short_name = short_form.substr(1);
    fact.takes_value = option->semantic()->max_tokens() > 0;
    if (fact.takes_value) {
      // name() is "VALUE" or "VALUE (=default)", as --help prints it.
      const std::string name = option->semantic()->name();
      const std::size_t default_at = name.find(" (=");
      fact.value_name = name.substr(0, default_at);
      if (default_at != std::string::npos && endsWith(name, ")")) {
        fact.default_value = name.substr(default_at + 3, name.size() - default_at - 4);
      }
    }
    fact.description = option->description();
    facts.push_back(std::move(fact));
  }
  return facts;
}

}  // namespace ckptlint::cli
