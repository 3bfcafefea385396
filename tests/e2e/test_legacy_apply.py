#!/usr/bin/python3
"""`ckptlint check --apply` on legacy (pre-1.6, non-zip) torch.save files, judged by Debian's torch.

Usage: test_legacy_apply.py --ckptlint BIN --workdir DIR

A legacy file is not patched in place: --apply writes the zip format with the key edits applied
(torch-format.md §8.3 rule 9). Cases, all written here by torch 1.13 with
`_use_new_zipfile_serialization=False` (or legacy_tools.py for storage views):
  * a DataParallel state dict (module. prefixes) fixed against the plain model: the output is a
    zip, loads with weights_only=True and strictly into the model, every tensor bit-identical
    to the legacy original (dtype, shape, stride, offset, storage sharing), the notes say the
    format changed;
  * a nested snapshot {'model': DataParallel state dict, 'optimizer': ..., 'epoch': ...}: the
    other entries come back equal;
  * a file whose storages carry legacy view metadata: refused, exit 2, the file unchanged.
"""
import hashlib
import io
import json
import os
import shutil
import sys
import warnings
import zipfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "fixtures"))

from cli_harness import binary_and_workdir, check as record, finish, run  # noqa: E402
import legacy_tools  # noqa: E402


def check(name, condition, detail=""):
    """cli_harness.check that also returns the condition."""
    record(name, bool(condition), detail)
    return bool(condition)

warnings.simplefilter("ignore")


def model():
    """A small net with BatchNorm (module versions in _metadata) and two tied weights (one storage)."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                              torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 6), torch.nn.Linear(6, 6),
                              torch.nn.Linear(6, 6))
    net[6].weight = net[5].weight
    return net


def save_legacy(obj, path):
    torch.save(obj, path, _use_new_zipfile_serialization=False)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def ckptlint_json(binary, *argv):
    rc, out, err = run(binary, "check", *argv, "--format", "json")
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, err


def same_tensor(a, b):
    return (a.dtype == b.dtype and a.shape == b.shape and a.stride() == b.stride()
            and a.storage_offset() == b.storage_offset() and a.device == b.device
            and torch.equal(a.view(torch.uint8) if a.dim() else a, b.view(torch.uint8) if b.dim() else b))


def same_value(a, b):
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and same_tensor(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    return a == b


def sharing(state_dict):
    """Which keys share a storage, as groups of keys (storage identity by data pointer)."""
    groups = {}
    for key, tensor in state_dict.items():
        groups.setdefault(tensor.storage().data_ptr(), []).append(key)
    return sorted(sorted(g) for g in groups.values())


def apply(ckptlint, workdir, name, snapshot_obj, reference):
    """Saves `snapshot_obj` in the legacy format, runs --apply; returns (path, original, fixed, fix)."""
    folder = os.path.join(workdir, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    path = os.path.join(folder, "snapshot.pt")
    save_legacy(snapshot_obj, path)
    original_sha = sha256(path)
    where = f"legacy apply {name}"
    rc, doc, err = ckptlint_json(ckptlint, path, "--model", reference, "--apply")
    if not check(f"{where}: JSON report", doc is not None, f"exit {rc}: {err.strip()[:300]}"):
        return None
    fix = doc["files"][0].get("fix") or {}
    check(f"{where}: written in place with a backup", fix.get("written") == path and fix.get("error") is None
          and fix.get("backup") == path + ".bak", json.dumps(fix)[:400])
    check(f"{where}: the notes say the format changed",
          any("legacy file written in the zip format" in n for n in fix.get("notes", [])), fix.get("notes"))
    check(f"{where}: renames planned", fix.get("edits") and all(e["op"] == "rename-key" for e in fix["edits"]),
          fix.get("edits"))
    if not os.path.exists(path + ".bak"):
        return None
    check(f"{where}: the backup is the legacy original", sha256(path + ".bak") == original_sha)
    check(f"{where}: the backup is not a zip, the output is", not zipfile.is_zipfile(path + ".bak")
          and zipfile.is_zipfile(path))
    rc2, doc2, err2 = ckptlint_json(ckptlint, path, "--model", reference)
    rules = {f["rule"] for f in doc2["files"][0]["findings"]} if doc2 else {"?"}
    check(f"{where}: a new check reads it, no key findings",
          doc2 is not None and not rules & {"CKL103", "CKL104", "CKL105", "CKL001"}, f"exit {rc2}: {sorted(rules)} {err2[:200]}")
    # weights_only where torch 1.13 allows it for the original (its unpickler lacks BINFLOAT, so
    # an optimizer's lr=0.1 needs the full one).
    try:
        original = torch.load(path + ".bak", map_location="cpu", weights_only=True)
        weights_only = True
    except Exception:  # noqa: BLE001
        original, weights_only = torch.load(path + ".bak", map_location="cpu"), False
    try:
        fixed = torch.load(path, map_location="cpu", weights_only=weights_only)
    except Exception as e:  # noqa: BLE001
        check(f"{where}: torch.load(weights_only={weights_only}) of the output", False, f"{type(e).__name__}: {e}")
        return None
    check(f"{where}: torch.load(weights_only={weights_only}) of the output", True)
    return original, fixed


def strip(state_dict):
    return {k[len("module."):]: v for k, v in state_dict.items()}


def check_state_dict(where, old_sd, new_sd):
    check(f"{where}: keys are the originals without module., in order", list(new_sd) == list(strip(old_sd)),
          (list(new_sd)[:3], list(old_sd)[:3]))
    differing = [k for k, v in strip(old_sd).items() if k not in new_sd or not same_tensor(v, new_sd[k])]
    check(f"{where}: every tensor bit-identical (dtype, shape, stride, offset)", not differing, differing[:3])
    check(f"{where}: storage sharing kept", sharing(strip(old_sd)) == sharing(new_sd))
    check(f"{where}: _metadata follows the keys",
          getattr(new_sd, "_metadata", None) == {k[len("module."):] if k.startswith("module.") else
                                                  ("" if k == "module" else k): v
                                                  for k, v in getattr(old_sd, "_metadata", {}).items() if k != ""},
          getattr(new_sd, "_metadata", None))
    net = model()
    try:
        net.load_state_dict(new_sd, strict=True)
        error = ""
    except RuntimeError as e:
        error = str(e)
    check(f"{where}: load_state_dict(strict=True) into the plain model", not error, error[:300])


def main():
    ckptlint, workdir = binary_and_workdir(description=__doc__.splitlines()[0])
    reference = os.path.join(workdir, "model.ref.pt")
    torch.save(model().state_dict(), reference)

    trained = model()
    trained(torch.randn(2, 3, 8, 8))  # BatchNorm running stats move off their initial values
    dp_state = torch.nn.DataParallel(trained).state_dict()
    result = apply(ckptlint, workdir, "dataparallel", dp_state, reference)
    if result:
        check_state_dict("legacy apply dataparallel", *result)

    optimizer = torch.optim.SGD(trained.parameters(), lr=0.1, momentum=0.9)
    trained(torch.randn(2, 3, 8, 8)).sum().backward()
    optimizer.step()
    snapshot = {"model": torch.nn.DataParallel(trained).state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": 3, "note": "nested"}
    result = apply(ckptlint, workdir, "nested_snapshot", snapshot, reference)
    if result:
        original, fixed = result
        check_state_dict("legacy apply nested_snapshot", original["model"], fixed["model"])
        rest_equal = all(same_value(original[k], fixed[k]) for k in ("optimizer", "epoch", "note"))
        check("legacy apply nested_snapshot: optimizer and other entries equal", rest_equal
              and list(original) == list(fixed))

    # A dropped key (--unsafe-fixes, -o OUT): its storage is left out of the zip.
    folder = os.path.join(workdir, "dropped_key")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    path, out = os.path.join(folder, "snapshot.pt"), os.path.join(folder, "fixed.pt")
    kept = torch.arange(3, dtype=torch.float64)
    save_legacy({"module.a": kept, "module.extra": torch.ones(4)}, path)
    drop_ref = os.path.join(workdir, "drop.ref.pt")
    torch.save({"a": torch.zeros(3, dtype=torch.float64)}, drop_ref)
    rc, doc, err = ckptlint_json(ckptlint, path, "--model", drop_ref, "--apply", "--unsafe-fixes", "-o", out)
    fix = (doc or {"files": [{}]})["files"][0].get("fix") or {}
    check("legacy apply dropped_key: written to -o", fix.get("written") == out and fix.get("error") is None,
          f"exit {rc}: {err.strip()[:300]}")
    if os.path.exists(out):
        names = zipfile.ZipFile(out).namelist()
        check("legacy apply dropped_key: one storage record, the dropped key's left out",
              sorted(n for n in names if "/data/" in n) == ["archive/data/" + legacy_tools.storage_key(kept)], names)
        fixed = torch.load(out, weights_only=True)
        check("legacy apply dropped_key: torch loads only the kept key, bit-identical",
              list(fixed) == ["a"] and same_tensor(fixed["a"], kept), list(fixed))

    # Storage views (view_metadata set): the zip format has none; refused, file untouched.
    folder = os.path.join(workdir, "storage_view")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    path = os.path.join(folder, "snapshot.pt")
    base = torch.arange(10, dtype=torch.float32)  # as make_fixtures.py's legacy_storage_view.pt
    with open(path, "wb") as f:
        f.write(legacy_tools.write_legacy({"module.v": base[2:5]},
                                          views={legacy_tools.storage_key(base): ("view-1", 4, 5)}))
    torch.load(path)  # torch reads it
    view_sha = sha256(path)
    view_ref = os.path.join(workdir, "view.ref.pt")
    torch.save({"v": torch.zeros(3)}, view_ref)
    rc, out, err = run(ckptlint, "check", path, "--model", view_ref, "--apply")
    check("legacy apply storage_view: refused with exit 2", rc == 2, f"exit {rc}: {err.strip()[:300]}")
    check("legacy apply storage_view: one clear error line",
          "storage view" in err and "not rewritten" in err, err.strip()[:300])
    check("legacy apply storage_view: the file is unchanged, nothing left beside it",
          sha256(path) == view_sha and sorted(os.listdir(folder)) == ["snapshot.pt"], os.listdir(folder))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
