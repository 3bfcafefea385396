#!/usr/bin/python3
"""The config file (.ckptlint.cfg) and `ckptlint config show`, on real checkpoints from torch.

Usage: test_config.py --ckptlint BIN --workdir DIR   (Debian's /usr/bin/python3, python3-torch)

A small model (conv + BatchNorm + linear) is saved as a reference and frozen as a spec in a
project folder; variants of its state dict are checked with config files in and above the
folder the check runs in:
- discovery: the nearest .ckptlint.cfg from the current folder up wins (files are not merged),
  --config FILE replaces discovery, --isolated reads none, --config with --isolated is refused;
- relative paths in a file (model) are relative to the file's folder, whatever the current one;
- the command line wins key by key (a CLI --select replaces the file's select);
- errors, exit 2 with FILE:LINE: an unknown key (with "did you mean"), a key only the command
  line may give (apply), a one-value key given twice, a bad level, an unknown rule, a bad regex;
- [level] CKL202 = error turns an fp16 checkpoint's dtype warning into exit 1;
- benign-key = *.num_batches_tracked hides BatchNorm counters missing from a checkpoint;
- rename = REGEX -> REPLACEMENT gives CKL106 with an unsafe fix; --apply --unsafe-fixes applies
  it and torch then loads the result strictly, tensors bit-identical;
- config show prints every setting with its origin (FILE:LINE, command line, default).
"""
import collections
import json
import os
import shutil
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_harness import binary_and_workdir, check, finish, run  # noqa: E402


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
        self.head = nn.Linear(4, 2)


def renamed_copy(state_dict, rename):
    """The state dict with every key (and _metadata prefix) passed through `rename`."""
    out = collections.OrderedDict((rename(k), v) for k, v in state_dict.items())
    out._metadata = collections.OrderedDict((rename(k), v) for k, v in state_dict._metadata.items())
    return out


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def config_file_above(folder):
    """Whether a .ckptlint.cfg exists in `folder` or a folder above it."""
    while True:
        if os.path.lexists(os.path.join(folder, ".ckptlint.cfg")):
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


def findings(stdout):
    """(rule, level) of each finding of a JSON report."""
    report = json.loads(stdout)
    return [(f["rule"], f["level"]) for file in report["files"] for f in file["findings"]]


def main():
    binary, workdir = binary_and_workdir()
    binary, workdir = os.path.abspath(binary), os.path.abspath(workdir)  # runs happen in other folders
    shutil.rmtree(workdir)
    torch.manual_seed(0)
    net = Net()
    proj = os.path.join(workdir, "proj")
    deep = os.path.join(proj, "sub", "deeper")
    os.makedirs(deep)
    os.makedirs(os.path.join(proj, "models"))
    plain = os.path.join(workdir, "plain.pt")
    torch.save(net.state_dict(), plain)
    spec = os.path.join(proj, "models", "model.spec.json")
    code, _, err = run(binary, "spec", plain, "-o", spec)
    assert code == 0, err

    half = os.path.join(workdir, "half.pt")  # every float tensor fp16: CKL202 (warning)
    torch.save(Net().half().state_dict(), half)
    no_counters = os.path.join(workdir, "no_counters.pt")  # BatchNorm v2 without num_batches_tracked
    sd = net.state_dict()
    for key in [k for k in sd if k.endswith("num_batches_tracked")]:
        del sd[key]
    torch.save(sd, no_counters)
    renamed = os.path.join(workdir, "renamed.pt")  # saved before encoder was called backbone
    torch.save(renamed_copy(net.state_dict(), lambda k: "backbone." + k[8:] if k.startswith("encoder.") else k), renamed)

    # --- discovery and relative paths ----------------------------------------------------
    top_cfg = os.path.join(proj, ".ckptlint.cfg")
    write(top_cfg, "# project settings\nmodel = models/model.spec.json\n\n[level]\nCKL202 = error\n")
    code, out, err = run(binary, "check", half, "--format", "json", cwd=deep)
    check("discovery: the project's file two folders up is read (model relative to it, CKL202 made an error)",
          code == 1 and ("CKL202", "error") in findings(out), f"{code} {out} {err}")
    code, out, err = run(binary, "check", half, "--format", "sarif", cwd=deep)
    results = json.loads(out)["runs"][0]["results"] if code == 1 else []
    check("SARIF: the overridden level is the result's level (the rule's default stays warning)",
          [(r["ruleId"], r["level"]) for r in results] == [("CKL202", "error")], f"{code} {out[:300]} {err}")
    code, out, err = run(binary, "check", half, "--format", "json", "--isolated", cwd=deep)
    check("--isolated: no config file, no model, nothing to report", code == 0 and findings(out) == [],
          f"{code} {out} {err}")
    if config_file_above(workdir):
        print("SKIP no config file above the current folder: this machine has one above " + workdir)
    else:
        code, out, err = run(binary, "check", half, "--format", "json", cwd=workdir)
        check("no config file above the current folder: defaults", code == 0 and findings(out) == [],
              f"{code} {out} {err}")

    sub_cfg = os.path.join(proj, "sub", ".ckptlint.cfg")
    write(sub_cfg, "model = ../models/model.spec.json\n")
    code, out, err = run(binary, "check", half, "--format", "json", cwd=deep)
    check("the nearest file wins, and is not merged with the one above (CKL202 stays a warning)",
          code == 0 and findings(out) == [("CKL202", "warning")], f"{code} {out} {err}")
    code, out, err = run(binary, "check", half, "--format", "json", "--config", top_cfg, cwd=deep)
    check("--config FILE replaces discovery", code == 1 and ("CKL202", "error") in findings(out), f"{code} {out} {err}")
    code, _, err = run(binary, "check", half, "--config", os.path.join(workdir, "absent.cfg"))
    check("--config naming a missing file: exit 2", code == 2 and "absent.cfg: cannot read the config file" in err, err)
    code, _, err = run(binary, "check", half, "--config", top_cfg, "--isolated")
    check("--config with --isolated: exit 2", code == 2 and "exclude each other" in err, err)

    # --- a bad model path in a file names the file and line, not an option never typed ------
    bad_cfg = os.path.join(workdir, "bad_model.cfg")
    write(bad_cfg, "# a typo in the path\nmodel = models/missing.spec.json\n")
    code, _, err = run(binary, "check", half, "--config", bad_cfg)
    check("a model path from a config file that cannot be read: exit 2 naming FILE:LINE",
          code == 2 and f"{bad_cfg}:2: model: " in err and "--model" not in err, f"{code} {err}")
    code, _, err = run(binary, "check", half, "--config", bad_cfg, "--model", os.path.join(workdir, "nope.json"))
    check("... and the command line's value is named as --model", code == 2 and "--model: " in err, f"{code} {err}")
    os.remove(bad_cfg)

    # --- a discovered file someone else could have planted is not read -----------------------
    planted_dir = os.path.join(workdir, "shared_tmp", "work")
    os.makedirs(planted_dir)
    planted = os.path.join(workdir, "shared_tmp", ".ckptlint.cfg")
    write(planted, f"model = {spec}\n[level]\nCKL202 = error\n")
    os.chmod(planted, 0o666)
    code, out, err = run(binary, "check", half, "--format", "json", cwd=planted_dir)
    check("a world-writable file found by discovery is ignored, with a warning naming it",
          code == 0 and findings(out) == [] and "ignoring " + planted in err and "writable by every user" in err,
          f"{code} {out} {err}")
    code, out, err = run(binary, "check", half, "--format", "json", "--config", planted, cwd=planted_dir)
    check("... and read when named with --config", code == 1 and ("CKL202", "error") in findings(out), f"{code} {out} {err}")
    if os.geteuid() == 0:
        os.chmod(planted, 0o644)
        os.chown(planted, 65534, 65534)  # another user's file (nobody)
        code, out, err = run(binary, "check", half, "--format", "json", cwd=planted_dir)
        check("a file owned by another user is ignored, with a warning",
              code == 0 and findings(out) == [] and "owned by another user" in err, f"{code} {out} {err}")
    else:
        print("notice: not root, the other-owner case needs chown; the world-writable case covers the check")
    shutil.rmtree(os.path.join(workdir, "shared_tmp"))

    # --- the command line wins, key by key -------------------------------------------------
    write(sub_cfg, "model = ../models/model.spec.json\nselect = CKL1\nfail-on = warning\n")
    code, out, err = run(binary, "check", half, "--format", "json", cwd=deep)
    check("the file's select (CKL1) leaves CKL202 out", code == 0 and findings(out) == [], f"{code} {out} {err}")
    code, out, err = run(binary, "check", half, "--format", "json", "--select", "CKL2", cwd=deep)
    check("a CLI --select replaces the file's select; the file's fail-on = warning still applies",
          code == 1 and findings(out) == [("CKL202", "warning")], f"{code} {out} {err}")

    code, out, err = run(binary, "config", "show", "--select", "CKL2", cwd=deep)
    lines = out.splitlines()
    check("config show: the file it read", lines[:1] == [f"# config file: {sub_cfg} (the nearest .ckptlint.cfg to {deep})"],
          out)
    check("config show: a path from the file, resolved against its folder, with FILE:LINE",
          f"model = {spec}  # {sub_cfg}:1" in lines, out)
    check("config show: the command line's value, not the file's", "select = CKL2  # command line" in lines
          and not any(line.startswith("select = CKL1") for line in lines), out)
    check("config show: file value and defaults", f"fail-on = warning  # {sub_cfg}:3" in lines
          and "format = text  # default" in lines and "check-values = false  # default" in lines
          and "# state-dict is not set" in lines, out)
    code, out, err = run(binary, "config", "show", "--json", "--isolated", cwd=deep)
    shown = json.loads(out) if code == 0 else {}
    check("config show --json --isolated: no file, defaults only",
          code == 0 and shown["config_file"] is None
          and {s["origin"] for s in shown["settings"]} == {"default"}
          and {"key": "fail-on", "value": "error", "origin": "default"} in shown["settings"], f"{code} {out} {err}")

    # --- errors, with FILE:LINE ------------------------------------------------------------
    bad = os.path.join(workdir, "bad.cfg")
    for name, text, expected in [
        ("unknown key, with a suggestion", "# x\nslect = CKL1\n", f"ckptlint: error: {bad}:2: unknown key 'slect'; did you mean 'select'?"),
        ("unknown section, with a suggestion", "[levle]\nCKL202 = error\n", f"ckptlint: error: {bad}:2: unknown section 'levle'; did you mean 'level'?"),
        ("a key only the command line may give", "apply = true\n", f"ckptlint: error: {bad}:1: 'apply' cannot be set in a config file"),
        ("a one-value key twice", "fail-on = note\n\nfail-on = error\n", f"ckptlint: error: {bad}:3: 'fail-on' is already set on line 1"),
        ("an unknown level", "[level]\nCKL202 = fatal\n", f"ckptlint: error: {bad}:2: unknown level 'fatal' for CKL202"),
        ("an unknown rule in [level]", "[level]\nCKL20 = error\n", f"ckptlint: error: {bad}:2: level of an unknown rule 'CKL20'; did you mean"),
        ("CKL001 cannot be lowered", "[level]\nCKL001 = note\n", f"ckptlint: error: {bad}:2: the level of CKL001 cannot be changed"),
        ("an invalid regex", "rename = ^(backbone -> encoder\n", f"ckptlint: error: {bad}:1: invalid regex '^(backbone'"),
        ("a switch that is not true or false", "check-values = maybe\n", f"ckptlint: error: {bad}:1: 'check-values' is a switch"),
        ("a line that is no key = value", "select CKL1\n", f"ckptlint: error: {bad}:1: expected 'key = value'"),
        ("a value of the wrong type", "jobs = many\n", f"ckptlint: error: {bad}:1: "),
    ]:
        write(bad, text)
        code, out, err = run(binary, "check", half, "--config", bad)
        check(f"config error: {name}: exit 2, one line", code == 2 and err.startswith(expected) and err.count("\n") == 1
              and out == "", f"{code} {err!r}")

    # --- per-rule levels, benign keys, rename rules ----------------------------------------
    cfg = os.path.join(workdir, "rules.cfg")
    write(cfg, f"model = {spec}\n")
    code, out, err = run(binary, "check", no_counters, "--config", cfg, "--format", "json")
    check("BatchNorm counters missing (version 2 _metadata): CKL101, exit 1",
          code == 1 and ("CKL101", "error") in findings(out), f"{code} {out} {err}")
    write(cfg, f"model = {spec}\nbenign-key = *.num_batches_tracked\n")
    code, out, err = run(binary, "check", no_counters, "--config", cfg, "--format", "json")
    check("benign-key = *.num_batches_tracked: clean", code == 0 and findings(out) == [], f"{code} {out} {err}")
    code, out, err = run(binary, "check", no_counters, "--config", cfg, "--level", "CKL101=note", "--benign-key", "x")
    check("a CLI --benign-key replaces the file's; a CLI --level applies: exit 0, CKL101 as a note",
          code == 0 and "note CKL101" in out, f"{code} {out} {err}")

    code, out, err = run(binary, "check", renamed, "--config", cfg, "--format", "json")
    check("without a rename rule the renamed module is a guess (CKL105)",
          code == 1 and [r for r, _ in findings(out)] == ["CKL105"], f"{code} {out} {err}")
    write(cfg, f"model = {spec}\nrename = ^backbone\\. -> encoder.\n")
    code, out, err = run(binary, "check", renamed, "--config", cfg, "--format", "json")
    report = json.loads(out) if out else {"files": [{"findings": []}]}
    found = report["files"][0]["findings"]
    check("rename rule: one CKL106 finding (no CKL101/102/105) with an unsafe fix of every backbone key",
          code == 1 and [f["rule"] for f in found] == ["CKL106"]
          and found[0]["fixes"][0]["applicability"] == "unsafe"
          and sorted(e["to"] for e in found[0]["fixes"][0]["edits"]) == sorted(k for k in net.state_dict() if k.startswith("encoder.")),
          f"{code} {out} {err}")
    fixed = os.path.join(workdir, "fixed.pt")
    code, out, err = run(binary, "check", renamed, "--config", cfg, "--apply", "-o", fixed)
    check("--apply without --unsafe-fixes leaves the configured renames alone", code == 1 and not os.path.exists(fixed),
          f"{code} {out} {err}")
    code, out, err = run(binary, "check", renamed, "--config", cfg, "--apply", "--unsafe-fixes", "-o", fixed)
    check("--apply --unsafe-fixes applies the configured renames (exit 0)", code == 0 and os.path.exists(fixed),
          f"{code} {out} {err}")
    if os.path.exists(fixed):
        loaded = torch.load(fixed, weights_only=True)
        target = Net()
        result = target.load_state_dict(loaded, strict=True)
        original = net.state_dict()
        check("torch loads the renamed file strictly, every tensor bit-identical",
              not result.missing_keys and not result.unexpected_keys and list(loaded) == list(original)
              and all(torch.equal(loaded[k], original[k]) and loaded[k].dtype == original[k].dtype for k in original),
              str(result))
    write(cfg, f"model = {spec}\nrename = ^backbone\\.\\d+\\. -> head.\n")  # onto keys that exist: refused
    code, out, err = run(binary, "check", renamed, "--config", cfg, "--format", "json")
    check("a rename rule onto keys that exist is refused with a warning, no fix",
          code == 1 and ("CKL106", "warning") in findings(out)
          and all(not f["fixes"] for f in json.loads(out)["files"][0]["findings"] if f["rule"] == "CKL106"),
          f"{code} {out} {err}")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
