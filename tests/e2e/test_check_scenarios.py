#!/usr/bin/python3
"""`ckptlint check` on the scenario matrix of make_scenarios.py, against real load_state_dict.

Usage:
  test_check_scenarios.py --ckptlint BIN --scenarios DIR [--validate-sarif SCRIPT --schema S]
                          [--golden-dir DIR] [--update-golden] [--only NAME,...] [--workdir DIR]

For every scenario x every model-definition kind (reference checkpoint, JSON spec made with
`ckptlint spec REFERENCE`, TorchScript scripted and traced -- those two are skipped with a notice
when the LibTorch plugin is missing), `ckptlint check SNAPSHOT --model DEF --format json` must
account for exactly the keys torch reported (truth.json):

  torch missing     == CKL101 keys  +  `to`   of the rename edits of CKL103/CKL104/CKL105 fixes
  torch unexpected  == CKL102 keys  +  `from` of those rename edits        (each key once)
  size mismatches   == CKL201 keys  (+ checkpoint keys reached through a rename, if the shapes differ)
  dtype differences == CKL202 keys  (+ the same allowance)
  CKL204            iff a storage was saved on an accelerator

A rename's `to` may also be a num_batches_tracked key torch did not list as missing: BatchNorm
fills it silently when the checkpoint's _metadata entry for the module is absent or version < 2,
which is what a prefix does to the entry ("silently_filled" in truth.json). Those keys must never
be reported by CKL101. Renames must be exactly the expected ones when the scenario names them,
and come from the scenario's rule. Exit code: 1 iff an error-level finding, and 1 iff the strict
load fails. The same findings (rule, level, keys, edits) for every model-definition kind.
--fail-on levels on the warning-only scenarios; SARIF (every run's --output sarif:FILE, and
--format sarif once per scenario) validated by the given script and agreeing with the JSON; golden
text/JSON output for a few scenarios (tests/golden; --update-golden rewrites them).
Only Python's standard library is used here.
"""
import argparse
import difflib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_GOLDEN_DIR = os.path.join(os.path.dirname(HERE), "golden")

PREFIX_RULES = ("CKL103", "CKL104", "CKL105")
KEY_RULES = ("CKL101", "CKL102", "CKL103", "CKL104", "CKL105", "CKL201", "CKL202", "CKL204")
# what the issue fixes for each rule: level (None: not asserted) and fix applicability
RULE_LEVELS = {"CKL101": "error", "CKL102": "error", "CKL201": "error", "CKL202": "warning",
               "CKL204": "warning"}
FIX_APPLICABILITY = {"CKL103": "safe", "CKL105": "unsafe"}
GOLDEN_SCENARIOS = ("dlc_dataparallel", "fp16", "renamed_submodule")
FAIL_ON_CASES = {  # scenario -> {--fail-on level: exit code}
    "fp16": {"error": 0, "warning": 1, "note": 1, "never": 0},
    "cuda1": {"error": 0, "warning": 1, "note": 1, "never": 0},
    "dlc_dataparallel": {"error": 1, "warning": 1, "note": 1, "never": 0},
    "clean": {"error": 0, "warning": 0, "never": 0},
}
KINDS = ("reference", "spec", "scripted", "traced")


class Failures:
    def __init__(self):
        self.items = []

    def add(self, where, what):
        self.items.append(f"{where}: {what}")
        print(f"FAIL {where}: {what}", flush=True)


def run(cmd, cwd=None):
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env)


def show(keys, limit=6):
    keys = sorted(keys)
    text = ", ".join(keys[:limit])
    return text + (f", ... ({len(keys)} in all)" if len(keys) > limit else "")


def finding_keys(f):
    keys = set(f.get("keys") or [])
    if f.get("key") is not None:
        keys.add(f["key"])
    return keys


def rename_edits(findings):
    """(rule, fix applicability, from, to) of every rename-key edit of CKL103/104/105 fixes."""
    out = []
    for f in findings:
        if f.get("rule") in PREFIX_RULES:
            for fix in f.get("fixes") or []:
                for e in fix.get("edits") or []:
                    if e.get("op") == "rename-key":
                        out.append((f["rule"], fix.get("applicability"), e.get("from"), e.get("to")))
    return out


def normalised(findings):
    """What must agree across model-definition kinds: everything but the prose."""
    def fix(x):
        return (x.get("applicability"), tuple(sorted(json.dumps(e, sort_keys=True) for e in x.get("edits") or [])))
    return sorted(json.dumps([f.get("rule"), f.get("level"), f.get("state_dict"), f.get("key"),
                              sorted(f.get("keys") or []), sorted(fix(x) for x in f.get("fixes") or [])])
                  for f in findings)


# ---------------------------------------------------------------------------

def check_findings(where, doc, rc, truth, fails):
    """The accounting of one `check --format json` run against torch's truth."""
    if not isinstance(doc, dict) or doc.get("version") != 1 or not isinstance(doc.get("files"), list) \
            or len(doc["files"]) != 1 or "summary" not in doc:
        fails.add(where, f"JSON does not follow the contract (version 1, one file, summary): {str(doc)[:200]}")
        return None
    findings = doc["files"][0].get("findings")
    if not isinstance(findings, list):
        fails.add(where, "files[0].findings is not a list")
        return None
    by_rule = {}
    for f in findings:
        by_rule.setdefault(f.get("rule"), []).append(f)

    missing, unexpected = set(truth["missing"]), set(truth["unexpected"])
    filled = set(truth["silently_filled"])
    ckpt_keys, model_keys = truth["checkpoint_keys"], truth["model_keys"]

    renames = rename_edits(findings)
    rename_map = {}
    for rule, _, src, dst in renames:
        if src in rename_map and rename_map[src] != dst:
            fails.add(where, f"{src!r} renamed two ways: {rename_map[src]!r} and {dst!r}")
        rename_map[src] = dst
    rename_from, rename_to = set(rename_map), set(rename_map.values())
    if len(rename_to) != len(rename_map):
        fails.add(where, "two checkpoint keys renamed to the same model key")

    c101 = set().union(*[finding_keys(f) for f in by_rule.get("CKL101", [])])
    c102 = set().union(*[finding_keys(f) for f in by_rule.get("CKL102", [])])

    # missing keys: CKL101 + rename targets, each once; silently filled keys never as CKL101
    want101 = missing - rename_to
    if c101 != want101:
        fails.add(where, f"CKL101 keys differ from torch's missing keys not explained by a rename: "
                         f"extra [{show(c101 - want101)}], absent [{show(want101 - c101)}]")
    stray_to = rename_to - missing - filled
    if stray_to:
        fails.add(where, f"renames to keys torch does not miss: [{show(stray_to)}]")
    if c101 & filled:
        fails.add(where, f"CKL101 on keys torch fills silently: [{show(c101 & filled)}]")
    # unexpected keys: CKL102 + rename sources, each once
    if c102 & rename_from:
        fails.add(where, f"keys both CKL102 and renamed: [{show(c102 & rename_from)}]")
    if c102 | rename_from != unexpected:
        got = c102 | rename_from
        fails.add(where, f"CKL102 keys + renamed keys differ from torch's unexpected keys: "
                         f"extra [{show(got - unexpected)}], absent [{show(unexpected - got)}]")
    # renames: the right pairs, from the right rule, with the right applicability
    expected_renames = truth["expected_renames"]
    if expected_renames is not None and rename_map != expected_renames:
        wrong = {k: v for k, v in rename_map.items() if expected_renames.get(k) != v}
        fails.add(where, f"renames differ from the expected ones, e.g. "
                         f"{dict(list(wrong.items())[:3]) or 'some expected renames are absent'}")
    for rule, applicability, src, dst in renames:
        if src in ckpt_keys and dst in model_keys and ckpt_keys[src]["shape"] != model_keys[dst]["shape"] \
                and rule == "CKL105":
            fails.add(where, f"CKL105 pairs {src!r} with {dst!r} of another shape")
        if FIX_APPLICABILITY.get(rule) and applicability != FIX_APPLICABILITY[rule]:
            fails.add(where, f"{rule} fix is {applicability!r}, expected {FIX_APPLICABILITY[rule]!r}")
    rename_rules = {r for r, _, _, _ in renames}
    if rename_rules - set(truth["expected_rules"]):
        fails.add(where, f"renames come from {sorted(rename_rules)}, expected {truth['expected_rules']}")

    # shapes and dtypes: by checkpoint key; through a rename only when it really differs
    def through_rename(attr):
        return {src for src, dst in rename_map.items()
                if src in ckpt_keys and dst in model_keys and ckpt_keys[src][attr] != model_keys[dst][attr]}

    c201 = set().union(*[finding_keys(f) for f in by_rule.get("CKL201", [])])
    want201, allowed201 = set(truth["size_mismatch"]), through_rename("shape")
    if not want201 <= c201 or not c201 <= want201 | allowed201:
        fails.add(where, f"CKL201 keys: extra [{show(c201 - want201 - allowed201)}], absent [{show(want201 - c201)}]")
    elif allowed201 - c201:
        print(f"note {where}: no CKL201 for the shape mismatches behind the rename ({show(allowed201 - c201)}); "
              f"allowed, not required")
    c202 = set().union(*[finding_keys(f) for f in by_rule.get("CKL202", [])])  # may be grouped
    want202, allowed202 = set(truth["dtype_mismatch"]), through_rename("dtype")
    if not want202 <= c202 or not c202 <= want202 | allowed202:
        fails.add(where, f"CKL202 keys: extra [{show(c202 - want202 - allowed202)}], absent [{show(want202 - c202)}]")
    has204 = bool(by_rule.get("CKL204"))
    if has204 != bool(truth["accelerator_locations"]):
        fails.add(where, f"CKL204 {'reported' if has204 else 'absent'}, storages saved on {truth['locations']}")

    # rules: the scenario's rules present, no other key rule without a reason
    for rule in truth["expected_rules"]:
        if rule not in by_rule:
            fails.add(where, f"expected a {rule} finding; got {sorted(by_rule)}")
    justified = set(truth["expected_rules"])
    justified |= {"CKL101"} if want101 else set()
    justified |= {"CKL102"} if unexpected - rename_from else set()
    justified |= {"CKL201"} if want201 or allowed201 else set()
    justified |= {"CKL202"} if want202 or allowed202 else set()
    for rule in by_rule:
        if rule in KEY_RULES and rule not in justified:
            fails.add(where, f"unexpected {rule} finding(s): {by_rule[rule][0].get('message', '')[:160]}")
    for f in findings:
        if f.get("rule") in KEY_RULES:
            want_level = RULE_LEVELS.get(f["rule"])
            if want_level and f.get("level") != want_level:
                fails.add(where, f"{f['rule']} level {f.get('level')!r}, expected {want_level!r}")
            if f.get("rule") != "CKL204" and (f.get("state_dict") or []) != truth["state_dict"]:
                fails.add(where, f"{f['rule']} state_dict {f.get('state_dict')!r}, expected {truth['state_dict']!r}")
        if f.get("level") not in ("error", "warning", "note"):
            fails.add(where, f"finding level {f.get('level')!r}")
        if f.get("rule") not in KEY_RULES:
            print(f"info {where}: also {f.get('rule')} ({f.get('level')}): {f.get('message', '')[:120]}")

    # exit code: 1 iff an error-level finding, and 1 iff torch's strict load fails
    any_error = any(f.get("level") == "error" for f in findings)
    if rc != (1 if any_error else 0):
        fails.add(where, f"exit code {rc} with{'' if any_error else 'out'} error-level findings")
    if rc != truth["expected_exit"]:
        fails.add(where, f"exit code {rc}, but strict load_state_dict {'fails' if truth['strict_load_fails'] else 'succeeds'}")
    return findings


# ---------------------------------------------------------------------------

def model_definitions(args, truth, workdir, fails):
    """{variant: {kind: path}} for the kinds available; notices for skipped kinds."""
    defs, torchscript_ok = {}, None
    for variant, info in truth["models"].items():
        files = {k: os.path.join(args.scenarios, v) for k, v in info["files"].items()}
        defs[variant] = {"reference": files["reference"]}
        spec_path = os.path.join(workdir, variant + ".spec.json")
        r = run([args.ckptlint, "spec", files["reference"]])
        if r.returncode == 0:
            with open(spec_path, "w") as f:
                f.write(r.stdout)
            defs[variant]["spec"] = spec_path
        else:
            fails.add(f"spec {variant}", f"`ckptlint spec {files['reference']}` exited {r.returncode}: "
                                         f"{(r.stderr or r.stdout).strip()[:300]}")
        reference_spec = json.loads(r.stdout) if r.returncode == 0 else None
        for kind in ("scripted", "traced"):
            if kind not in files:
                print(f"notice: no {kind} definition for {variant}: {info['notes'].get(kind)}")
                continue
            if torchscript_ok is False:
                continue
            t = run([args.ckptlint, "spec", files[kind]])
            if t.returncode == 2 and "plugin" in (t.stderr + t.stdout).lower():
                print(f"notice: TorchScript model definitions skipped, the LibTorch plugin is missing: "
                      f"{(t.stderr or t.stdout).strip()[:200]}")
                torchscript_ok = False
                continue
            if t.returncode != 0:
                fails.add(f"spec {variant}.{kind}", f"exited {t.returncode}: {(t.stderr or t.stdout).strip()[:300]}")
                continue
            torchscript_ok = True
            defs[variant][kind] = files[kind]
            if reference_spec is not None:  # the same entries from the TorchScript file
                def entries(spec):
                    return sorted(json.dumps({k: e.get(k) for k in ("key", "shape", "dtype")}, sort_keys=True)
                                  for e in spec.get("entries", []))
                if entries(json.loads(t.stdout)) != entries(reference_spec):
                    fails.add(f"spec {variant}.{kind}", "entries (key, shape, dtype) differ from the reference's")
    return defs


def sarif_agrees(where, sarif_text, findings, fails):
    try:
        sarif = json.loads(sarif_text)
        results = [(r.get("ruleId"), r.get("level", "warning")) for run_ in sarif["runs"] for r in run_.get("results", [])]
    except (ValueError, KeyError, TypeError) as e:
        fails.add(where, f"SARIF output is not a SARIF log: {e}")
        return
    mine = [(f.get("rule"), f.get("level")) for f in findings]
    if sorted(results) != sorted(mine):
        fails.add(where, f"SARIF results {sorted(set(results))} differ from JSON findings {sorted(set(mine))}")


def golden(args, truth, fails):
    os.makedirs(args.golden_dir, exist_ok=True)
    scen_dir = os.path.abspath(args.scenarios)
    for name in GOLDEN_SCENARIOS:
        if name not in truth["scenarios"]:
            continue
        t = truth["scenarios"][name]
        model = truth["models"][t["model_variant"]]["files"]["reference"]
        for fmt, ext in (("text", "txt"), ("json", "json")):
            # relative paths from the scenario directory, and any absolute one normalised
            r = run([args.ckptlint, "check", t["snapshot"], "--model", model, "--format", fmt], cwd=scen_dir)
            out = r.stdout.replace(scen_dir + os.sep, "").replace(scen_dir, ".")
            path = os.path.join(args.golden_dir, f"check_{name}.{ext}")
            where = f"golden {name}.{fmt}"
            if r.returncode not in (0, 1):
                fails.add(where, f"exit {r.returncode}: {r.stderr.strip()[:200]}")
                continue
            if args.update_golden:
                with open(path, "w") as f:
                    f.write(out)
                print(f"golden: wrote {path}")
                continue
            if not os.path.exists(path):
                fails.add(where, f"no golden file {path} (run with --update-golden)")
                continue
            with open(path) as f:
                want = f.read()
            same = json.loads(out) == json.loads(want) if fmt == "json" else out == want
            if not same:
                diff = "".join(difflib.unified_diff(want.splitlines(True), out.splitlines(True),
                                                    "golden", "now", n=2))
                fails.add(where, f"differs from {path}:\n{diff[:3000]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ckptlint", required=True)
    ap.add_argument("--scenarios", required=True, help="OUTDIR of make_scenarios.py")
    ap.add_argument("--validate-sarif", help="validate_sarif.py FILE... --schema S")
    ap.add_argument("--schema", help="SARIF 2.1.0 JSON schema for --validate-sarif")
    ap.add_argument("--golden-dir", default=DEFAULT_GOLDEN_DIR)
    ap.add_argument("--update-golden", action="store_true")
    ap.add_argument("--only", help="comma-separated scenario names")
    ap.add_argument("--workdir", help="scratch directory (default SCENARIOS/check-work)")
    args = ap.parse_args()
    args.ckptlint = os.path.abspath(args.ckptlint)  # the golden runs change directory

    with open(os.path.join(args.scenarios, "truth.json")) as f:
        truth = json.load(f)
    workdir = args.workdir or os.path.join(args.scenarios, "check-work")
    os.makedirs(os.path.join(workdir, "sarif"), exist_ok=True)
    fails = Failures()

    h = run([args.ckptlint, "check", "--help"])
    if h.returncode != 0:
        print(f"FAIL: `ckptlint check --help` exited {h.returncode}: {(h.stderr or h.stdout).strip()[:300]}")
        return 1
    if args.validate_sarif and not (args.schema and os.path.exists(args.validate_sarif)):
        print(f"FAIL: --validate-sarif {args.validate_sarif} needs an existing script, and --schema")
        return 1

    defs = model_definitions(args, truth, workdir, fails)
    names = args.only.split(",") if args.only else list(truth["scenarios"])
    sarif_files, runs = [], 0
    for name in names:
        t = truth["scenarios"][name]
        snapshot = os.path.join(args.scenarios, t["snapshot"])
        results = {}
        for kind in KINDS:
            model = defs[t["model_variant"]].get(kind)
            if model is None:
                continue
            where = f"{name} [{kind}]"
            # JSON on stdout and, in the same run, SARIF through --output (one LibTorch start-up)
            sarif_path = os.path.join(workdir, "sarif", f"{name}.{kind}.sarif")
            if os.path.exists(sarif_path):
                os.remove(sarif_path)
            r = run([args.ckptlint, "check", snapshot, "--model", model, "--format", "json",
                     "--output", "sarif:" + sarif_path])
            runs += 1
            try:
                doc = json.loads(r.stdout)
            except ValueError:
                fails.add(where, f"exit {r.returncode}, no JSON on stdout: {(r.stderr or r.stdout).strip()[:300]}")
                continue
            findings = check_findings(where, doc, r.returncode, t, fails)
            if findings is None:
                continue
            results[kind] = normalised(findings)
            if not os.path.exists(sarif_path):
                fails.add(where, f"--output sarif:{sarif_path} wrote nothing")
            else:
                sarif_files.append(sarif_path)
                with open(sarif_path) as f:
                    sarif_agrees(where + " --output sarif", f.read(), findings, fails)
            if kind == "reference":  # --format sarif on stdout, once per scenario
                s = run([args.ckptlint, "check", snapshot, "--model", model, "--format", "sarif"])
                if s.returncode != r.returncode:
                    fails.add(where, f"--format sarif exited {s.returncode}, --format json {r.returncode}")
                stdout_path = os.path.join(workdir, "sarif", f"{name}.stdout.sarif")
                with open(stdout_path, "w") as f:
                    f.write(s.stdout)
                sarif_files.append(stdout_path)
                sarif_agrees(where + " --format sarif", s.stdout, findings, fails)
        for kind, got in results.items():  # the same findings whatever defines the model
            if kind != "reference" and "reference" in results and got != results["reference"]:
                only_ref = set(results["reference"]) - set(got)
                only_kind = set(got) - set(results["reference"])
                fails.add(f"{name} [{kind}]", f"findings differ from the reference checkpoint's: "
                                              f"only with reference {sorted(only_ref)[:2]}, only here {sorted(only_kind)[:2]}")
        print(f"{'ok  ' if not any(i.startswith(name + ' [') for i in fails.items) else 'FAIL'} "
              f"{name}: {', '.join(results) or 'no kind ran'} -- {t['description']}", flush=True)

    # --fail-on levels (reference model definition)
    for name, cases in FAIL_ON_CASES.items():
        if name not in names:
            continue
        t = truth["scenarios"][name]
        model = defs[t["model_variant"]]["reference"]
        for level, want in cases.items():
            r = run([args.ckptlint, "check", os.path.join(args.scenarios, t["snapshot"]), "--model", model,
                     "--format", "json", "--fail-on", level])
            if r.returncode != want:
                fails.add(f"{name} --fail-on {level}", f"exit {r.returncode}, expected {want}")

    if args.validate_sarif and sarif_files:
        v = run([sys.executable, args.validate_sarif, *sarif_files, "--schema", args.schema])
        if v.returncode == 77:  # validate_sarif.py: the schema file is missing
            print(f"notice: SARIF schema validation skipped: {(v.stdout + v.stderr).strip()[:200]}")
        elif v.returncode != 0:
            fails.add("sarif", f"{args.validate_sarif} exited {v.returncode}: {(v.stdout + v.stderr).strip()[-2000:]}")
        else:
            print(f"ok   SARIF of {len(sarif_files)} runs validates against {args.schema}")
    elif not args.validate_sarif:
        print("notice: SARIF schema validation not requested (--validate-sarif)")

    if not args.only:
        golden(args, truth, fails)

    print(f"\n{runs} check runs over {len(names)} scenarios; {len(fails.items)} failure(s)")
    return 1 if fails.items else 0


if __name__ == "__main__":
    sys.exit(main())
