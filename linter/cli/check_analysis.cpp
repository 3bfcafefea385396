#include "linter/cli/check_analysis.h"

#include <algorithm>
#include <memory>
#include <sstream>
#include <thread>

#include "linter/cli/config_file.h"
#include "linter/cli/parallel_for.h"
#include "linter/cli/rule_options.h"
#include "linter/formats/mapped_tensor_bytes.h"
#include "linter/io/sha256.h"
#include "linter/model/load_model.h"
#include "rules/all_rules.h"
#include "rules/registry.h"

namespace ckptlint::cli {

void addAnalysisOptions(po::options_description& visible) {
  visible.add_options()
      ("model,m", po::value<std::string>()->value_name("DEF"),
       "model definition: a JSON spec (ckptlint spec), a reference checkpoint, or a TorchScript archive "
       "(loaded by LibTorch, which runs its TorchScript code: trusted files only)")
      ("state-dict", po::value<std::string>()->value_name("PATH"),
       "the state dict to check in each snapshot: slash-separated keys (model) or a JSON array")
      ("select", po::value<std::vector<std::string>>()->value_name("IDS"),
       "run only these rules: ids or prefixes, comma-separated (CKL1,CKL201)")
      ("ignore", po::value<std::vector<std::string>>()->value_name("IDS"), "skip these rules: ids or prefixes")
      ("check-crc", "also verify the CRC-32 of tensor records (reads every byte)")
      ("check-values", "read tensor values: NaN/Inf in floating tensors (CKL203; reads every floating tensor's bytes)")
      ("safe-global", po::value<std::vector<std::string>>()->value_name("MODULE.NAME"),
       "trust this global as torch.serialization.add_safe_globals would (CKL301/302 stay quiet; "
       "repeatable, comma-separated)")
      ("benign-global", po::value<std::vector<std::string>>()->value_name("MODULE.NAME"),
       "treat this global (or 'package.*') as benign: CKL302 instead of CKL301 (repeatable)")
      ("jobs,j", po::value<int>()->value_name("N"),
       "check N files at a time (default: the number of cores; 1: one after another); the report "
       "order does not depend on it");
  addRuleOptions(visible);        // --level, --benign-key, --rename
  addConfigFileOptions(visible);  // --config, --isolated
}

namespace {

// Values of a repeatable, comma-separated option.
std::vector<std::string> splitList(const po::variables_map& options, const char* name) {
  std::vector<std::string> selectors;
  if (options.count(name) == 0) return selectors;
  for (const std::string& value : options[name].as<std::vector<std::string>>()) {
    std::stringstream items(value);
    std::string item;
    while (std::getline(items, item, ',')) {
      if (!item.empty()) selectors.push_back(item);
    }
  }
  return selectors;
}

// An unknown selector is a typo that would silently select nothing: refuse it.
std::optional<std::string> checkSelectors(const std::vector<std::string>& selectors, const char* option) {
  for (const std::string& selector : selectors) {
    if (matchesAnyRule(selector, rules::allRules())) continue;
    std::vector<std::string_view> ids;
    for (const Rule& rule : rules::allRules()) ids.push_back(rule.info.id);
    return "--" + std::string(option) + ": no rule matches '" + selector + "'" + didYouMean(selector, ids) +
           " (see 'ckptlint rules')";
  }
  return std::nullopt;
}

// Naming a rule that reads values without --check-values would silently check nothing.
std::optional<std::string> checkValueRulesSelectable(const EngineOptions& engine) {
  if (engine.check_values) return std::nullopt;
  for (const std::string& selector : engine.selection.select) {
    const Rule* rule = rules::findRule(selector);
    if (rule != nullptr && rule->info.needs_values) {
      return "--select " + selector + ": " + std::string(rule->info.id) + " reads tensor values and runs only with --check-values";
    }
  }
  return std::nullopt;
}

// Where that checkpoint stays reachable, so leak checkers count it as kept rather than lost.
const Result<formats::LoadedCheckpoint>* checkpoint_kept_until_exit = nullptr;

std::vector<Finding> findingsOf(const formats::LoadedCheckpoint& loaded, const CheckSettings& settings);

reports::FileResult checkFile(const std::string& path, const CheckSettings& settings) {
  reports::FileResult result;
  result.file = path;
  auto loaded_storage = std::make_unique<Result<formats::LoadedCheckpoint>>(formats::loadCheckpoint(path, settings.load));
  Result<formats::LoadedCheckpoint>& loaded = *loaded_storage;
  if (settings.keep_checkpoint_until_exit) checkpoint_kept_until_exit = loaded_storage.release();
  if (!loaded) {
    // Reported even when --ignore names CKL001: an unreadable file is never clean.
    result.findings.push_back(rules::unreadableCheckpointFinding(path, loaded.error().message));
    return result;
  }
  result.findings = findingsOf(*loaded, settings);
  if (settings.fix.active()) {  // --diff, --apply
    fixFile(*loaded, settings.wanted_state_dict, settings.fix, settings.load,
            [&settings](const formats::LoadedCheckpoint& fixed) { return findingsOf(fixed, settings); }, result);
  }
  return result;
}

// The selected rules' findings for one readable checkpoint.
std::vector<Finding> findingsOf(const formats::LoadedCheckpoint& loaded, const CheckSettings& settings) {
  const Checkpoint& checkpoint = loaded.checkpoint;
  const StateDictChoice choice = chooseStateDict(checkpoint, settings.wanted_state_dict);
  AnalysisCache cache;
  std::optional<formats::MappedTensorBytes> values;
  if (settings.engine.check_values) {
    values.emplace(loaded, [&settings](uint64_t more_total, uint64_t more_done) {
      if (settings.values_progress != nullptr) settings.values_progress->add(more_total, more_done);
    });
  }
  const CheckContext context{checkpoint, choice, settings.model ? &*settings.model : nullptr, cache, &settings.rules,
                             values ? &*values : nullptr};
  // Like an unreadable file, pickle bytes that could not be scanned are never hidden; CKL001
  // comes first, as in the registry.
  std::vector<Finding> findings = rules::unscannedPickleFindings(checkpoint);
  for (Finding& finding : runRules(rules::allRules(), context, settings.engine)) {
    findings.push_back(std::move(finding));
  }
  return findings;
}

// One input, whatever happens: an input known to be unusable, a file that cannot be read, or
// an unexpected failure (out of memory) is a CKL001 finding for that input alone.
reports::FileResult checkInput(const CheckInput& input, const CheckSettings& settings, bool with_sha256) {
  if (input.problem) return {input.path, {rules::unreadableCheckpointFinding(input.path, *input.problem)}, ""};
  reports::FileResult result;
  try {
    result = checkFile(input.path, settings);
  } catch (const std::exception& error) {
    return {input.path, {rules::unreadableCheckpointFinding(input.path, std::string("internal error: ") + error.what())}, ""};
  }
  if (with_sha256) {
    Result<std::string> digest = io::sha256File(input.path);
    if (digest) result.sha256 = *digest;
  }
  return result;
}

}  // namespace

std::optional<std::string> parseAnalysisSettings(const po::variables_map& options, CheckSettings& settings) {
  if (options.count("jobs") != 0 && options["jobs"].as<int>() < 1) {
    return "-j/--jobs must be at least 1 (got " + std::to_string(options["jobs"].as<int>()) + ")";
  }
  settings.jobs = options.count("jobs") != 0 ? static_cast<unsigned>(options["jobs"].as<int>())
                                             : std::max(1u, std::thread::hardware_concurrency());
  settings.engine.selection.select = splitList(options, "select");
  settings.engine.selection.ignore = splitList(options, "ignore");
  if (auto error = checkSelectors(settings.engine.selection.select, "select")) return error;
  if (auto error = checkSelectors(settings.engine.selection.ignore, "ignore")) return error;
  settings.rules.safe_globals = splitList(options, "safe-global");
  settings.rules.benign_globals = splitList(options, "benign-global");
  if (auto error = parseRuleOptions(options, settings.engine, settings.rules)) return error;
  settings.load.check_crc = options.count("check-crc") != 0;
  settings.engine.check_values = options.count("check-values") != 0;
  if (auto error = checkValueRulesSelectable(settings.engine)) return error;

  if (options.count("state-dict") != 0) {
    ObjectPath path;
    std::string error;
    if (!parsePathSpec(options["state-dict"].as<std::string>(), &path, &error)) return settingLabel("state-dict") + ": " + error;
    settings.wanted_state_dict = std::move(path);
  }
  if (options.count("model") != 0) {
    Result<ModelSpec> loaded = model::loadModelDefinition(options["model"].as<std::string>(), std::nullopt);
    if (!loaded) return settingLabel("model") + ": " + loaded.error().message;
    settings.model = std::move(*loaded);
  }
  return std::nullopt;
}

std::vector<reports::FileResult> checkAllInputs(const std::vector<CheckInput>& inputs, const CheckSettings& settings,
                                                bool with_sha256) {
  // Threads share only read-only data: the settings (model spec included) and the rule
  // registry (built before any thread starts). Each file has its own result slot.
  (void)rules::allRules();
  std::vector<reports::FileResult> results(inputs.size());
  parallelFor(inputs.size(), settings.jobs,
              [&](std::size_t i) { results[i] = checkInput(inputs[i], settings, with_sha256); });
  return results;
}

bool ruleRunsWith(const CheckSettings& settings, std::string_view rule_id) {
  const Rule* rule = rules::findRule(rule_id);
  return rule != nullptr && ruleRuns(rule->info, settings.engine, settings.model.has_value());
}

bool anyUnreadable(const std::vector<reports::FileResult>& files) {
  for (const reports::FileResult& file : files) {
    for (const Finding& finding : file.findings) {
      if (finding.rule_id == "CKL001") return true;
    }
  }
  return false;
}

}  // namespace ckptlint::cli
