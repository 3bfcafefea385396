#!/usr/bin/python3
"""The --apply writer (fix::rewriteCheckpoint, through tests/tools/rewrite_tool) on checkpoints
written by Debian's torch: after the rewrite, torch.load reads the file (weights_only where the
input allowed it), the edited state dict loads strictly into the model it was meant for, every
tensor is bit-identical (dtype, shape, stride, storage offset, values), storages shared before
are shared after, everything else in the checkpoint compares equal, `_metadata` is what the
target model's state_dict() carries, Python's zipfile accepts the archive, and every record's
data is 64-byte aligned. Refusals exit 2 with one line and leave no output file.
Needs /usr/bin/python3 with torch."""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import warnings
import zipfile

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zip_records import flip_first_byte, stored_bytes  # noqa: E402

warnings.simplefilter("ignore")
FAILURES = []


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print("FAIL:", what)


def model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4, 2))


class Tied(nn.Module):
    """Two keys, one storage: decoder.weight is encoder.weight."""
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(4, 4)
        self.decoder = nn.Linear(4, 4)
        self.decoder.weight = self.encoder.weight


class Lightning(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.model = inner


def run_tool(tool, src, dst, *args):
    if os.path.exists(dst):
        os.remove(dst)
    return subprocess.run([tool, src, dst, *args], capture_output=True, text=True)


def load_pair(src, dst):
    """Both files, the output with weights_only=True wherever the input allows it (1.13's
    weights_only unpickler refuses floats, so a snapshot with a learning rate needs the full one)."""
    try:
        before = torch.load(src, weights_only=True)
        weights_only = True
    except Exception:
        before = torch.load(src)
        weights_only = False
    return before, torch.load(dst, weights_only=weights_only)


def same_tensor(a, b):
    return (a.dtype == b.dtype and a.shape == b.shape and a.stride() == b.stride()
            and a.storage_offset() == b.storage_offset() and torch.equal(a, b))


def storage_groups(tensors):
    """Keys grouped by the storage they share (as a set of frozensets)."""
    groups = {}
    for key, tensor in tensors.items():
        groups.setdefault(tensor.storage().data_ptr(), set()).add(key)
    return {frozenset(group) for group in groups.values()}


def check_archive(path, label):
    with zipfile.ZipFile(path) as archive:
        check(archive.testzip() is None, f"{label}: zipfile.testzip() finds a bad record")
        roots = {info.filename.split("/")[0] for info in archive.infolist()}
        check(len(roots) == 1, f"{label}: records under one root folder, got {roots}")
        with open(path, "rb") as raw:
            for info in archive.infolist():
                raw.seek(info.header_offset)
                header = raw.read(30)
                name_size, extra_size = struct.unpack("<HH", header[26:30])
                data = info.header_offset + 30 + name_size + extra_size
                check(data % 64 == 0, f"{label}: record {info.filename} data at {data}, not 64-aligned")
        return archive.namelist()


def compare_state_dicts(before, after, renames, label, dropped=()):
    expected_keys = [renames.get(k, k) for k in before if k not in dropped]
    check(list(after.keys()) == expected_keys, f"{label}: keys {list(after.keys())[:4]}... != {expected_keys[:4]}...")
    for key, tensor in before.items():
        if key in dropped:
            continue
        new = after.get(renames.get(key, key))
        check(new is not None and same_tensor(tensor, new), f"{label}: tensor {key} differs after the rewrite")
    kept_before = {renames.get(k, k): t for k, t in before.items() if k not in dropped}
    check(storage_groups(kept_before) == storage_groups(dict(after)), f"{label}: storage sharing changed")


def strip_renames(state_dict, prefix):
    return {k: k[len(prefix):] for k in state_dict if k.startswith(prefix)}


def case_dataparallel(tool, work, protocol):
    label = f"DataParallel strip, protocol {protocol}"
    src, dst = os.path.join(work, f"dp{protocol}.pt"), os.path.join(work, f"dp{protocol}.fixed.pt")
    plain = model()
    torch.save(nn.DataParallel(plain).state_dict(), src, pickle_protocol=protocol)
    result = run_tool(tool, src, dst, "--strip-prefix", "module.")
    check(result.returncode == 0, f"{label}: tool failed: {result.stderr.strip()}")
    if result.returncode != 0:
        return
    check_archive(dst, label)
    before = torch.load(src)
    after = torch.load(dst, weights_only=(protocol == 2))
    compare_state_dicts(before, after, strip_renames(before, "module."), label)
    target = model()
    check(str(target.load_state_dict(after, strict=True)) == "<All keys matched successfully>", f"{label}: strict load")
    check(after._metadata == model().state_dict()._metadata,
          f"{label}: _metadata {after._metadata} != {model().state_dict()._metadata}")


def case_nested_snapshot(tool, work):
    """A DeepLabCut-style snapshot: the state dict under 'model', optimizer state and metadata beside it."""
    label = "nested snapshot"
    src, dst = os.path.join(work, "snapshot-200.pt"), os.path.join(work, "snapshot-200.fixed.pt")
    plain = model()
    optimizer = torch.optim.AdamW(plain.parameters(), lr=1e-3)
    plain(torch.randn(2, 3, 3, 3)).sum().backward()
    optimizer.step()
    snapshot = {"model": nn.DataParallel(plain).state_dict(), "optimizer": optimizer.state_dict(),
                "metadata": {"epoch": 200, "project": "dlc", "bodyparts": ["nose", "tail"]}, "epoch": 200}
    torch.save(snapshot, src)
    result = run_tool(tool, src, dst, "--state-dict", "model", "--strip-prefix", "module.")
    check(result.returncode == 0, f"{label}: tool failed: {result.stderr.strip()}")
    if result.returncode != 0:
        return
    check_archive(dst, label)
    before, after = load_pair(src, dst)
    compare_state_dicts(before["model"], after["model"], strip_renames(before["model"], "module."), label)
    check(after["metadata"] == before["metadata"] and after["epoch"] == 200, f"{label}: other entries changed")
    check(after["optimizer"]["param_groups"] == before["optimizer"]["param_groups"], f"{label}: param_groups changed")
    for pid, state in before["optimizer"]["state"].items():
        for name, value in state.items():
            check(same_tensor(value, after["optimizer"]["state"][pid][name]), f"{label}: optimizer state {pid}/{name}")
    target = model()
    check(str(target.load_state_dict(after["model"], strict=True)) == "<All keys matched successfully>", f"{label}: strict load")
    check(after["model"]._metadata == model().state_dict()._metadata, f"{label}: _metadata")


def case_shared_storage(tool, work):
    label = "tied weights"
    src, dst = os.path.join(work, "tied.pt"), os.path.join(work, "tied.fixed.pt")
    torch.save(nn.DataParallel(Tied()).state_dict(), src)
    result = run_tool(tool, src, dst, "--strip-prefix", "module.")
    check(result.returncode == 0, f"{label}: tool failed: {result.stderr.strip()}")
    if result.returncode != 0:
        return
    before, after = load_pair(src, dst)
    compare_state_dicts(before, after, strip_renames(before, "module."), label)
    check(after["encoder.weight"].storage().data_ptr() == after["decoder.weight"].storage().data_ptr(),
          f"{label}: encoder and decoder no longer share a storage")
    check(str(Tied().load_state_dict(after, strict=True)) == "<All keys matched successfully>", f"{label}: strict load")


def case_drops(tool, work):
    """Dropping keys: an unexpected key with its own storage (its record goes), a view of a kept
    tensor's storage (the record stays), and a key whose value is the same tensor object as
    another key's (refused: dropping it would take the other's definition with it)."""
    plain = model()
    state = nn.DataParallel(plain).state_dict()
    state["module.aux.weight"] = torch.arange(6.0).reshape(2, 3)
    state["module.view_of_conv"] = state["module.0.weight"][1]
    src, dst = os.path.join(work, "drops.pt"), os.path.join(work, "drops.fixed.pt")
    torch.save(state, src)
    with zipfile.ZipFile(src) as archive:
        records_before = len(archive.namelist())
    label = "drop keys"
    result = run_tool(tool, src, dst, "--strip-prefix", "module.", "--drop", "module.aux.weight",
                      "--drop", "module.view_of_conv")
    check(result.returncode == 0, f"{label}: tool failed: {result.stderr.strip()}")
    if result.returncode == 0:
        names = check_archive(dst, label)
        check(len(names) == records_before - 1, f"{label}: expected the aux storage record left out, got {names}")
        before, after = load_pair(src, dst)
        dropped = ("module.aux.weight", "module.view_of_conv")
        compare_state_dicts(before, after, strip_renames(before, "module."), label, dropped=dropped)
        check(str(model().load_state_dict(after, strict=True)) == "<All keys matched successfully>", f"{label}: strict load")
        check(after._metadata == model().state_dict()._metadata, f"{label}: _metadata")

    # Protocol 4: the first tensor defines the rebuild function (STACK_GLOBAL of two memoized
    # strings) that every later tensor reads back; dropping it must define them again.
    label = "drop the first key, protocol 4"
    src, dst = os.path.join(work, "drops4.pt"), os.path.join(work, "drops4.fixed.pt")
    torch.save(state, src, pickle_protocol=4)
    first = next(iter(state))
    result = run_tool(tool, src, dst, "--drop", first)
    check(result.returncode == 0, f"{label}: tool failed: {result.stderr.strip()}")
    if result.returncode == 0:
        check_archive(dst, label)
        before, after = torch.load(src), torch.load(dst)
        compare_state_dicts(before, after, {}, label, dropped=(first,))

    label = "drop a key sharing its tensor object"
    shared = model().state_dict()
    shared["alias"] = shared["0.weight"]  # the same tensor object: pickled once, then a memo reference
    src, dst = os.path.join(work, "alias.pt"), os.path.join(work, "alias.fixed.pt")
    torch.save(shared, src)
    result = run_tool(tool, src, dst, "--drop", "0.weight")
    check(result.returncode == 2 and "also used outside it" in result.stderr and len(result.stderr.strip().splitlines()) == 1,
          f"{label}: expected a one-line refusal, got {result.returncode} {result.stderr!r}")
    check(not os.path.exists(dst), f"{label}: output left behind")
    result = run_tool(tool, src, dst, "--drop", "alias")
    check(result.returncode == 0, f"{label}: dropping the memo reference itself failed: {result.stderr.strip()}")
    if result.returncode == 0:
        after = torch.load(dst, weights_only=True)
        check("alias" not in after and same_tensor(after["0.weight"], shared["0.weight"]), f"{label}: after dropping alias")


def case_add_prefix(tool, work):
    label = "add prefix"
    src, dst = os.path.join(work, "plain.pt"), os.path.join(work, "plain.fixed.pt")
    torch.save(model().state_dict(), src)
    result = run_tool(tool, src, dst, "--add-prefix", "model.")
    check(result.returncode == 0, f"{label}: tool failed: {result.stderr.strip()}")
    if result.returncode != 0:
        return
    after = torch.load(dst, weights_only=True)
    wrapper = Lightning(model())
    check(str(wrapper.load_state_dict(after, strict=True)) == "<All keys matched successfully>", f"{label}: strict load")
    expected = {k: v for k, v in wrapper.state_dict()._metadata.items() if k != ""}  # the wrapper's own root entry has no source
    check(dict(after._metadata) == expected, f"{label}: _metadata {dict(after._metadata)} != {expected}")


def case_empty_plan(tool, work):
    label = "empty plan"
    src, dst = os.path.join(work, "snapshot-200.pt"), os.path.join(work, "unchanged.pt")
    result = run_tool(tool, src, dst, "--state-dict", "model")
    check(result.returncode == 0, f"{label}: tool failed: {result.stderr.strip()}")
    if result.returncode != 0:
        return
    check_archive(dst, label)
    before, after = load_pair(src, dst)
    compare_state_dicts(before["model"], after["model"], {}, label)
    check(after["model"]._metadata == before["model"]._metadata and after["metadata"] == before["metadata"], f"{label}: metadata")
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst) as b:
        for name in a.namelist():
            if not name.endswith("data.pkl"):
                check(a.read(name) == b.read(name), f"{label}: record {name} not copied byte for byte")
        check(a.read("snapshot-200/data.pkl") == b.read("snapshot-200/data.pkl"), f"{label}: data.pkl changed")


def case_zip64(tool, work):
    """ZIP64 fields and end records, forced by lowering the tool's limits (standing in for 4 GiB
    and 65535 entries). Python's zipfile reads sizes and offsets past a lowered threshold; torch
    reads the ZIP64 end records (its miniz checks a 32-bit offset marker against the file size,
    which only a real > 4 GiB file passes, so offsets are not forced for torch.load)."""
    src = os.path.join(work, "dp2.pt")
    for label, limits, torch_reads in (("forced ZIP64 sizes and offsets", ["--zip64-threshold", "100"], False),
                                       ("forced ZIP64 end records", [], True)):
        dst = os.path.join(work, "dp2.zip64.pt")
        result = run_tool(tool, src, dst, "--strip-prefix", "module.", "--max-classic-entries", "3", *limits)
        check(result.returncode == 0, f"{label}: tool failed: {result.stderr.strip()}")
        if result.returncode != 0:
            continue
        with open(dst, "rb") as raw:
            content = raw.read()
        check(b"PK\x06\x06" in content and b"PK\x06\x07" in content, f"{label}: no ZIP64 end records")
        check_archive(dst, label)
        with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst) as b:
            for name in a.namelist():
                if not name.endswith("data.pkl"):
                    check(a.read(name) == b.read(name), f"{label}: record {name} differs")
        if torch_reads:
            before, after = load_pair(src, dst)
            compare_state_dicts(before, after, strip_renames(before, "module."), label)
            check(str(model().load_state_dict(after, strict=True)) == "<All keys matched successfully>", f"{label}: strict load")


def case_refusals(tool, work):
    label = "TorchScript"
    src, dst = os.path.join(work, "scripted.pt"), os.path.join(work, "scripted.fixed.pt")
    torch.jit.save(torch.jit.script(model()), src)
    result = run_tool(tool, src, dst)
    check(result.returncode == 2 and "TorchScript" in result.stderr and not os.path.exists(dst),
          f"{label}: expected a refusal, got {result.returncode} {result.stderr!r}")
    label = "missing key"
    result = run_tool(tool, os.path.join(work, "plain.pt"), dst, "--rename", "nope=x")
    check(result.returncode == 2 and "no key 'nope'" in result.stderr and not os.path.exists(dst),
          f"{label}: expected a refusal, got {result.returncode} {result.stderr!r}")
    label = "damaged storage record"
    damaged = os.path.join(work, "damaged.pt")
    shutil.copy(os.path.join(work, "plain.pt"), damaged)
    with zipfile.ZipFile(damaged) as archive:
        info = archive.getinfo("plain/data/0")
    flip_first_byte(damaged, info)
    result = run_tool(tool, damaged, dst, "--add-prefix", "model.")
    check(result.returncode == 2 and "do not match its CRC-32" in result.stderr and not os.path.exists(dst),
          f"{label}: expected a refusal, got {result.returncode} {result.stderr!r}")
    # Trusting the declared CRC (--apply without --check-crc): the damaged bytes are copied with
    # the CRC that exposes them, never with a fresh one that would hide the damage.
    result = run_tool(tool, damaged, dst, "--add-prefix", "model.", "--verify-copied-crc", "no")
    check(result.returncode == 0, f"{label}, CRC trusted: expected a copy, got {result.returncode} {result.stderr!r}")
    if result.returncode == 0:
        with zipfile.ZipFile(damaged) as before, zipfile.ZipFile(dst) as after:
            old, new = before.getinfo("plain/data/0"), after.getinfo("plain/data/0")
            same_bytes = stored_bytes(damaged, old) == stored_bytes(dst, new)
            check(new.CRC == old.CRC and same_bytes and after.testzip() == "plain/data/0",
                  f"{label}, CRC trusted: the declared CRC and the damaged bytes must be copied as they are")
        os.remove(dst)
    label = "duplicate key"
    result = run_tool(tool, os.path.join(work, "plain.pt"), dst, "--rename", "0.bias=4.bias")
    check(result.returncode == 2 and "twice" in result.stderr and not os.path.exists(dst),
          f"{label}: expected a refusal, got {result.returncode} {result.stderr!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rewrite-tool", required=True)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    case_dataparallel(args.rewrite_tool, args.workdir, 2)
    case_dataparallel(args.rewrite_tool, args.workdir, 4)
    case_nested_snapshot(args.rewrite_tool, args.workdir)
    case_shared_storage(args.rewrite_tool, args.workdir)
    case_drops(args.rewrite_tool, args.workdir)
    case_add_prefix(args.rewrite_tool, args.workdir)
    case_empty_plan(args.rewrite_tool, args.workdir)
    case_zip64(args.rewrite_tool, args.workdir)
    case_refusals(args.rewrite_tool, args.workdir)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        return 1
    print("all rewrite-engine checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
