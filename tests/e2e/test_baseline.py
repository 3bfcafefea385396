#!/usr/bin/python3
"""Baselines on real torch checkpoints: `ckptlint baseline create`, then `check --baseline`
reports only new problems (exit code too), lists entries whose problem is gone as stale, marks
JSON and SARIF results (SARIF validated against the schema), never hides an unreadable file,
refuses malformed baseline files (exit 2), and keeps matching when the folder moves.

Usage: test_baseline.py --ckptlint BIN --scenarios DIR --workdir DIR --validate-sarif PY --schema SCHEMA
(DIR from make_scenarios.py). Exit 1 if any check fails."""
import argparse
import json
import os
import shutil
import subprocess
import sys

from cli_harness import check, finish, run

BASELINE = ".ckptlint-baseline.json"


def run_in(folder, binary, *args):
    """run(), from `folder` as the current directory."""
    proc = subprocess.run([binary, *args], capture_output=True, text=True, timeout=60, cwd=folder)
    return proc.returncode, proc.stdout, proc.stderr


def findings_by_file(out):
    """{file: [(rule, baseline state)]} of a JSON report."""
    return {f["file"]: [(x["rule"], x.get("baseline")) for x in f["findings"]] for f in json.loads(out)["files"]}


def is_usage_error(result):
    code, out, err = result
    return code == 2 and out == "" and err.startswith("ckptlint: error: ") and err.count("\n") == 1


class PickledConfig:
    """A class only this script defines: torch.save pickles it as __main__.PickledConfig (CKL301)."""


class RunsACommand:
    """Pickles as a call of os.system (CKL301); never unpickled here."""

    def __reduce__(self):
        return (os.system, ("true",))


def check_globals_are_told_apart(exe, workdir):
    """CKL301 findings cover no key: a baselined harmless global must not hide a new dangerous one
    in the same file (their fingerprints once were both 'CKL301, no key, first')."""
    import torch  # only here: the rest of the test needs no torch

    folder = os.path.join(workdir, "globals")
    os.makedirs(folder)
    snapshot = os.path.join(folder, "snap.pt")
    weights = {"w": torch.zeros(2)}
    torch.save({"model": weights, "config": PickledConfig()}, snapshot)
    code, out, err = run_in(folder, exe, "baseline", "create", "snap.pt", "--isolated")
    assert code == 0, (code, out, err)
    code, out, _ = run_in(folder, exe, "check", "snap.pt", "--isolated", "--baseline", BASELINE)
    check("the harmless global is known", code == 0 and "1 finding hidden" in out, (code, out))
    torch.save({"model": weights, "config": RunsACommand()}, snapshot)
    code, out, _ = run_in(folder, exe, "check", "snap.pt", "--isolated", "--baseline", BASELINE)
    check("a new global in the same file is reported, not hidden by the old one's entry (exit 1)",
          code == 1 and "posix.system" in out and "stale baseline entry CKL301" in out, (code, out))
    torch.save({"model": weights, "extra": [0] * 300, "config": PickledConfig()}, snapshot)
    code, out, _ = run_in(folder, exe, "check", "snap.pt", "--isolated", "--baseline", BASELINE)
    check("the known global at another byte offset is still known", code == 0 and "1 finding hidden" in out,
          (code, out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckptlint", required=True)
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--validate-sarif", required=True)
    ap.add_argument("--schema", required=True)
    args = ap.parse_args()
    exe = os.path.abspath(args.ckptlint)
    snapshots = os.path.join(args.scenarios, "snapshots")
    shutil.rmtree(args.workdir, ignore_errors=True)
    project = os.path.join(args.workdir, "project")
    ckpts = os.path.join(project, "ckpts")
    os.makedirs(ckpts)
    # ddp.pt: every key 'module.' (CKL103, error); fp16.pt: CKL202 (warning); clean.pt: nothing.
    for name in ("ddp.pt", "fp16.pt", "clean.pt"):
        shutil.copy(os.path.join(snapshots, name), ckpts)
    code, _, err = run(exe, "spec", os.path.join(args.scenarios, "models", "mini.ref.pt"), "-o",
                       os.path.join(project, "mini.json"))
    assert code == 0, err
    model = ["--model", "mini.json"]

    code, out, _ = run_in(project, exe, "check", "ckpts", *model, "--format", "json")
    check("without a baseline the snapshots have problems (exit 1)",
          code == 1 and findings_by_file(out)["ckpts/ddp.pt"] == [("CKL103", None)], (code, out))

    # create
    code, out, err = run_in(project, exe, "baseline", "create", "ckpts", *model)
    check("baseline create exits 0 with findings, says what it wrote",
          code == 0 and err == "" and "wrote 2 entries" in out and BASELINE in out, (code, out, err))
    with open(os.path.join(project, BASELINE)) as handle:
        document = json.load(handle)
    entries = document["entries"]
    check("the baseline: format, version, one entry per finding keyed by the path relative to its folder",
          document["format"] == "ckptlint-baseline" and document["version"] == 1
          and [(e["file"], e["rule"]) for e in entries] == [("ckpts/ddp.pt", "CKL103"), ("ckpts/fp16.pt", "CKL202")]
          and all(len(e["fingerprint"].split(":")[0]) == 32 for e in entries), document)

    # unchanged snapshots: nothing new, exit 0
    code, out, _ = run_in(project, exe, "check", "ckpts", *model, "--baseline", BASELINE)
    check("rerun with --baseline: nothing reported, exit 0, the hidden ones counted",
          code == 0 and "All checks passed" in out and "2 findings hidden by the baseline" in out
          and "CKL103" not in out, (code, out))
    code, out, _ = run_in(project, exe, "check", "ckpts", *model, "--baseline", BASELINE, "--format", "json")
    report = json.loads(out)
    check("JSON marks the known findings 'unchanged' and leaves them out of the counts",
          code == 0 and findings_by_file(out)["ckpts/ddp.pt"] == [("CKL103", "unchanged")]
          and report["summary"]["findings"] == 0 and report["summary"]["hidden_by_baseline"] == 2
          and report["stale_baseline"] == [], (code, out))
    code, out, _ = run_in(project, exe, "check", "ckpts", *model, "--baseline", BASELINE, "--format", "github")
    check("GitHub annotations leave the known findings out", code == 0 and out == "", (code, out))
    code, _, _ = run_in(project, exe, "check", "ckpts", *model, "--baseline", BASELINE, "--fail-on", "warning")
    check("the hidden warning does not count for --fail-on warning", code == 0, code)

    # a new problem: only it is reported
    shutil.copy(os.path.join(snapshots, "orig_mod_start.pt"), ckpts)
    code, out, _ = run_in(project, exe, "check", "ckpts", *model, "--baseline", BASELINE, "--format", "json")
    states = findings_by_file(out)
    check("a new snapshot's problem is the only one reported, exit 1",
          code == 1 and states["ckpts/orig_mod_start.pt"] == [("CKL103", "new")]
          and states["ckpts/ddp.pt"] == [("CKL103", "unchanged")] and json.loads(out)["summary"]["findings"] == 1,
          (code, out))
    code, out, _ = run_in(project, exe, "check", "ckpts", *model, "--baseline", BASELINE)
    check("text: only the new problem", code == 1 and out.count("CKL103") == 1 and "orig_mod_start.pt" in out, out)

    # SARIF: every result carries suppressions and baselineState; the log validates
    sarif_path = os.path.join(args.workdir, "baseline.sarif")
    code, _, _ = run_in(project, exe, "check", "ckpts", *model, "--baseline", BASELINE, "--output", "sarif:" + sarif_path)
    with open(sarif_path) as handle:
        results = json.load(handle)["runs"][0]["results"]
    shapes = sorted((r["ruleId"], r["baselineState"], json.dumps(r["suppressions"])) for r in results)
    check("SARIF: known results suppressed (external, unchanged), the new one with [] and 'new'",
          shapes == [("CKL103", "new", "[]"), ("CKL103", "unchanged", '[{"kind": "external"}]'),
                     ("CKL202", "unchanged", '[{"kind": "external"}]')], shapes)
    validation = subprocess.run([sys.executable, args.validate_sarif, "--schema", args.schema, sarif_path],
                                capture_output=True, text=True)
    check("SARIF with a baseline validates", validation.returncode in (0, 77), validation.stdout + validation.stderr)

    # a fixed problem: reported as stale, not a failure
    os.remove(os.path.join(ckpts, "orig_mod_start.pt"))
    code, _, err = run_in(project, exe, "check", "ckpts/ddp.pt", *model, "--apply", "--no-backup")
    assert code == 0, err
    code, out, _ = run_in(project, exe, "check", "ckpts", *model, "--baseline", BASELINE)
    check("the fixed problem is a stale entry (a note), exit 0",
          code == 0 and "ckpts/ddp.pt: note stale baseline entry CKL103" in out
          and "1 baseline entry no longer occurs" in out, (code, out))
    code, out, _ = run_in(project, exe, "check", "ckpts", *model, "--baseline", BASELINE, "--format", "json")
    report = json.loads(out)
    check("JSON lists the stale entry", [(e["file"], e["rule"]) for e in report["stale_baseline"]]
          == [("ckpts/ddp.pt", "CKL103")] and report["summary"]["stale_baseline"] == 1, out)
    code, _, _ = run_in(project, exe, "check", "ckpts", *model, "--baseline", BASELINE, "--output", "sarif:" + sarif_path)
    with open(sarif_path) as handle:
        invocation = json.load(handle)["runs"][0]["invocations"][0]
    notes = invocation.get("toolConfigurationNotifications", [])
    check("SARIF: the stale entry is a configuration notification about ddp.pt",
          len(notes) == 1 and notes[0]["associatedRule"]["id"] == "CKL103"
          and notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "ckpts/ddp.pt", notes)
    validation = subprocess.run([sys.executable, args.validate_sarif, "--schema", args.schema, sarif_path],
                                capture_output=True, text=True)
    check("SARIF with a stale entry validates", validation.returncode in (0, 77), validation.stdout + validation.stderr)
    code, out, _ = run_in(project, exe, "check", "ckpts", "--select", "CKL202", *model, "--baseline", BASELINE)
    check("an entry of a rule that did not run is not stale", code == 0 and "stale" not in out, out)
    code, out, _ = run_in(project, exe, "check", "ckpts/fp16.pt", *model, "--baseline", BASELINE)
    check("an entry of a file that was not checked is not stale", code == 0 and "stale" not in out, out)

    # the same fingerprint with another message: 'updated', still known
    edited = dict(document, entries=[dict(e, message="an older wording") for e in entries])
    with open(os.path.join(project, "edited.json"), "w") as handle:
        json.dump(edited, handle)
    code, out, _ = run_in(project, exe, "check", "ckpts/fp16.pt", *model, "--baseline", "edited.json", "--format", "json")
    check("a changed message on a known finding: 'updated', hidden", code == 0
          and findings_by_file(out)["ckpts/fp16.pt"] == [("CKL202", "updated")], (code, out))

    # the folder moves with its baseline; run from elsewhere with other paths to the same files
    moved = os.path.join(args.workdir, "moved", "elsewhere")
    shutil.copytree(project, moved)
    shutil.copy(os.path.join(snapshots, "ddp.pt"), os.path.join(moved, "ckpts"))  # the problem is back
    code, out, _ = run_in("/", exe, "check", os.path.join(moved, "ckpts"), "--model", os.path.join(moved, "mini.json"),
                          "--baseline", os.path.join(moved, BASELINE), "--format", "json")
    report = json.loads(out)
    check("moved folder, other working directory, absolute paths: still matched",
          code == 0 and report["summary"]["hidden_by_baseline"] == 2 and report["summary"]["findings"] == 0, (code, out))
    code, out, _ = run_in(os.path.join(moved, "ckpts"), exe, "check", ".", "../ckpts/../ckpts/ddp.pt",
                          "--model", "../mini.json", "--baseline", "../" + BASELINE, "--format", "json")
    check("relative --baseline from a subfolder, './' and '..' in paths: still matched",
          code == 0 and json.loads(out)["summary"]["hidden_by_baseline"] == 3, (code, out))

    # a config file names the baseline for both commands (path relative to the config file)
    with open(os.path.join(moved, ".ckptlint.cfg"), "w") as handle:
        handle.write("model = mini.json\nbaseline = team-baseline.json\n")
    code, out, err = run_in(os.path.join(moved, "ckpts"), exe, "baseline", "create", ".")
    check("baseline create writes where the config file says", code == 0
          and os.path.exists(os.path.join(moved, "team-baseline.json")), (code, out, err))
    code, out, err = run_in(os.path.join(moved, "ckpts"), exe, "check", ".")
    check("check reads the config file's baseline", code == 0 and "2 findings hidden" in out, (code, out, err))

    # CKL001 is never hidden, and never baselined
    garbage = os.path.join(ckpts, "garbage.pt")
    with open(garbage, "wb") as handle:
        handle.write(b"PK\x03\x04 not a zip at all")
    code, out, err = run_in(project, exe, "baseline", "create", "ckpts", *model, "-o", "new.json")
    check("baseline create with an unreadable file: exit 2, names it, writes nothing",
          code == 2 and "garbage.pt" in err and not os.path.exists(os.path.join(project, "new.json")), (code, out, err))
    code, out, _ = run_in(project, exe, "check", "ckpts/garbage.pt", "--format", "sarif")
    fingerprint = json.loads(out)["runs"][0]["results"][0]["partialFingerprints"]["primaryLocationLineHash"]
    with open(os.path.join(project, "ckl001.json"), "w") as handle:
        json.dump({"format": "ckptlint-baseline", "version": 1,
                   "entries": [{"file": "ckpts/garbage.pt", "fingerprint": fingerprint, "rule": "CKL001"}]}, handle)
    code, out, _ = run_in(project, exe, "check", "ckpts/garbage.pt", "--baseline", "ckl001.json", "--format", "json")
    check("CKL001 in a (hand-made) baseline is still reported, exit 2",
          code == 2 and findings_by_file(out)["ckpts/garbage.pt"] == [("CKL001", "new")], (code, out))
    os.remove(garbage)

    # malformed baselines and refusals: exit 2, one line, nothing on stdout
    bad_files = {"not_json.json": "{not json", "other_format.json": '{"format": "ckptlint-spec", "version": 1}',
                 "version_2.json": '{"format": "ckptlint-baseline", "version": 2, "entries": []}',
                 "no_entries.json": '{"format": "ckptlint-baseline", "version": 1}',
                 "entry_no_fingerprint.json": '{"format": "ckptlint-baseline", "version": 1, "entries": [{"file": "x"}]}'}
    for name, text in bad_files.items():
        with open(os.path.join(project, name), "w") as handle:
            handle.write(text)
        result = run_in(project, exe, "check", "ckpts", *model, "--baseline", name)
        check(f"malformed baseline {name} -> exit 2 with a clear message",
              is_usage_error(result) and name in result[2], result)
    result = run_in(project, exe, "check", "ckpts", *model, "--baseline", "absent.json")
    check("a missing baseline file -> exit 2", is_usage_error(result), result)
    before = open(os.path.join(ckpts, "fp16.pt"), "rb").read()
    result = run_in(project, exe, "baseline", "create", "ckpts", *model, "-o", "ckpts/fp16.pt")
    check("baseline create never replaces a file that is not a baseline",
          is_usage_error(result) and open(os.path.join(ckpts, "fp16.pt"), "rb").read() == before, result)
    check("baseline without an action, or a misspelt one -> exit 2",
          is_usage_error(run_in(project, exe, "baseline")) and "did you mean 'create'"
          in run_in(project, exe, "baseline", "creat", "ckpts")[2], "")

    # refreshing: create again over the old baseline; the stale entry is gone
    code, out, err = run_in(project, exe, "baseline", "create", "ckpts", *model)
    with open(os.path.join(project, BASELINE)) as handle:
        refreshed = json.load(handle)["entries"]
    check("re-creating replaces the old baseline (the fixed entry is gone)",
          code == 0 and [(e["file"], e["rule"]) for e in refreshed] == [("ckpts/fp16.pt", "CKL202")], (code, err))
    check_globals_are_told_apart(exe, args.workdir)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
