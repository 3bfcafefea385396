#!/usr/bin/python3
"""TorchScript archives (torch.jit.save) as snapshots, read statically, against real torch.

Usage: test_torchscript_snapshots.py --ckptlint BIN --fixtures DIR --workdir DIR [--plugin SO]

- `check` on each archive is clean (its __torch__ classes are not unsafe globals: LibTorch's
  unpickler resolves them to the archive's own TorchScript classes);
- checked against the eager model it came from, ckptlint's missing/unexpected keys are exactly
  those of `model.load_state_dict(torch.jit.load(f).state_dict(), strict=False)` (the
  non-persistent buffer torch.jit.load's state_dict() lists is unexpected to the eager model);
- with the LibTorch plugin, the static listing (keys, shapes, dtypes, parameter or buffer)
  equals what LibTorch loads (`ckptlint spec` of the same archive);
- an archive whose class source is missing is unreadable (CKL001), as torch.jit.load fails on
  it; an archive whose data.pkl calls os.system is CKL301.
"""
import argparse
import io
import json
import os
import sys
import zipfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from cli_harness import check, finish, run  # noqa: E402
from make_fixtures import ScriptedNet, SmallNet  # noqa: E402

ARCHIVES = {"torchscript_scripted.pt": ScriptedNet, "torchscript_traced.pt": ScriptedNet,
            "torchscript_half.pt": lambda: SmallNet().half()}


def static_listing(binary, path):
    code, out, err = run(binary, "inspect", "--format", "json", "--state-dict", "[]", path)
    if code != 0:
        return None, err
    return [{"key": t["path"][0], "shape": t["shape"], "dtype": t["dtype"],
             "kind": "parameter" if t["parameter"] else "buffer"} for t in json.loads(out)["tensors"]], ""


def findings_of(binary, *args):
    code, out, err = run(binary, "check", "--format", "json", *args)
    try:
        return code, json.loads(out)["files"][0]["findings"], err
    except (ValueError, KeyError, IndexError):
        return code, [], err


def keys_of(findings, rule):
    keys = set()
    for finding in findings:
        if finding["rule"] == rule:
            keys.update(finding.get("keys") or [])
            if finding.get("key"):
                keys.add(finding["key"])
    return keys


def check_against_eager_model(binary, path, make_model, workdir):
    model = make_model()
    reference = os.path.join(workdir, os.path.basename(path) + ".eager_state_dict.pt")
    torch.save(model.state_dict(), reference)
    result = model.load_state_dict(torch.jit.load(path).state_dict(), strict=False)
    code, findings, err = findings_of(binary, path, "--model", reference)
    got = (keys_of(findings, "CKL101"), keys_of(findings, "CKL102"))
    want = (set(result.missing_keys), set(result.unexpected_keys))
    check(f"{os.path.basename(path)} vs its eager model: missing/unexpected keys as load_state_dict says {want}",
          got == want and code in (0, 1), f"got {got}, exit {code} {err[:200]}")


def rezip(path, drop=None, replace=None):
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            if drop and info.filename.endswith(drop):
                continue
            data = src.read(info)
            for suffix, new in (replace or {}).items():
                if info.filename.endswith(suffix):
                    data = new
            dst.writestr(info.filename, data)
    return out.getvalue()


def torch_jit_loads(path):
    try:
        torch.jit.load(path)
        return True
    except Exception:  # RuntimeError from LibTorch
        return False


def check_hostile(binary, source, workdir):
    missing = os.path.join(workdir, "ts_missing_class_source.pt")
    with open(missing, "wb") as f:
        f.write(rezip(source, drop="code/__torch__/torch/nn/modules/batchnorm.py"))
    code, findings, err = findings_of(binary, missing)
    check("a class source missing: torch.jit.load fails, ckptlint says CKL001 naming the record",
          not torch_jit_loads(missing) and code == 2 and any(
              f["rule"] == "CKL001" and "batchnorm.py" in f["message"] for f in findings), (code, findings, err))

    payload = b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R."
    for record in ("/constants.pkl", "/data.pkl"):
        evil = os.path.join(workdir, f"ts_{record[1:-4]}_os_system.pt")
        with open(evil, "wb") as f:
            f.write(rezip(source, replace={record: payload}))
        code, findings, err = findings_of(binary, evil)
        rules = {f["rule"] for f in findings}
        # a data.pkl without a module tree is unreadable as a snapshot: CKL001 fails closed too
        expected = {"CKL301"} if record == "/constants.pkl" else {"CKL301", "CKL001"}
        check(f"{record[1:]} of a TorchScript archive calling os.system: {' or '.join(sorted(expected))}",
              code in (1, 2) and rules & expected, (code, sorted(rules), err))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ckptlint", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--plugin", help="the LibTorch plugin; without it the comparison with LibTorch is skipped")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    for name, make_model in ARCHIVES.items():
        path = os.path.join(args.fixtures, name)
        code, findings, err = findings_of(args.ckptlint, path)
        check(f"{name}: check is clean", code == 0 and not findings, (code, findings, err))
        check_against_eager_model(args.ckptlint, path, make_model, args.workdir)
        if not args.plugin:
            print(f"skip {name}: LibTorch comparison (no --plugin)")
            continue
        listing, err = static_listing(args.ckptlint, path)
        code, out, spec_err = run(args.ckptlint, "spec", path)
        libtorch = [{k: e[k] for k in ("key", "shape", "dtype", "kind")} for e in json.loads(out)["entries"]] \
            if code == 0 else None
        check(f"{name}: the static listing equals LibTorch's (ckptlint spec through the plugin)",
              listing is not None and libtorch is not None and
              sorted(listing, key=lambda e: e["key"]) == sorted(libtorch, key=lambda e: e["key"]),
              f"static {listing} {err}\n      libtorch {libtorch} {spec_err}")
    check_hostile(args.ckptlint, os.path.join(args.fixtures, "torchscript_scripted.pt"), args.workdir)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
