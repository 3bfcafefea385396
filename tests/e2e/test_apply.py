#!/usr/bin/python3
"""`ckptlint check --apply / --diff` on the scenario matrix, judged by real PyTorch.

Usage: test_apply.py --ckptlint BIN --scenarios DIR --workdir DIR
Run with Debian's interpreter (python3-torch 1.13); DIR is make_scenarios.py's output.

For every fixable scenario (truth.json names the renames a correct fix makes), a copy of the
snapshot is fixed in place with `--apply` (plus `--unsafe-fixes` where the fix is CKL105's), and
then torch judges the result: torch.load(weights_only=True) where the original allowed it, the
state dict's keys are exactly the expected renames of the original's, every tensor is
bit-identical (torch.equal, dtype, shape, stride, storage offset), everything outside the state
dict compares equal, the model built by the scenario loads it with strict=True (or, with a head
of another size, fails only on sizes), and `ckptlint check` of the result no longer reports the
fixed rules. The backup is the original, byte for byte.

Then the ways it must not write: --diff (no byte changes, no new file), an existing backup, an
existing -o OUT without --force, an unwritable destination, option combinations that make no
sense, one file named twice (or through a link), -o naming the input itself, the N-th write
failing (CKPTLINT_FAIL_WRITE_AT=N for the first, second, a middle and the last write) and a
verification failure (CKPTLINT_TEST_SKIP_EDIT: the writer is handed the plan without its last
edit): exit 2, the original byte-identical, no temporary or backup left behind.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "fixtures"))

from cli_harness import check as record, finish, run  # noqa: E402
from make_scenarios import MODEL_VARIANTS, at_path  # noqa: E402
from zip_records import flip_first_byte  # noqa: E402

FIX_RULES = ("CKL103", "CKL104", "CKL105")


def check(name, condition, detail=""):
    """cli_harness.check that also returns the condition."""
    record(name, bool(condition), detail)
    return bool(condition)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def listing(folder):
    return sorted(os.listdir(folder))


def fresh_copy(args, scenario, name):
    """A folder of its own holding only a copy of the scenario's snapshot; returns the copy's path."""
    folder = os.path.join(args.workdir, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    target = os.path.join(folder, os.path.basename(scenario["snapshot"]))
    shutil.copyfile(os.path.join(args.scenarios, scenario["snapshot"]), target)
    return target


def load(path, weights_only):
    return torch.load(path, map_location="cpu", weights_only=weights_only)


def same_value(a, b):
    """Deep equality with tensors compared bit for bit."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and same_tensor(a, b)
    if isinstance(a, dict):
        return (isinstance(b, dict) and list(a) == list(b) and all(same_value(a[k], b[k]) for k in a)
                and same_value(getattr(a, "_metadata", None), getattr(b, "_metadata", None)))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def same_tensor(a, b):
    return (a.dtype == b.dtype and a.shape == b.shape and a.stride() == b.stride()
            and a.storage_offset() == b.storage_offset() and a.requires_grad == b.requires_grad
            and torch.equal(a, b))


def without(obj, path):
    """obj with the value at `path` replaced by a marker (to compare everything else)."""
    if not path:
        return "<state dict>"
    copy = dict(obj) if isinstance(obj, dict) else list(obj)
    copy[path[0]] = without(obj[path[0]], path[1:])
    return copy


def ckptlint_json(args, *argv, env=None):
    rc, out, err = run(args.ckptlint, "check", *argv, "--format", "json", env=env)
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, err


def fixable(truth):
    return {name: t for name, t in truth["scenarios"].items() if t["expected_renames"]}


# ---------------------------------------------------------------------------

def apply_scenario(args, name, t, model):
    where = f"apply {name}"
    path = fresh_copy(args, t, name)
    original_sha = sha256(path)
    os.chmod(path, 0o640)
    unsafe = ["--unsafe-fixes"] if "CKL105" in t["expected_rules"] else []
    rc, doc, err = ckptlint_json(args, path, "--model", model, "--apply", *unsafe)
    if not check(f"{where}: JSON report", doc is not None, f"exit {rc}: {err.strip()[:300]}"):
        return
    fix = doc["files"][0].get("fix") or {}
    check(f"{where}: wrote in place with a backup",
          fix.get("written") == path and fix.get("backup") == path + ".bak" and fix.get("error") is None,
          f"exit {rc}, fix {json.dumps({k: fix.get(k) for k in ('written', 'backup', 'error')})}")
    renames = {e["from"]: e["to"] for e in fix.get("edits", []) if e["op"] == "rename-key"}
    check(f"{where}: the planned renames are the expected ones", renames == t["expected_renames"]
          and all(e["op"] == "rename-key" for e in fix.get("edits", [])),
          f"{len(renames)} renames, {len(t['expected_renames'])} expected")
    check(f"{where}: folder holds the file and its backup", listing(os.path.dirname(path)) ==
          sorted([os.path.basename(path), os.path.basename(path) + ".bak"]), listing(os.path.dirname(path)))
    if not os.path.exists(path + ".bak"):
        return
    check(f"{where}: backup is the original", sha256(path + ".bak") == original_sha)
    check(f"{where}: permissions kept", os.stat(path).st_mode & 0o7777 == 0o640, oct(os.stat(path).st_mode))
    remaining = {f["rule"] for f in doc["files"][0]["findings"]}
    check(f"{where}: the fixed rules are gone from the report", not remaining & set(FIX_RULES), sorted(remaining))
    errors = any(f["level"] == "error" for f in doc["files"][0]["findings"])
    check(f"{where}: exit code reflects what remains", rc == (1 if errors else 0), f"exit {rc}, remaining {sorted(remaining)}")

    # torch's view of the result
    try:
        original = load(path + ".bak", True)
        weights_only = True
    except Exception:  # noqa: BLE001 -- the input itself needs the full unpickler
        original, weights_only = load(path + ".bak", False), False
    try:
        fixed = load(path, weights_only)
    except Exception as e:  # noqa: BLE001
        check(f"{where}: torch.load(weights_only={weights_only})", False, f"{type(e).__name__}: {e}")
        return
    sd_path = t["state_dict"]
    old_sd, new_sd = at_path(original, sd_path), at_path(fixed, sd_path)
    want_keys = [t["expected_renames"].get(k, k) for k in old_sd]
    check(f"{where}: keys renamed in order", list(new_sd) == want_keys,
          f"first difference at {next((i for i, (a, b) in enumerate(zip(new_sd, want_keys)) if a != b), len(want_keys))}")
    differing = [k for k in old_sd if t["expected_renames"].get(k, k) not in new_sd
                 or not same_tensor(old_sd[k], new_sd[t["expected_renames"].get(k, k)])]
    check(f"{where}: every tensor bit-identical", not differing, differing[:3])
    check(f"{where}: everything outside the state dict unchanged",
          same_value(without(original, sd_path), without(fixed, sd_path)))
    if name == "dataparallel_inner_module":
        inner = [k for k in new_sd if ".module." in k]
        check(f"{where}: keys with module. in the middle survive", inner and all(("module." + k) in old_sd for k in inner), inner[:3])

    net = MODEL_VARIANTS[t["model_variant"]]()
    try:
        net.load_state_dict(new_sd, strict=True)
        error = ""
    except RuntimeError as e:
        error = str(e)
    model_shapes = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    if any(k in model_shapes and tuple(v.shape) != model_shapes[k] for k, v in new_sd.items()):
        check(f"{where}: strict load fails only on sizes", "size mismatch" in error and "Missing key" not in error
              and "Unexpected key" not in error, error[:300])
    else:
        check(f"{where}: load_state_dict(strict=True)", not error, error[:300])
    # BatchNorm's module versions followed the keys (torch reads them to upgrade old checkpoints)
    metadata = getattr(new_sd, "_metadata", None)
    if t["has_metadata"]:
        wanted = {m: v for m, v in net.state_dict()._metadata.items() if v.get("version") == 2}
        wrong = [m for m, v in wanted.items() if (metadata or {}).get(m) != v]
        check(f"{where}: BatchNorm _metadata versions under the new names", not wrong, wrong[:3])

    rc2, doc2, err2 = ckptlint_json(args, path, "--model", model)
    again = {f["rule"] for f in doc2["files"][0]["findings"]} if doc2 else {"?"}
    check(f"{where}: a new check is clean of the fixed rules", doc2 is not None and not again & set(FIX_RULES)
          and rc2 == rc, f"exit {rc2}: {sorted(again)} {err2.strip()[:200]}")


# ---------------------------------------------------------------------------

def assert_untouched(where, path, sha, extra=()):
    folder = os.path.dirname(path)
    check(f"{where}: original byte-identical", os.path.exists(path) and sha256(path) == sha)
    check(f"{where}: no temporary or backup left", listing(folder) == sorted([os.path.basename(path), *extra]),
          listing(folder))


def refusals(args, truth, model):
    t = truth["scenarios"]["ddp"]

    # --diff: the plan, and not a byte written
    path = fresh_copy(args, t, "diff")
    sha = sha256(path)
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--diff", env={"NO_COLOR": "1"})
    first = sorted(t["expected_renames"].items())[0]
    check("diff: exit code as for a check", rc == 1, f"exit {rc}: {err.strip()[:200]}")
    check("diff: every rename shown", all(f"{k} \u2192 {v}" in out for k, v in t["expected_renames"].items()),
          f"e.g. {first[0]} -> {first[1]} in {out[:300]!r}")
    rc, doc, err = ckptlint_json(args, path, "--model", model, "--diff")
    fix = doc["files"][0].get("fix", {}) if doc else {}
    check("diff: JSON plan", fix.get("mode") == "diff" and fix.get("written") is None and fix.get("state_dict") == []
          and {e["from"]: e["to"] for e in fix.get("edits", [])} == t["expected_renames"], json.dumps(fix)[:300])
    assert_untouched("diff", path, sha)

    # an existing backup is never overwritten
    path = fresh_copy(args, t, "backup-exists")
    sha = sha256(path)
    with open(path + ".bak", "w") as f:
        f.write("an older backup")
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply")
    check("backup exists: exit 2 with one line", rc == 2 and "already exists" in err and err.count("\n") == 1,
          f"exit {rc}: {err!r}")
    with open(path + ".bak") as f:
        check("backup exists: backup unchanged", f.read() == "an older backup")
    assert_untouched("backup exists", path, sha, [os.path.basename(path) + ".bak"])

    # --no-backup and --backup-suffix
    path = fresh_copy(args, t, "no-backup")
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply", "--no-backup")
    check("--no-backup: fixed, no backup", rc == 0 and listing(os.path.dirname(path)) == [os.path.basename(path)],
          f"exit {rc}: {err.strip()[:200]} {listing(os.path.dirname(path))}")
    path = fresh_copy(args, t, "suffix")
    sha = sha256(path)
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply", "--backup-suffix", ".orig")
    check("--backup-suffix: backup under that name", rc == 0 and os.path.exists(path + ".orig")
          and sha256(path + ".orig") == sha, f"exit {rc}: {err.strip()[:200]}")
    check("text report says what was fixed", "fixed 1 finding" in out and "backup " + path + ".orig" in out, out[-400:])

    # -o OUT: the input stays; an existing OUT only with --force
    path = fresh_copy(args, t, "output")
    sha = sha256(path)
    out_path = os.path.join(os.path.dirname(path), "fixed.pt")
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply", "-o", out_path)
    check("-o: written, input untouched", rc == 0 and sha256(path) == sha and os.path.exists(out_path)
          and not os.path.exists(path + ".bak"), f"exit {rc}: {err.strip()[:200]}")
    out_sha = sha256(out_path) if os.path.exists(out_path) else None
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply", "-o", out_path)
    check("-o existing: refused", rc == 2 and "already exists" in err and sha256(out_path) == out_sha,
          f"exit {rc}: {err!r}")
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply", "-o", out_path, "--force")
    check("-o existing with --force: replaced", rc == 0 and sha256(out_path) == out_sha, f"exit {rc}: {err!r}")
    check("-o: nothing else in the folder", listing(os.path.dirname(path)) == sorted([os.path.basename(path), "fixed.pt"]),
          listing(os.path.dirname(path)))

    # an unwritable destination: a read-only folder (permissions do not bind root), or a
    # "folder" that is a file
    path = fresh_copy(args, t, "unwritable")
    sha = sha256(path)
    folder = os.path.dirname(path)
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
        try:
            rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply")
        finally:
            os.chmod(folder, 0o755)
        check("read-only folder: exit 2", rc == 2 and err.count("\n") == 1, f"exit {rc}: {err!r}")
        assert_untouched("read-only folder", path, sha)
    else:
        # As root, permissions do not bind: run as nobody instead, in this root-owned folder
        # that nobody can read but not write — when nobody can reach the binary and the files.
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        probe = run(as_nobody[0], *as_nobody[1:], args.ckptlint, "check", path, "--model", model, "--diff") \
            if shutil.which("setpriv") else (None, "", "")
        if probe[0] in (0, 1):
            rc, out, err = run(as_nobody[0], *as_nobody[1:], args.ckptlint, "check", path, "--model", model, "--apply")
            check("folder nobody may not write: exit 2", rc == 2 and err.count("\n") == 1, f"exit {rc}: {err!r}")
            assert_untouched("folder nobody may not write", path, sha)
        else:
            print("notice: running as root and nobody cannot run ckptlint here; the folder-is-a-file case covers the path")
    with open(os.path.join(folder, "plain"), "w") as f:
        f.write("not a folder")
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply", "-o", os.path.join(folder, "plain", "x.pt"))
    check("folder is a file: exit 2", rc == 2 and err.count("\n") == 1, f"exit {rc}: {err!r}")
    assert_untouched("folder is a file", path, sha, ["plain"])

    # only the selected findings' fixes; nothing to fix writes nothing
    path2 = fresh_copy(args, t, "selection")
    sha2 = sha256(path2)
    rc, out, err = run(args.ckptlint, "check", path2, "--model", model, "--apply", "--select", "CKL104")
    check("--select without the fixable rule: nothing written", rc == 0 and "nothing to fix" not in err,
          f"exit {rc}: {err!r}")
    assert_untouched("--select without the fixable rule", path2, sha2)
    clean = truth["scenarios"]["clean"]
    path2 = fresh_copy(args, clean, "clean")
    sha2 = sha256(path2)
    rc, out, err = run(args.ckptlint, "check", path2, "--model", model, "--apply")
    check("clean file: exit 0", rc == 0 and "All checks passed" in out, f"exit {rc}: {out[-200:]} {err!r}")
    assert_untouched("clean file", path2, sha2)

    # option combinations that make no sense
    other = fresh_copy(args, t, "options")
    for argv, why in ((["--unsafe-fixes"], "needs --apply"), (["-o", "x.pt"], "needs --apply"),
                      (["--apply", "--diff"], "exclude"), (["--apply", "--force"], "--force needs -o"),
                      (["--apply", "-o", "x.pt", "--no-backup"], "in place"), (["--no-backup"], "needs --apply"),
                      (["--apply", "--backup-suffix", ""], "--backup-suffix"),
                      (["--apply", "--backup-suffix", "a/b"], "--backup-suffix"),
                      (["--apply", "-o", "x.pt", other], "one input")):
        rc, out, err = run(args.ckptlint, "check", path, "--model", model, *argv)
        check(f"refused: {' '.join(argv)}", rc == 2 and why in err and err.count("\n") == 1 and not out,
              f"exit {rc}: {err!r}")
    assert_untouched("refusals", path, sha, ["plain"])


def same_file_refusals(args, truth, model):
    """Ways of naming one file twice, or the input as OUT: refused before anything is written."""
    t = truth["scenarios"]["ddp"]
    path = fresh_copy(args, t, "same-file")
    sha = sha256(path)
    folder = os.path.dirname(path)
    base = os.path.basename(path)
    os.symlink(base, os.path.join(folder, "link.pt"))
    os.makedirs(os.path.join(folder, "sub"))
    cases = ((path, ["-o", path, "--force"], "is the input file itself"),
             (path, ["-o", os.path.join(folder, "sub", "..", base), "--force"], "is the input file itself"),
             (os.path.join(folder, "link.pt"), ["-o", path, "--force"], "is the input file itself"),
             (path, ["-o", ""], "needs a file name"),
             (path, ["-o", os.path.join(folder, "sub"), "--force"], "is a directory"),
             (path, [path], "named twice"),
             (path, [os.path.join(folder, "link.pt")], "are the same file"),
             (folder, [], "are the same file"))
    for given, argv, why in cases:
        rc, out, err = run(args.ckptlint, "check", given, "--model", model, "--apply", *argv)
        check(f"refused: {os.path.basename(given)} {' '.join(argv)}", rc == 2 and why in err and err.count("\n") == 1,
              f"exit {rc}: {err!r}")
    # a report written over a checked file (a typo in --output FORMAT:FILE) is refused too
    for given, spec in ((path, "json:" + path), (os.path.join(folder, "link.pt"), "sarif:" + path)):
        rc, out, err = run(args.ckptlint, "check", given, "--model", model, "--output", spec)
        check(f"refused: --output {spec.split(':')[0]}:{os.path.basename(spec)} over the checked file "
              f"{os.path.basename(given)}",
              rc == 2 and "would replace the checked file" in err and err.count("\n") == 1, f"exit {rc}: {err!r}")
    assert_untouched("same file", path, sha, ["link.pt", "sub"])
    check("same file: nothing written in sub/", listing(os.path.join(folder, "sub")) == [])

    # -o naming a link to the input: the link is replaced by the fixed file, the input stays
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply", "-o",
                       os.path.join(folder, "link.pt"), "--force")
    check("-o a link to the input, --force: the link replaced, the input untouched",
          rc == 0 and not os.path.islink(os.path.join(folder, "link.pt")) and sha256(path) == sha, f"exit {rc}: {err!r}")

    # in place, the fixed file keeps the original's owner (only root can give files away)
    if os.geteuid() == 0:
        path = fresh_copy(args, t, "owner")
        os.chown(path, 65534, 65534)
        rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply")
        info = os.stat(path)
        check("in place: owner and group kept", rc == 0 and (info.st_uid, info.st_gid) == (65534, 65534),
              f"exit {rc}: {(info.st_uid, info.st_gid)} {err!r}")


def fails_at(args, t, model, n, where):
    """Runs --apply with the n-th write failing; True if it failed (exit 2), checking the rollback."""
    path = fresh_copy(args, t, "fault")
    sha = sha256(path)
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply",
                       env={"CKPTLINT_FAIL_WRITE_AT": str(n)})
    if rc != 2:
        check(f"{where}: fixed when write {n} is past the last", rc in (0, 1) and os.path.exists(path + ".bak"),
              f"exit {rc}: {err.strip()[:200]}")
        return False
    if where:
        check(f"{where}: one-line error", err.count("\n") == 1 and "unchanged" in err, err)
        assert_untouched(where, path, sha)
    elif sha256(path) != sha or listing(os.path.dirname(path)) != [os.path.basename(path)]:
        check(f"write {n} failing: rolled back", False, listing(os.path.dirname(path)))
    return True


def fault_injection(args, truth, model):
    t = truth["scenarios"]["ddp"]
    # the number of writes: failures stop at the last one (binary search on "write n fails")
    low, high = 0, 1
    while fails_at(args, t, model, high, ""):
        low, high = high, high * 2
        if high > 1 << 20:
            check("fault injection: the writes end", False)
            return
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fails_at(args, t, model, middle, "") else (low, middle)
    writes = low
    print(f"info: --apply of {t['snapshot']} makes {writes} writes")
    check("fault injection: the writer writes more than once", writes >= 2, writes)
    for n in sorted({1, 2, max(1, writes // 2), writes}):
        check(f"write {n} of {writes} failing: exit 2", fails_at(args, t, model, n, f"write {n} of {writes} failing"))
    fails_at(args, t, model, writes + 1, f"write {writes + 1} of {writes}")

    # verification: the writer is handed a plan without its last edit
    path = fresh_copy(args, t, "verify")
    sha = sha256(path)
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply", env={"CKPTLINT_TEST_SKIP_EDIT": "1"})
    check("verification failure: exit 2, says why", rc == 2 and "verification failed" in err and err.count("\n") == 1,
          f"exit {rc}: {err!r}")
    assert_untouched("verification failure", path, sha)


def reports_stay_valid(args, truth, model):
    """--apply and --diff leave the SARIF contract intact: both logs validate."""
    t = truth["scenarios"]["dlc_dataparallel"]
    path = fresh_copy(args, t, "sarif")
    applied = os.path.join(args.workdir, "applied.sarif")
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply", "--output", "sarif:" + applied)
    check("sarif: --apply with a SARIF report", rc == 0 and os.path.exists(applied), f"exit {rc}: {err.strip()[:200]}")
    rc, out, err = run(args.ckptlint, "check", path + ".bak", "--model", model, "--diff", "--format", "sarif")
    diffed = os.path.join(args.workdir, "diff.sarif")
    with open(diffed, "w") as f:
        f.write(out)
    check("sarif: --diff --format sarif", rc == 1, f"exit {rc}: {err.strip()[:200]}")
    if not (args.validate_sarif and args.schema):
        print("notice: SARIF validation skipped (no --validate-sarif/--schema)")
        return
    proc = subprocess.run([sys.executable, args.validate_sarif, "--schema", args.schema, applied, diffed],
                          capture_output=True, text=True)
    if proc.returncode == 77:
        print(f"notice: SARIF validation skipped: {proc.stdout.strip()[:200]}")
        return
    check("sarif: the logs validate", proc.returncode == 0, (proc.stdout + proc.stderr)[-600:])


def damaged_record(args, truth, model):
    """A tensor record whose bytes no longer match its CRC-32. Without --check-crc, --apply reads
    no record twice (as check reads none): the bytes are copied with the CRC that exposes them.
    With --check-crc the damage is found and nothing is written."""
    t = truth["scenarios"]["ddp"]
    path = fresh_copy(args, t, "damaged-record")
    with zipfile.ZipFile(path) as archive:
        info = next(i for i in archive.infolist() if "/data/" in i.filename and i.file_size > 0)
    flip_first_byte(path, info)
    sha = sha256(path)
    out_path = os.path.join(os.path.dirname(path), "fixed.pt")
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply", "--check-crc", "-o", out_path)
    check("damaged record, --check-crc: refused, nothing written",
          rc == 2 and "CRC" in out + err and not os.path.exists(out_path), f"exit {rc}: {out[-300:]} {err[-300:]}")
    assert_untouched("damaged record, --check-crc", path, sha)
    rc, out, err = run(args.ckptlint, "check", path, "--model", model, "--apply", "-o", out_path)
    check("damaged record, no --check-crc: written", rc == 0 and os.path.exists(out_path), f"exit {rc}: {err[-300:]}")
    if os.path.exists(out_path):
        with zipfile.ZipFile(out_path) as fixed:
            copied = fixed.getinfo(info.filename)
            check("... with the original CRC, so the damage stays visible (zip test names the record)",
                  copied.CRC == info.CRC and fixed.testzip() == info.filename, f"{copied.CRC:#x} vs {info.CRC:#x}")
        rc, out, err = run(args.ckptlint, "check", out_path, "--model", model, "--check-crc")
        check("... and check --check-crc of the output reports it", rc == 1 and "CKL403" in out, f"exit {rc}: {out[-300:]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ckptlint", required=True)
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--only", help="comma-separated scenario names")
    ap.add_argument("--validate-sarif", help="validate_sarif.py, to check the SARIF of --apply/--diff runs")
    ap.add_argument("--schema", help="SARIF 2.1.0 JSON schema for --validate-sarif")
    args = ap.parse_args()
    args.ckptlint = os.path.abspath(args.ckptlint)
    with open(os.path.join(args.scenarios, "truth.json")) as f:
        truth = json.load(f)
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)

    def model_of(t):
        return os.path.join(args.scenarios, truth["models"][t["model_variant"]]["files"]["reference"])

    scenarios = fixable(truth)
    check("the matrix has fixable scenarios", len(scenarios) >= 8, sorted(scenarios))
    for name, t in scenarios.items():
        if args.only and name not in args.only.split(","):
            continue
        apply_scenario(args, name, t, model_of(t))
    if not args.only:
        refusals(args, truth, model_of(truth["scenarios"]["ddp"]))
        same_file_refusals(args, truth, model_of(truth["scenarios"]["ddp"]))
        fault_injection(args, truth, model_of(truth["scenarios"]["ddp"]))
        damaged_record(args, truth, model_of(truth["scenarios"]["ddp"]))
        reports_stay_valid(args, truth, model_of(truth["scenarios"]["dlc_dataparallel"]))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
