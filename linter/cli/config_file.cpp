#include "linter/cli/config_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace ckptlint::cli {

namespace {

AppliedConfig& appliedStorage() {
  static AppliedConfig applied;
  return applied;
}

std::string at(const std::string& file, int line) { return file + ":" + std::to_string(line); }

// Why a key may not be set in a file, or nothing when it may.
std::optional<std::string_view> commandLineOnly(std::string_view key) {
  for (std::string_view own : {"help", "config", "isolated"}) {
    if (key == own) return "it belongs on the command line";
  }
  // A config file must never turn a plain `check` into one that rewrites checkpoints or
  // writes files next to them.
  for (std::string_view writing : {"apply", "diff", "unsafe-fixes", "output-checkpoint", "force", "backup-suffix",
                                   "no-backup", "output"}) {
    if (key == writing) return "a config file never makes a command fix or write files; give it on the command line";
  }
  return std::nullopt;
}

// Options whose value is a file: relative to the config file's folder when set there.
bool isPathKey(std::string_view key) { return key == "model" || key == "baseline"; }

std::optional<bool> switchValue(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view yes : {"true", "yes", "on", "1"}) {
    if (value == yes) return true;
  }
  for (std::string_view no : {"false", "no", "off", "0"}) {
    if (value == no) return false;
  }
  return std::nullopt;
}

Result<std::string> readWholeFile(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return makeError(path + ": cannot read the config file: " + std::strerror(errno));
  if (S_ISDIR(info.st_mode)) return makeError(path + ": cannot read the config file: it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(path + ": cannot read the config file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return makeError(path + ": cannot read the config file");
  return text.str();
}

// A file found by walking up may sit in a shared folder (/tmp) where anyone can plant one; it
// could trust `builtins.eval`, ignore CKL3 or name a TorchScript model whose code runs. So a
// discovered file is read only when this user or root owns it and nobody else may write it.
// (--config FILE is an explicit choice and is always read.)
std::optional<std::string> untrustedReason(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return std::nullopt;  // reading it reports the error
  if (info.st_uid != geteuid() && info.st_uid != 0) {
    return "owned by another user (uid " + std::to_string(info.st_uid) + ")";
  }
  if ((info.st_mode & S_IWOTH) != 0) return std::string("writable by every user");
  return std::nullopt;
}

std::string joined(const std::vector<std::string>& tokens) {
  std::string text;
  for (const std::string& token : tokens) text += (text.empty() ? "" : " ") + token;
  return text;
}

std::string unknownKeyError(const std::string& where, const std::string& key, const std::vector<std::string>& keys) {
  std::vector<std::string_view> candidates(keys.begin(), keys.end());
  const std::size_t dot = key.find('.');
  const bool sectioned = dot != std::string::npos;
  const std::string name = sectioned ? key.substr(0, dot) : key;
  std::string message = where + ": unknown " + (sectioned ? "section '" : "key '") + name + "'";
  if (std::string hint = didYouMean(name, candidates); !hint.empty()) return message + hint;
  return message + " (the keys are the command's long option names: see 'ckptlint config show')";
}

// Applies the file's entries: checks each one (key, value, repetition) with its line, then
// stores those the command line did not give.
class ConfigMerger {
 public:
  ConfigMerger(const po::options_description& description, po::variables_map& options, AppliedConfig& applied)
      : description_(description), options_(options), applied_(applied) {}

  std::optional<std::string> merge(const std::vector<ConfigEntry>& entries) {
    const std::string folder = std::filesystem::path(applied_.file).parent_path().string();
    po::parsed_options from_file(&description_);
    for (const ConfigEntry& entry : entries) {
      const std::string where = at(applied_.file, entry.line);
      std::string key = entry.key;
      std::string value = entry.value;
      if (const std::size_t dot = key.find('.'); dot != std::string::npos) {  // [section] KEY = VALUE
        const std::string section = key.substr(0, dot);
        if (!isKey(section)) return unknownKeyError(where, key, applied_.keys);
        value = key.substr(dot + 1) + "=" + value;
        key = section;
      }
      if (auto reason = commandLineOnly(key); reason && description_.find_nothrow(key, false) != nullptr) {
        return where + ": '" + key + "' cannot be set in a config file: " + std::string(*reason);
      }
      if (!isKey(key)) return unknownKeyError(where, key, applied_.keys);
      if (entry.value.empty()) return where + ": '" + key + "' has no value";
      const po::option_description& option = description_.find(key, false);
      std::vector<std::string> tokens;
      bool store = true;
      if (option.semantic()->max_tokens() == 0) {  // a switch: true or false in a file
        const std::optional<bool> on = switchValue(value);
        if (!on) return where + ": '" + key + "' is a switch: true or false (got '" + value + "')";
        store = *on;
        value = *on ? "true" : "false";
      } else {
        if (isPathKey(key) && !folder.empty() && !std::filesystem::path(value).is_absolute()) {
          value = (std::filesystem::path(folder) / value).lexically_normal().string();
        }
        tokens.push_back(value);
      }
      if (auto error = tryValue(option, key, tokens, entry.line, where)) return error;
      if (setOnCommandLine(key)) continue;  // the command line wins, key by key
      applied_.given[key].push_back({value, where});
      if (store) from_file.options.emplace_back(key, tokens);
    }
    try {
      po::store(from_file, options_);
    } catch (const po::error& error) {
      return applied_.file + ": " + error.what();
    }
    return std::nullopt;
  }

 private:
  bool isKey(const std::string& key) const {
    return std::find(applied_.keys.begin(), applied_.keys.end(), key) != applied_.keys.end();
  }

  bool setOnCommandLine(const std::string& key) const {
    auto given = applied_.given.find(key);
    return given != applied_.given.end() && !given->second.empty() && given->second.front().origin == "command line";
  }

  // Parses the value as the option would, so that a bad value or a second value of a
  // one-value key is reported at its line.
  std::optional<std::string> tryValue(const po::option_description& option, const std::string& key,
                                      const std::vector<std::string>& tokens, int line, const std::string& where) {
    auto& [value, first_line] = trial_[key];
    try {
      option.semantic()->parse(value, tokens, true);
    } catch (const po::multiple_occurrences&) {
      return where + ": '" + key + "' is already set on line " + std::to_string(first_line) +
             " (only repeatable options may be given more than once)";
    } catch (po::error_with_option_name& error) {
      error.set_option_name(key);
      return where + ": " + error.what();
    } catch (const po::error& error) {
      return where + ": " + error.what();
    }
    if (first_line == 0) first_line = line;
    return std::nullopt;
  }

  const po::options_description& description_;
  po::variables_map& options_;
  AppliedConfig& applied_;
  std::map<std::string, std::pair<boost::any, int>> trial_;  // key -> values so far, first line
};

}  // namespace

void addConfigFileOptions(po::options_description& visible) {
  visible.add_options()
      ("config", po::value<std::string>()->value_name("FILE"),
       "read settings from FILE (default: the nearest .ckptlint.cfg in the current folder or above); "
       "the command line overrides them key by key")
      ("isolated", "read no config file");
}

std::optional<std::string> applyConfigFile(const po::options_description& description,
                                           const po::parsed_options& command_line, po::variables_map& options) {
  AppliedConfig& applied = appliedStorage();
  applied = AppliedConfig{};
  if (description.find_nothrow("config", false) == nullptr) return std::nullopt;
  for (const auto& option : description.options()) {
    const std::string& name = option->long_name();
    if (!name.empty() && !commandLineOnly(name)) applied.keys.push_back(name);
  }
  for (const po::option& given : command_line.options) {
    if (given.unregistered || given.position_key >= 0) continue;
    if (std::find(applied.keys.begin(), applied.keys.end(), given.string_key) == applied.keys.end()) continue;
    applied.given[given.string_key].push_back({given.value.empty() ? "true" : joined(given.value), "command line"});
  }

  const bool named = options.count("config") != 0;
  if (named && options.count("isolated") != 0) {
    return std::string("--config and --isolated exclude each other (--isolated reads no config file)");
  }
  if (options.count("isolated") != 0) {
    applied.source = "none read (--isolated)";
    return std::nullopt;
  }
  if (named) {
    applied.file = options["config"].as<std::string>();
    if (applied.file.empty()) return std::string("--config needs a file name (got an empty one)");
    applied.source = "--config";
  } else {
    std::error_code error;
    const std::filesystem::path here = std::filesystem::current_path(error);
    if (error) return "cannot tell the current folder to look for " + std::string(kConfigFileName) + ": " + error.message();
    applied.file = findConfigFile(here.string());
    if (applied.file.empty()) {
      applied.source = "none found in " + here.string() + " or above";
      return std::nullopt;
    }
    if (std::optional<std::string> reason = untrustedReason(applied.file)) {
      std::cerr << "ckptlint: warning: ignoring " << applied.file << ": " << *reason
                << "; name it with --config to use it\n";
      applied.source = "none read (" + applied.file + " ignored: " + *reason + ")";
      applied.file.clear();
      return std::nullopt;
    }
    applied.source = "the nearest " + std::string(kConfigFileName) + " to " + here.string();
  }
  Result<std::string> text = readWholeFile(applied.file);
  if (!text) return text.error().message;
  Result<std::vector<ConfigEntry>> entries = parseConfigText(*text, applied.file);
  if (!entries) return entries.error().message;
  return ConfigMerger(description, options, applied).merge(*entries);
}

const AppliedConfig& appliedConfig() { return appliedStorage(); }

std::string settingLabel(const std::string& key) {
  const auto given = appliedConfig().given.find(key);
  if (given == appliedConfig().given.end() || given->second.empty() || given->second.front().origin == "command line") {
    return "--" + key;
  }
  return given->second.front().origin + ": " + key;
}

}  // namespace ckptlint::cli
