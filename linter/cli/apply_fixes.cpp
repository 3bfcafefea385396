#include "linter/cli/apply_fixes.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>

#include "linter/cli/same_file.h"
#include "linter/core/engine.h"
#include "linter/fix/edit_plan.h"
#include "linter/fix/rewrite_checkpoint.h"
#include "linter/fix/verify_rewrite.h"
#include "linter/io/atomic_write.h"

namespace ckptlint::cli {

void addFixOptions(po::options_description& visible) {
  visible.add_options()
      ("apply", "fix the file: apply the safe fixes of the selected findings, verify the result by reading it "
                "back, then replace the file (keeping FILE.bak) or write -o OUT")
      ("unsafe-fixes", "with --apply or --diff: also the unsafe fixes (e.g. CKL105 renames, CKL102 drops)")
      ("diff", "print the edits --apply would make (every rename and drop) and write nothing")
      ("output-checkpoint,o", po::value<std::string>()->value_name("OUT"),
       "with --apply: write the fixed checkpoint to OUT and leave the input as it is (one input only)")
      ("force", "with -o: replace OUT if it exists")
      ("backup-suffix", po::value<std::string>()->default_value(".bak")->value_name("SUFFIX"),
       "with --apply in place: keep the original as FILE+SUFFIX (an existing backup is never overwritten)")
      ("no-backup", "with --apply in place: keep no backup of the original");
}

Result<FixSettings> parseFixSettings(const po::variables_map& options) {
  FixSettings settings;
  const bool apply = options.count("apply") != 0;
  const bool diff = options.count("diff") != 0;
  if (apply && diff) return makeError("--apply and --diff exclude each other: --diff shows the edits and writes nothing");
  settings.mode = apply ? FixSettings::Mode::kApply : diff ? FixSettings::Mode::kDiff : FixSettings::Mode::kNone;
  settings.unsafe = options.count("unsafe-fixes") != 0;
  settings.force = options.count("force") != 0;
  settings.backup = options.count("no-backup") == 0;
  const bool suffix_given = !options["backup-suffix"].defaulted();
  settings.backup_suffix = options["backup-suffix"].as<std::string>();
  if (options.count("output-checkpoint") != 0) {
    settings.output = options["output-checkpoint"].as<std::string>();
    // An empty OUT would otherwise read as "no -o" and fix the input in place.
    if (settings.output.empty()) return makeError("-o/--output-checkpoint needs a file name (got an empty one)");
  }

  if (settings.unsafe && !apply && !diff) return makeError("--unsafe-fixes needs --apply or --diff");
  for (const auto& [given, name] : {std::pair{!settings.output.empty(), "-o/--output-checkpoint"},
                                    std::pair{settings.force, "--force"}, std::pair{!settings.backup, "--no-backup"},
                                    std::pair{suffix_given, "--backup-suffix"}}) {
    if (given && !apply) return makeError(std::string(name) + " needs --apply");
  }
  if (settings.force && settings.output.empty()) return makeError("--force needs -o OUT (in place, the backup is never overwritten)");
  if (!settings.output.empty() && (!settings.backup || suffix_given)) {
    return makeError("--no-backup and --backup-suffix apply to fixing in place, not to -o OUT");
  }
  if (!settings.backup && suffix_given) return makeError("--no-backup and --backup-suffix exclude each other");
  if (settings.backup_suffix.empty() || settings.backup_suffix.find('/') != std::string::npos) {
    return makeError("--backup-suffix must be a non-empty file name suffix without '/' (got '" + settings.backup_suffix + "')");
  }
  return settings;
}

std::optional<std::string> checkFixInputs(const FixSettings& settings, const std::vector<CheckInput>& inputs) {
  if (settings.mode != FixSettings::Mode::kApply) return std::nullopt;
  if (!settings.output.empty() && inputs.size() != 1) {
    return "-o/--output-checkpoint takes one input file; this run has " + std::to_string(inputs.size()) +
           " (fix several files in place instead)";
  }
  std::map<std::string, const std::string*> first_named;  // resolved path -> the input naming it first
  for (const CheckInput& input : inputs) {
    if (input.problem) continue;
    const std::string real = resolvedPath(input.path);
    if (real.empty()) continue;  // reported as unreadable by the check
    auto [place, added] = first_named.emplace(real, &input.path);
    if (!added && *place->second == input.path) return "--apply: " + input.path + " is named twice; name it once";
    if (!added) {
      return "--apply: " + *place->second + " and " + input.path + " are the same file (" + real +
             "); name only one of them (a folder holding both: name its files instead)";
    }
  }
  return std::nullopt;
}

namespace {

bool exists(const std::string& path) {
  struct stat info {};
  return lstat(path.c_str(), &info) == 0;
}

std::vector<std::string> stateDictKeys(const Checkpoint& checkpoint, const StateDict& state_dict) {
  std::vector<std::string> keys;
  for (std::size_t index : state_dict.tensors) keys.emplace_back(stateDictKey(checkpoint.tensors[index]));
  return keys;
}

// Test hook: CKPTLINT_TEST_SKIP_EDIT (any non-empty value) hands the writer the plan without
// its last edit, so that the tests can watch verification catch a wrong file and roll back.
fix::EditPlan planForWriter(const fix::EditPlan& plan) {
  const char* skip = std::getenv("CKPTLINT_TEST_SKIP_EDIT");
  if (skip == nullptr || *skip == '\0' || plan.edits.empty()) return plan;
  fix::EditPlan damaged = plan;
  damaged.edits.pop_back();
  return damaged;
}

// Where --apply writes, and what it keeps.
struct Destination {
  std::string target;       // the path replaced or created
  std::string backup;       // in place with a backup: the original's second name
  bool replace = false;     // in place, or -o with --force
  std::string shown;        // the target as the report names it
  std::string backup_shown;
};

Result<Destination> destinationFor(const std::string& input, const FixSettings& settings) {
  Destination destination;
  if (!settings.output.empty()) {
    destination.target = destination.shown = settings.output;
    destination.replace = settings.force;
    // -o naming the input (or the file a link given as input points to) would replace it
    // with no backup, the opposite of what -o promises.
    if (wouldReplace(settings.output, input)) {
      return makeError("-o " + settings.output + " is the input file itself; fix it in place with --apply (keeps a backup)");
    }
    struct stat info {};
    if (stat(settings.output.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
      return makeError("-o " + settings.output + " is a directory; name the file to write");
    }
    if (!settings.force && exists(settings.output)) {
      return makeError(settings.output + " already exists (use --force to replace it)");
    }
    return destination;
  }
  // In place: through a symbolic link, the file it points to is replaced (the link stays).
  destination.target = resolvedPath(input);
  if (destination.target.empty()) return makeError("cannot resolve the path of " + input);
  destination.shown = input;
  struct stat info {};
  if (lstat(input.c_str(), &info) == 0 && S_ISLNK(info.st_mode)) destination.shown = destination.target;
  destination.replace = true;
  if (settings.backup) {
    destination.backup = destination.target + settings.backup_suffix;
    destination.backup_shown = destination.shown + settings.backup_suffix;
    if (exists(destination.backup)) {
      return makeError("the backup " + destination.backup_shown +
                       " already exists; it is never overwritten (move it away, or use --backup-suffix or --no-backup)");
    }
  }
  return destination;
}

// Writes, verifies and commits; on error nothing at the destination has changed.
std::optional<std::string> applyPlan(const formats::LoadedCheckpoint& loaded, const fix::PlannedFixes& planned,
                                     const std::vector<Finding>& findings, const FixSettings& settings,
                                     const formats::LoadOptions& load_options, const RuleRunner& run_rules,
                                     reports::FileResult& result) {
  Result<Destination> destination = destinationFor(result.file, settings);
  if (!destination) return destination.error().message;
  struct stat input_info {};
  if (stat(result.file.c_str(), &input_info) != 0) return std::string("cannot read the permissions of the input");

  Result<std::unique_ptr<io::PendingFile>> pending = io::PendingFile::create(destination->target, input_info.st_mode);
  if (!pending) return "cannot write beside " + destination->shown + ": " + pending.error().message;
  io::PendingFile& file = **pending;
  if (settings.output.empty()) {
    // In place, the fixed file keeps the original's owner where we may set it (root fixing a
    // user's file); best effort, as for the permission bits, which chown may clear: set again.
    if (fchown(file.fd(), input_info.st_uid, input_info.st_gid) == 0) fchmod(file.fd(), input_info.st_mode & 07777);
  }
  // Record bytes are checked against their CRC-32 while copied only with --check-crc, as `check`
  // reads them only then; without it a damaged record is copied with the CRC that exposes it.
  fix::RewriteOptions rewrite_options;
  rewrite_options.zip.verify_copied_crc = load_options.check_crc;
  Result<fix::RewriteResult> written =
      fix::rewriteCheckpoint(loaded, planForWriter(planned.plan), file.fd(), rewrite_options);
  if (!written) return "cannot rewrite: " + written.error().message;
  if (std::optional<Error> error = file.finishWriting()) return "cannot write " + destination->shown + ": " + error->message;

  // Verification: the written file, read back by the same reader, must be the plan applied.
  Result<formats::LoadedCheckpoint> reread = formats::loadCheckpoint(file.temporaryPath(), load_options);
  if (!reread) return "verification failed, the rewritten file does not read back: " + reread.error().message;
  if (auto difference = fix::compareWithPlan(loaded.checkpoint, reread->checkpoint, planned.plan)) {
    return "verification failed: " + *difference;
  }
  std::vector<Finding> remaining = run_rules(*reread);
  std::vector<Finding> fixed;
  for (std::size_t index : planned.fixed) fixed.push_back(findings[index]);
  if (auto still = fix::findingStillReported(fixed, planned.plan, remaining)) return "verification failed: " + *still;

  io::PendingFile::CommitOptions commit;
  commit.replace = destination->replace;
  commit.backup = destination->backup;
  if (std::optional<Error> error = file.commit(commit)) {
    if (error->message == "already exists") return destination->shown + " already exists (use --force to replace it)";
    return "cannot put the fixed file in place: " + error->message;
  }
  for (Finding& finding : remaining) finding.file = result.file;
  result.findings = std::move(remaining);
  result.fixes->written = destination->shown;
  result.fixes->backup = destination->backup_shown;
  result.fixes->notes = std::move(written->notes);
  return std::nullopt;
}

}  // namespace

void fixFile(const formats::LoadedCheckpoint& loaded, const std::optional<ObjectPath>& wanted_state_dict,
             const FixSettings& settings, const formats::LoadOptions& load_options, const RuleRunner& run_rules,
             reports::FileResult& result) {
  reports::FileFixes& fixes = result.fixes.emplace();
  fixes.diff_only = settings.mode == FixSettings::Mode::kDiff;
  for (const Finding& finding : result.findings) {
    if (finding.rule_id != "CKL001") continue;  // a file not fully read is never rewritten
    if (!fixes.diff_only) fixes.error = "parts of the file could not be read (CKL001); it is not rewritten";
    return;
  }
  const StateDictChoice choice = chooseStateDict(loaded.checkpoint, wanted_state_dict);
  if (choice.chosen == nullptr) return;
  const fix::PlannedFixes planned = fix::planFixes(
      result.findings, choice.chosen->path, stateDictKeys(loaded.checkpoint, *choice.chosen), settings.unsafe);
  fixes.state_dict = planned.plan.state_dict;
  fixes.edits = planned.plan.edits;
  fixes.fixed_findings = planned.fixed.size();
  fixes.unsafe_not_applied = planned.unsafe_not_applied;
  for (const fix::SkippedFix& skipped : planned.skipped) {
    fixes.skipped.push_back({skipped.rule_id, skipped.description, skipped.reason});
  }
  if (fixes.diff_only || planned.plan.empty()) return;

  const std::vector<Finding> findings = result.findings;
  if (auto error = applyPlan(loaded, planned, findings, settings, load_options, run_rules, result)) {
    result.fixes->error = *error;
    std::cerr << "ckptlint: error: " << result.file << ": " << *error << " (the file is unchanged)\n";
  }
}

bool anyFixFailed(const reports::CheckReport& report) {
  for (const reports::FileResult& file : report.files) {
    if (file.fixes && !file.fixes->error.empty()) return true;
  }
  return false;
}

}  // namespace ckptlint::cli
