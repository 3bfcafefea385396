// `ckptlint config show`: the settings `check` would run with, one per line, each with where
// it came from (the command line, FILE:LINE of the config file, or the default). The text is
// itself a config file (origins are comments).
#include <iostream>

#include "linter/cli/command_table.h"
#include "linter/cli/config_file.h"
#include "reports/json_writer.h"

namespace ckptlint::cli {

void addConfigOptions(po::options_description& visible, po::options_description& hidden,
                      po::positional_options_description& positional) {
  hidden.add_options()
      ("action", po::value<std::string>(), "what to do: show")
      ("json", "print the settings as JSON");
  positional.add("action", 1);
  addCheckOptions(visible, hidden, positional);  // the settings shown are check's
}

namespace {

struct Shown {
  std::string key;
  std::optional<std::string> value;  // none: not set
  std::string origin;                // "command line", "FILE:LINE", "default"
};

// A default's text, for the value types check's options have.
std::optional<std::string> defaultText(const po::variable_value& value) {
  if (const auto* text = boost::any_cast<std::string>(&value.value())) return *text;
  if (const auto* number = boost::any_cast<int>(&value.value())) return std::to_string(*number);
  return std::nullopt;
}

std::vector<Shown> effectiveSettings(const AppliedConfig& applied, const po::variables_map& options,
                                     const po::options_description& description) {
  std::vector<Shown> shown;
  for (const std::string& key : applied.keys) {
    if (auto given = applied.given.find(key); given != applied.given.end()) {
      for (const SettingValue& value : given->second) shown.push_back({key, value.value, value.origin});
    } else if (options.count(key) != 0 && options[key].defaulted()) {
      shown.push_back({key, defaultText(options[key]), "default"});
    } else if (description.find(key, false).semantic()->max_tokens() == 0) {
      shown.push_back({key, std::string("false"), "default"});
    } else {
      shown.push_back({key, std::nullopt, "default"});
    }
  }
  return shown;
}

void writeText(const AppliedConfig& applied, const std::vector<Shown>& settings) {
  std::cout << "# config file: " << (applied.file.empty() ? applied.source : applied.file + " (" + applied.source + ")")
            << '\n';
  for (const Shown& setting : settings) {
    if (setting.value) {
      std::cout << setting.key << " = " << *setting.value << "  # " << setting.origin << '\n';
    } else {
      std::cout << "# " << setting.key << " is not set\n";
    }
  }
}

void writeJson(const AppliedConfig& applied, const std::vector<Shown>& settings) {
  reports::JsonWriter json(std::cout);
  json.beginObject().key("config_file");
  applied.file.empty() ? json.null() : json.value(applied.file);
  json.key("source").value(applied.source).key("settings").beginArray();
  for (const Shown& setting : settings) {
    json.nextOnNewLine(2).beginObject().key("key").value(setting.key).key("value");
    setting.value ? json.value(*setting.value) : json.null();
    json.key("origin").value(setting.origin).endObject();
  }
  json.endArray(0).endObject();
  std::cout << '\n';
}

}  // namespace

ExitStatus runConfig(const po::variables_map& options) {
  if (options.count("action") == 0) return reportError("config needs an action: 'ckptlint config show'");
  const std::string action = options["action"].as<std::string>();
  if (action != "show") {
    return reportError("unknown config action '" + action + "'" + didYouMean(action, {"show"}) + " (the action is 'show')");
  }
  if (options.count("file") != 0) return reportError("config show takes no checkpoint files");
  po::options_description description;
  po::options_description hidden;
  po::positional_options_description positional;
  addCheckOptions(description, hidden, positional);
  const AppliedConfig& applied = appliedConfig();
  const std::vector<Shown> settings = effectiveSettings(applied, options, description);
  options.count("json") != 0 ? writeJson(applied, settings) : writeText(applied, settings);
  std::cout.flush();
  if (!std::cout) return reportError("cannot write the output");
  return ExitStatus::kClean;
}

}  // namespace ckptlint::cli
