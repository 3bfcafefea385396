#!/usr/bin/python3
"""`ckptlint check` on hostile and benign checkpoints: security and integrity rules fail closed.

Usage: test_security.py --ckptlint BIN --workdir DIR [--fixtures DIR] [--corpus DIR]
                        [--truncate FILE]... [--truncate-sample FILE]...

Hostile files are made here with Debian's Python (pickle, zipfile, torch; nothing downloaded):
each must exit non-zero (1 or 2) and report the expected rule, never "clean". Benign fixtures
and the shared corpus must not report CKL301. A DeepLabCut-style snapshot holding NumPy floats
is CKL302, not CKL301. Hostile limits (deep nesting, huge memo index, zip bombs) must end
quickly. With --truncate, every prefix of each given file (--truncate-sample: 400 of them) must
give exit 1 or 2 with findings, never a crash, a hang or exit 0.
"""
import argparse
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import zipfile
import zlib

import numpy as np
import torch

TIMEOUT = 20


# ---------------------------------------------------------------- building hostile files

class Reduce:
    """Pickles as `func(*args)`: what a malicious __reduce__ does."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def torch_bytes(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def benign_checkpoint():
    return torch_bytes({"weight": torch.arange(4.0), "bias": torch.zeros(2)})


def rezip(data, replace=None, extra=None):
    """Copies a torch zip, replacing members' bytes (by suffix) and appending extra members."""
    replace, extra = replace or {}, extra or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        root = src.namelist()[0].split("/")[0]
        for info in src.infolist():
            payload = src.read(info)
            for suffix, new in replace.items():
                if info.filename.endswith(suffix):
                    payload = new
            dst.writestr(info.filename, payload)
        for name, payload in extra.items():
            dst.writestr(f"{root}/{name}", payload)
    return out.getvalue()


def with_data_pkl(payload_pickle):
    return rezip(benign_checkpoint(), replace={"/data.pkl": payload_pickle})


def central_entry(data, name_suffix):
    """Offset of the central-directory header whose name ends with name_suffix."""
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos < 0:
            raise ValueError(name_suffix)
        name_len, = struct.unpack_from("<H", data, pos + 28)
        if data[pos + 46:pos + 46 + name_len].endswith(name_suffix.encode()):
            return pos
        pos += 4


def patched(data, offset, fmt, value):
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def local_name_differs():
    data = rezip(benign_checkpoint())
    pos = data.find(b"PK\x03\x04")  # first local header: the data.pkl record
    name_len, = struct.unpack_from("<H", data, pos + 26)
    out = bytearray(data)
    out[pos + 30 + name_len - 1] ^= 0x01  # "data.pkl" -> "data.pkm" in the local header only
    return bytes(out)


def wrong_crc():
    data = rezip(benign_checkpoint())
    pos = central_entry(data, "/data.pkl")
    crc, = struct.unpack_from("<I", data, pos + 16)
    return patched(data, pos + 16, "<I", crc ^ 0xDEADBEEF)


def encrypted(member):
    data = rezip(benign_checkpoint(), extra={"extra/blob": b"\0" * 16})
    pos = central_entry(data, member)
    flags, = struct.unpack_from("<H", data, pos + 8)
    return patched(data, pos + 8, "<H", flags | 0x0001)


def stack_global_from_memo():
    # protocol 4: 'os' and 'system' memoized, fetched back with BINGET, then STACK_GLOBAL.
    return (b"\x80\x04\x8c\x02os\x94\x8c\x06system\x94" + b"h\x00h\x01\x93"
            + b"\x8c\x02id\x85R.")


def stack_global_unresolved():
    # STACK_GLOBAL on two ints: nothing says what it would import.
    return b"\x80\x04K\x01K\x02\x93)R."


def legacy_with_payload():
    # A legacy-format file whose first pickle (the magic number's place) is a payload.
    payload = pickle.dumps(Reduce(os.system, ("id",)), protocol=2)
    buf = io.BytesIO()
    torch.save({"w": torch.zeros(2)}, buf, _use_new_zipfile_serialization=False)
    legacy = buf.getvalue()
    return payload + legacy


def dlc_snapshot():
    state_dict = {"backbone.conv.weight": torch.ones(2, 2), "head.bias": torch.zeros(2)}
    return torch_bytes({"model": state_dict, "optimizer": None,
                        "metadata": {"epoch": np.int64(200), "loss": np.float64(0.0123),
                                     "pck": np.float32(0.9)}})


def deep_nesting():
    return with_data_pkl(b"\x80\x02" + b"(" * 200_000 + b"N.")


def huge_memo_index():
    return with_data_pkl(b"\x80\x02Nr\xff\xff\xff\xffj\xfe\xff\xff\xff.")


def zip_bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(benign_checkpoint())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
    data = out.getvalue()
    # Append a deflated member whose declared size is a lie (2 GiB from a few KiB).
    root = zipfile.ZipFile(io.BytesIO(data)).namelist()[0].split("/")[0]
    with zipfile.ZipFile(out, "a") as z:
        info = zipfile.ZipInfo(f"{root}/bomb.pkl")
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, b"\0" * (1 << 20))
    data = out.getvalue()
    pos = central_entry(data, "/bomb.pkl")
    return patched(data, pos + 24, "<I", 0x7FFFFFFF)


def many_entries_claimed():
    """torch's own zip64 end record claiming 2**40 entries."""
    data = benign_checkpoint()
    zip64_end = data.rfind(b"PK\x06\x06")
    data = patched(data, zip64_end + 24, "<Q", 1 << 40)
    return patched(data, zip64_end + 32, "<Q", 1 << 40)


def many_entries_classic():
    """A classic end record (Python's zipfile, no zip64) claiming 65535 entries."""
    data = rezip(benign_checkpoint())
    eocd = data.rfind(b"PK\x05\x06")
    data = patched(data, eocd + 8, "<H", 0xFFFF)
    return patched(data, eocd + 10, "<H", 0xFFFF)


def two_end_records(evil_pickle):
    """One file, two archives: end record A (comment = end record B, so A ends the file exactly)
    points at the real directory; end record B, last in the file, points at a second directory
    whose data.pkl is `evil_pickle`. miniz (torch) takes the last end record and ignores its
    overlong comment; a reader that checks the comment would take A and see a benign file."""
    data = benign_checkpoint()
    eocd = data.rfind(b"PK\x05\x06")
    count, = struct.unpack_from("<H", data, eocd + 10)
    directory, = struct.unpack_from("<I", data, eocd + 16)
    body, cd_a = data[:directory], data[directory:data.rfind(b"PK\x06\x06") if b"PK\x06\x06" in data else eocd]
    name_suffix = b"/data.pkl"
    pos = cd_a.find(b"PK\x01\x02")
    entries = []
    while pos >= 0 and len(entries) < count:
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", cd_a, pos + 28)
        end = pos + 46 + name_len + extra_len + comment_len
        entries.append(cd_a[pos:end])
        pos = cd_a.find(b"PK\x01\x02", end)
    cd_a = b"".join(entries)
    evil_name = next(e[46:46 + struct.unpack_from("<H", e, 28)[0]] for e in entries
                     if e[46:46 + struct.unpack_from("<H", e, 28)[0]].endswith(name_suffix))
    crc = zlib.crc32(evil_pickle)
    evil_offset = len(body)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, len(evil_pickle), len(evil_pickle),
                        len(evil_name), 0) + evil_name + evil_pickle
    evil_entry = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, crc, len(evil_pickle),
                             len(evil_pickle), len(evil_name), 0, 0, 0, 0, 0, evil_offset) + evil_name
    cd_b = b"".join(evil_entry if e[46:].startswith(evil_name) else e for e in entries)
    offset_a = len(body) + len(local)
    end_b = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(cd_b),
                        offset_a + len(cd_a), 0xFFFF)
    end_a = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(cd_a), offset_a, len(end_b))
    return body + local + cd_a + cd_b + end_a + end_b


def aliased_deflated_record(aliases, megabytes, suffix):
    """A small file whose central directory lists `aliases` entries all pointing at one local
    header of a deflated run of zeros (`megabytes` MiB): read naively, every alias is inflated."""
    root = "archive"
    entries, body = [], b""

    def local(name, data, method, crc, size):
        return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data), size,
                           len(name), 0) + name + data

    def central(name, stored, method, crc, size, offset):
        return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc, stored, size,
                           len(name), 0, 0, 0, 0, 0, offset) + name

    empty = pickle.dumps({}, protocol=2)
    for name, data in [(b"data.pkl", empty), (b"version", b"3\n")]:
        entries.append(central(f"{root}/".encode() + name, len(data), 0, zlib.crc32(data), len(data), len(body)))
        body += local(f"{root}/".encode() + name, data, 0, zlib.crc32(data), len(data))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b"\0" * (1 << 20)
    stored = b"".join(deflate.compress(block) for _ in range(megabytes)) + deflate.flush()
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    size, offset = megabytes << 20, len(body)
    body += local(f"{root}/0{suffix}".encode(), stored, 8, crc, size)
    for i in range(aliases):
        entries.append(central(f"{root}/{i}{suffix}".encode(), len(stored), 8, crc, size, offset))
    directory = b"".join(entries)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    return body + directory + end


def hostile_cases():
    """(name, bytes, rules of which at least one must be reported)."""
    payload = lambda func, *args: pickle.dumps(Reduce(func, args), protocol=2)  # noqa: E731
    import builtins
    import importlib
    import runpy
    import subprocess as sp
    yield "reduce-os-system", with_data_pkl(b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R."), {"CKL301"}
    yield "reduce-posix-system", with_data_pkl(payload(os.system, "id")), {"CKL301"}
    yield "reduce-builtins-eval", with_data_pkl(payload(builtins.eval, "1+1")), {"CKL301"}
    yield "reduce-builtins-exec", with_data_pkl(payload(builtins.exec, "pass")), {"CKL301"}
    yield "reduce-builtins-getattr", with_data_pkl(payload(builtins.getattr, Reduce(importlib.import_module, ("os",)), "system")), {"CKL301"}
    yield "reduce-subprocess-popen", with_data_pkl(payload(sp.Popen, ["true"])), {"CKL301"}
    yield "reduce-runpy", with_data_pkl(payload(runpy.run_path, "/dev/null")), {"CKL301"}
    yield "stack-global-from-memo", with_data_pkl(stack_global_from_memo()), {"CKL301"}
    yield "stack-global-unresolved", with_data_pkl(stack_global_unresolved()), {"CKL301"}
    yield "protocol0-text-global", with_data_pkl(b"cos\nsystem\n(S'id'\ntR."), {"CKL301"}
    yield "second-pickle-record", rezip(benign_checkpoint(), extra={"extra/payload.pkl": payload(os.system, "id")}), \
        {"CKL301"}
    yield "pickle-after-stop", with_data_pkl_after_stop(payload(os.system, "id")), {"CKL301"}
    yield "two-end-records-torch-reads-the-evil-one", two_end_records(payload(os.system, "id")), {"CKL301"}
    yield "local-central-names-differ", local_name_differs(), {"CKL403"}
    yield "wrong-crc-data-pkl", wrong_crc(), {"CKL403"}
    yield "encrypted-extra-record", encrypted("/extra/blob"), {"CKL403"}
    yield "encrypted-data-pkl", encrypted("/data.pkl"), {"CKL001", "CKL403"}
    yield "legacy-with-malicious-first-pickle", legacy_with_payload(), {"CKL001", "CKL301"}
    yield "limit-deep-nesting", deep_nesting(), {"CKL001"}
    yield "limit-huge-memo-index", huge_memo_index(), {"CKL001"}
    yield "limit-zip-bomb", zip_bomb(), {"CKL001", "CKL403"}
    yield "limit-billion-entries", many_entries_claimed(), {"CKL001"}
    yield "limit-200-aliases-of-a-64MiB-record", aliased_deflated_record(200, 64, "x"), {"CKL403"}
    yield "limit-4-aliases-of-a-1GiB-pkl-record", aliased_deflated_record(4, 1024, ".pkl"), {"CKL001", "CKL403"}
    yield "limit-65535-entries", many_entries_classic(), {"CKL001"}


def with_data_pkl_after_stop(second):
    data = benign_checkpoint()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        first = z.read(next(n for n in z.namelist() if n.endswith("/data.pkl")))
    return rezip(data, replace={"/data.pkl": first + second})


# ---------------------------------------------------------------- running ckptlint

def check(binary, path):
    """(exit code, findings) of `ckptlint check PATH --format json`; exit None on timeout."""
    try:
        proc = subprocess.run([binary, "check", path, "--format", "json"], capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, [], "timed out"
    try:
        report = json.loads(proc.stdout)
        findings = report["files"][0]["findings"]
    except (ValueError, KeyError, IndexError):
        findings = []
    return proc.returncode, findings, proc.stderr.decode(errors="replace")[:300]


def rules_of(findings):
    return {f["rule"] for f in findings}


def run_hostile(binary, workdir):
    problems = []
    for name, data, expected in hostile_cases():
        path = os.path.join(workdir, name + ".pt")
        with open(path, "wb") as f:
            f.write(data)
        code, findings, stderr = check(binary, path)
        got = rules_of(findings)
        ok = code in (1, 2) and got & expected
        print(f"{'PASS' if ok else 'FAIL'} {name}: exit {code}, rules {sorted(got)}")
        if not ok:
            problems.append(f"{name}: expected exit 1/2 with one of {sorted(expected)}, got exit {code} "
                            f"rules {sorted(got)} {stderr}")
    return problems


def run_dlc(binary, workdir):
    path = os.path.join(workdir, "dlc-numpy-metadata.pt")
    with open(path, "wb") as f:
        f.write(dlc_snapshot())
    code, findings, _ = check(binary, path)
    got = rules_of(findings)
    ok = "CKL302" in got and "CKL301" not in got and code == 0
    print(f"{'PASS' if ok else 'FAIL'} DeepLabCut-style numpy metadata: exit {code}, rules {sorted(got)}")
    return [] if ok else [f"numpy metadata: expected CKL302 only (exit 0), got exit {code} rules {sorted(got)}"]


def checkpoint_files(directory):
    for root, _, names in os.walk(directory):
        for name in sorted(names):
            if name.endswith((".pt", ".pth", ".ckpt", ".bin")):
                yield os.path.join(root, name)


def run_benign(binary, directories):
    problems, count = [], 0
    for directory in directories:
        for path in checkpoint_files(directory):
            count += 1
            code, findings, stderr = check(binary, path)
            unsafe = [f["message"] for f in findings if f["rule"] == "CKL301"]
            if code is None or code > 2 or unsafe:
                problems.append(f"{path}: exit {code}, CKL301 {unsafe[:2]} {stderr}")
    print(f"{'PASS' if not problems else 'FAIL'} no CKL301 on {count} benign checkpoints")
    return problems


def run_whole_modules(binary, workdir):
    """torch.save(model) of modules that hold an activation function or a weight-norm hook:
    benign, refused by weights_only, so CKL302 and never CKL301."""
    models = {"transformer_layer": torch.nn.TransformerEncoderLayer(8, 2),
              "weight_norm": torch.nn.utils.weight_norm(torch.nn.Linear(3, 2))}
    problems = []
    for name, model in models.items():
        path = os.path.join(workdir, f"whole_{name}.pt")
        torch.save(model, path)
        code, findings, stderr = check(binary, path)
        got = rules_of(findings)
        if code is None or code > 1 or "CKL301" in got or "CKL302" not in got:
            problems.append(f"whole module {name}: expected CKL302 and no CKL301, got exit {code} {sorted(got)} "
                            f"{[f['message'][:120] for f in findings if f['rule'] == 'CKL301']} {stderr}")
    print(f"{'PASS' if not problems else 'FAIL'} whole pickled modules are CKL302, not CKL301")
    return problems


def run_truncations(binary, source, workdir, samples=None):
    """Every proper prefix, or `samples` evenly spaced ones (plus the last 64) for larger files."""
    with open(source, "rb") as f:
        data = f.read()
    path = os.path.join(workdir, "truncated.pt")
    problems = []
    lengths = range(len(data))
    if samples:
        step = max(1, len(data) // samples)
        lengths = sorted(set(range(0, len(data), step)) | set(range(max(0, len(data) - 64), len(data))))
    for length in lengths:
        with open(path, "wb") as f:
            f.write(data[:length])
        code, findings, stderr = check(binary, path)
        if code not in (1, 2) or not findings:
            problems.append(f"prefix of {length} bytes: exit {code}, {len(findings)} findings {stderr}")
    print(f"{'PASS' if not problems else 'FAIL'} truncations of {os.path.basename(source)} ({len(lengths)} prefixes)")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ckptlint", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--fixtures", help="benign fixture checkpoints (make_fixtures.py output)")
    ap.add_argument("--corpus", help="the shared corpus of real checkpoints; skipped when absent")
    ap.add_argument("--truncate", action="append", default=[], help="a small checkpoint to truncate at every length")
    ap.add_argument("--truncate-sample", action="append", default=[], help="a larger checkpoint: 400 sampled lengths")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    problems = run_hostile(args.ckptlint, args.workdir)
    problems += run_dlc(args.ckptlint, args.workdir)
    problems += run_whole_modules(args.ckptlint, args.workdir)
    benign = [d for d in (args.fixtures, args.corpus) if d and os.path.isdir(d)]
    problems += run_benign(args.ckptlint, benign)
    for source in args.truncate:
        problems += run_truncations(args.ckptlint, source, args.workdir)
    for source in args.truncate_sample:
        problems += run_truncations(args.ckptlint, source, args.workdir, samples=400)
    for problem in problems[:30]:
        print("    " + problem)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
