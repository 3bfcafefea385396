#!/usr/bin/env python3
"""Compare `ckptlint inspect --format json` with a truth.json written by real PyTorch.

Usage: compare_with_truth.py --ckptlint BIN --truth TRUTH.json --dir DIR
Standard library only. Exits 1 if any file fails or if no file was compared.
"""
import _compat_pickle
import argparse
import io
import json
import os
import pickle
import pickletools
import struct
import subprocess
import sys
import zipfile

FIELDS = ("path", "dtype", "shape", "stride", "storage_offset", "parameter")
# Compared when the truth file has them (the fixture generator writes them, the corpus's
# truth.json predates them). storage_nbytes is torch's Storage.nbytes(): it checks dtype sizes.
OPTIONAL_FIELDS = ("requires_grad", "storage_nbytes")
ZIP_MAGIC = b"PK\x03\x04"
LEGACY_MAGIC = b"\x80"  # a legacy (non-zip) torch.save file starts with the pickle of its magic number
LEGACY_PICKLES = ("magic pickle", "protocol pickle", "sys_info pickle", "main pickle", "storage key pickle")
MAX_DIFFS = 5


def same(a, b):
    """JSON equality that, unlike ==, keeps false != 0 and 1 != 1.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def show(tensor):
    return "{path} {dtype} shape={shape} stride={stride} offset={storage_offset} param={parameter}".format(
        **{f: json.dumps(tensor.get(f, "<missing>")) for f in FIELDS})


def compare_tensors(expected, actual):
    """Return a list of human-readable problems (empty when they agree)."""
    problems = []
    if len(expected) != len(actual):
        problems.append(f"tensor count: expected {len(expected)}, got {len(actual)}")
    shown = 0
    for i, (exp, act) in enumerate(zip(expected, actual)):
        act = dict(act, storage_nbytes=act.get("storage", {}).get("nbytes"))
        bad = [f for f in FIELDS + OPTIONAL_FIELDS
               if (f in FIELDS or f in exp) and (f not in act or not same(exp[f], act[f]))]
        if bad:
            shown += 1
            if shown <= MAX_DIFFS:
                problems.append(f"tensor #{i} differs in {', '.join(bad)}\n"
                                f"      expected {show(exp)}\n"
                                f"      got      {show(act)}")
    if shown > MAX_DIFFS:
        problems.append(f"... and {shown - MAX_DIFFS} more differing tensors")
    for i in range(len(actual), len(expected))[:MAX_DIFFS]:
        problems.append(f"missing tensor #{i}: {show(expected[i])}")
    for i in range(len(expected), len(actual))[:MAX_DIFFS]:
        problems.append(f"unexpected tensor #{i}: {show(actual[i])}")
    return problems


def compare_records(path, output):
    """Record names, data offsets, sizes and CRCs against Python's own zipfile module."""
    problems = []
    with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
        expected = []
        for info in archive.infolist():
            raw.seek(info.header_offset + 26)
            name_size, extra_size = struct.unpack("<HH", raw.read(4))
            root = info.filename.split("/", 1)[0] + "/"
            expected.append({"name": info.filename[len(root):],
                             "data_offset": info.header_offset + 30 + name_size + extra_size,
                             "size": info.file_size, "crc32": info.CRC})
    got = [{k: r.get(k) for k in ("name", "data_offset", "size", "crc32")} for r in output.get("records", [])]
    if not same(expected, got):
        problems.append(f"records differ from zipfile's view: expected {json.dumps(expected)[:300]}, "
                        f"got {json.dumps(got)[:300]}")
    offsets = {r["name"]: r["data_offset"] for r in expected}
    for tensor in output.get("tensors", []):
        storage = tensor.get("storage")
        if storage and storage.get("data_offset") != offsets.get("data/" + storage["key"]):
            problems.append(f"tensor {tensor['path']}: storage data_offset {storage.get('data_offset')} is not "
                            f"where record data/{storage['key']} starts ({offsets.get('data/' + storage['key'])})")
            break
    return problems


def compare_globals(path, output):
    """Every GLOBAL / STACK_GLOBAL / INST of data.pkl, at the offsets pickletools reports, with
    the module renames Python 3's unpickler applies to protocol < 3 streams."""
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.split("/", 1)[-1] == "data.pkl")
        data = archive.read(name)
    expected, protocol = [], 0
    for opcode, arg, pos in pickletools.genops(data):
        if opcode.name == "PROTO":
            protocol = arg
        if opcode.name in ("GLOBAL", "INST"):
            module, attribute = arg.split(" ", 1)
            if protocol < 3:
                module, attribute = _compat_pickle.NAME_MAPPING.get((module, attribute), (module, attribute))
                module = _compat_pickle.IMPORT_MAPPING.get(module, module)
            expected.append([pos, module, attribute])
        elif opcode.name == "STACK_GLOBAL":
            expected.append([pos, None, None])
    # other pickles of the archive (TorchScript's constants.pkl, .debug_pkl) come after data.pkl's
    got = [[g.get("offset"), g.get("module"), g.get("name")] for g in output.get("global_references", [])
           if g.get("record") == "data.pkl"]
    got = [[o, None, None] if e[1] is None else [o, m, n] for (o, m, n), e in zip(got, expected)] + got[len(expected):]
    return [] if same(expected, got) else [f"global references differ: expected {expected[:5]}, got {got[:5]}"]


def python_global(opcode, arg, protocol):
    """(module, name) of a GLOBAL/INST as Python 3's unpickler imports it (protocol < 3 renames)."""
    module, attribute = arg.split(" ", 1)
    if protocol < 3:
        module, attribute = _compat_pickle.NAME_MAPPING.get((module, attribute), (module, attribute))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
    return module, attribute


class NoGlobals(pickle.Unpickler):
    """Loads plain data only (the storage key list), never importing anything."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"global {module}.{name} in the storage key list")


def legacy_layout(path):
    """The five pickles of a legacy file (name, start, end, global references at file offsets)
    and each listed storage's data offset and size, read with pickletools and struct."""
    with open(path, "rb") as f:
        data = f.read()
    stream, pickles, globals_ = io.BytesIO(data), [], []
    for name in LEGACY_PICKLES:
        start, protocol = stream.tell(), 0
        for opcode, arg, pos in pickletools.genops(stream):
            if opcode.name == "PROTO":
                protocol = arg
            if opcode.name in ("GLOBAL", "INST"):
                globals_.append([name, pos, *python_global(opcode, arg, protocol)])
            elif opcode.name == "STACK_GLOBAL":
                globals_.append([name, pos, None, None])
        pickles.append({"name": name, "data_offset": start, "size": stream.tell() - start})
        if name == "storage key pickle":
            stream.seek(start)
            keys = NoGlobals(stream).load()
    return data, pickles, globals_, keys


def compare_legacy(path, output):
    """Records (the five pickles, then each storage's bytes), global references of every pickle,
    and each tensor's storage data_offset, against Python's own reading of the file."""
    data, pickles, expected_globals, keys = legacy_layout(path)
    problems = []
    expected_records, pos = list(pickles), pickles[-1]["data_offset"] + pickles[-1]["size"]
    got_records = [{k: r.get(k) for k in ("name", "data_offset", "size")} for r in output.get("records", [])]
    by_name = {r["name"]: r for r in got_records}
    for key in keys:
        count, = struct.unpack_from("<q", data, pos)
        record = by_name.get("storage:" + key, {})
        # the element size comes from the persistent id; Python checks the count and the layout
        size = record.get("size")
        if size is None or (count and size % count) or (not count and size):
            problems.append(f"storage {key}: count {count} in the file, ckptlint says {size} bytes")
            return problems
        expected_records.append({"name": "storage:" + key, "data_offset": pos + 8, "size": size})
        pos += 8 + size
    if pos != len(data):
        problems.append(f"storages end at {pos}, the file at {len(data)}")
    if not same(expected_records, got_records):
        problems.append(f"records differ: expected {json.dumps(expected_records)[:300]}, "
                        f"got {json.dumps(got_records)[:300]}")
    ranges = {r["name"]: (r["data_offset"], r["data_offset"] + r["size"]) for r in expected_records}
    for tensor in output.get("tensors", []):
        storage = tensor.get("storage")
        if storage and storage.get("data_offset") is not None:
            start, end = storage["data_offset"], storage["data_offset"] + storage.get("record_size", 0)
            # a storage starts where its record does; a legacy view's slice lies inside one
            where = ranges.get("storage:" + storage["key"])
            inside = (where is not None and start == where[0]) or (
                where is None and any(a <= start and end <= b for name, (a, b) in ranges.items()
                                      if name.startswith("storage:")))
            if not inside or storage.get("record_size") != storage.get("nbytes"):
                problems.append(f"tensor {tensor['path']}: storage bytes {start}..{end} are not those of storage "
                                f"{storage['key']} ({where})")
                break
    got = [[g.get("record"), g.get("offset"), g.get("module"), g.get("name")] for g in output.get("global_references", [])]
    got = [[r, o, None, None] if e[2] is None else [r, o, m, n]
           for (r, o, m, n), e in zip(got, expected_globals)] + got[len(expected_globals):]
    if not same(expected_globals, got):
        problems.append(f"global references differ: expected {expected_globals[:5]}, got {got[:5]}")
    return problems


def compare_parameters_and_buffers(entry, actual):
    """The corpus's TorchScript truth: named_parameters() and named_buffers() (key, dtype, shape)
    against the state dict's tensors and their kind, in any order."""
    expected = sorted([dict(e, kind="parameter") for e in entry.get("parameters", [])] +
                      [dict(e, kind="buffer") for e in entry.get("buffers", [])], key=lambda e: e["key"])
    got = sorted([{"key": t["path"][-1], "dtype": t["dtype"], "shape": t["shape"],
                   "kind": "parameter" if t["parameter"] else "buffer"} for t in actual], key=lambda e: e["key"])
    return [] if same(expected, got) else [f"parameters and buffers differ: expected {json.dumps(expected)[:300]}, "
                                           f"got {json.dumps(got)[:300]}"]


def compare_state_dicts(expected_paths, output):
    """ckptlint's candidates must be exactly the truth's string -> tensor mappings."""
    got = [sd.get("path") for sd in output.get("state_dicts", []) if isinstance(sd, dict)]
    problems = [f"state dict {json.dumps(p)} not reported (got {json.dumps(got)})"
                for p in expected_paths if not any(same(p, g) for g in got)]
    extras = [g for g in got if not any(same(g, p) for p in expected_paths)]
    return problems, extras


def compare_locations(expected, output):
    """The storage locations torch's map_location hook saw must be the devices reported."""
    got = sorted({t.get("device") for t in output.get("tensors", []) if "storage" in t})
    return [] if got == expected else [f"storage locations: expected {expected}, got {got}"]


def run_inspect(binary, path, *extra):
    proc = subprocess.run([binary, "inspect", "--format", "json", *extra, path],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"exit code {proc.returncode}; stderr: {proc.stderr.strip()}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        raise RuntimeError(f"stdout is not JSON ({e}): {proc.stdout[:200]!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ckptlint", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--skip-if-missing", action="store_true",
                    help="exit 77 (CTest's skip code) when the truth file does not exist")
    args = ap.parse_args()
    if args.skip_if_missing and not os.path.exists(args.truth):
        print(f"skip: {args.truth} not found (is ../shared/corpus beside the checkout?)")
        return 77

    with open(args.truth) as f:
        truth = json.load(f)
    compared = failed = 0
    for name, entry in truth.items():
        path = os.path.join(args.dir, name)
        if entry.get("loader") not in ("torch.load", "torch.jit.load"):
            print(f"skip {name}: loader is {entry.get('loader')}")
            continue
        # TorchScript: the truth is torch.jit.load(f).state_dict(), the state dict at the root
        script = entry["loader"] == "torch.jit.load"
        try:
            with open(path, "rb") as f:
                magic = f.read(4)
        except OSError as e:
            print(f"FAIL {name}: cannot read file: {e}")
            compared += 1
            failed += 1
            continue
        legacy = magic.startswith(LEGACY_MAGIC)
        if magic != ZIP_MAGIC and not legacy:
            print(f"skip {name}: not a zip or legacy checkpoint")
            continue

        compared += 1
        try:
            output = run_inspect(args.ckptlint, path)
            if script:
                problems = [] if output.get("format") == "torchscript" else [f"format is {output.get('format')}"]
                state_dict = run_inspect(args.ckptlint, path, "--state-dict", "[]")
                if "tensors" in entry:
                    problems += compare_tensors(entry["tensors"], state_dict.get("tensors", []))
                else:
                    problems += compare_parameters_and_buffers(entry, state_dict.get("tensors", []))
            else:
                problems = compare_tensors(entry["tensors"], output.get("tensors", []))
            if "state_dicts" in entry:
                sd_problems, extras = compare_state_dicts(entry["state_dicts"], output)
                problems += sd_problems
                problems += [f"extra state dict candidate {json.dumps(p)}" for p in extras]
            if "locations" in entry:
                problems += compare_locations(entry["locations"], output)
            if legacy:
                problems += compare_legacy(path, output)
            else:
                problems += compare_records(path, output)
                problems += compare_globals(path, output)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            problems = [f"ckptlint inspect failed: {e}"]
        if problems:
            failed += 1
            print(f"FAIL {name}")
            for p in problems:
                print(f"    {p}")
        else:
            count = len(entry['tensors']) if 'tensors' in entry else len(entry['parameters']) + len(entry['buffers'])
            print(f"PASS {name} ({count} tensors)")

    print(f"{compared - failed}/{compared} files passed")
    if compared == 0:
        print("error: no file was compared")
    return 1 if failed or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
