#!/usr/bin/env python3
"""Check that `ckptlint inspect` fails closed on unreadable inputs.

Usage: test_errors.py --ckptlint BIN --workdir DIR [--sample ZIP_CHECKPOINT] [--legacy LEGACY_FILE]
                      [--truncate SMALL_CHECKPOINT]...
Standard library only. For every bad input, `inspect` (text and JSON) must exit 2, print
nothing on stdout and exactly one stderr line "ckptlint: error: FILE: ...". With --truncate,
every proper prefix of that file must fail the same way (never a crash, never "clean").
"""
import argparse
import functools
import io
import os
import pickle
import random
import re
import struct
import subprocess
import sys
import zipfile

EOCD_SIG = b"PK\x05\x06"
ERROR_PREFIX = re.compile(r"^ckptlint: error: ")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def central_directory(data):
    """(offset, size) of the central directory, read from the (zip64) end records."""
    eocd = data.rfind(EOCD_SIG)
    if eocd < 0:
        raise ValueError("no end of central directory record")
    size, offset = struct.unpack_from("<II", data, eocd + 12)
    if offset == 0xFFFFFFFF or size == 0xFFFFFFFF:
        # zip64 locator sits right before the EOCD and points at the zip64 EOCD record
        (zip64_eocd,) = struct.unpack_from("<Q", data, eocd - 20 + 8)
        size, offset = struct.unpack_from("<QQ", data, zip64_eocd + 40)
    return offset, size


def corrupt_eocd(data):
    pos = data.rfind(EOCD_SIG)
    return data[:pos] + b"PK\x05\x07" + data[pos + 4:]


def torch_like_zip(members):
    """A well-formed stored zip with torch's `archive/` layout."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            z.writestr("archive/" + name, data)
    return buf.getvalue()


def make_cases(workdir, sample, legacy):
    """Yield (name, path, extra checks) where the extra check may be 'legacy'."""
    j = functools.partial(os.path.join, workdir)
    yield "missing file", j("does-not-exist.pt"), set()
    os.makedirs(j("a-directory.pt"), exist_ok=True)
    yield "directory", j("a-directory.pt"), set()
    yield "empty file", write(j("empty.pt"), b""), set()
    rng = random.Random(1234)
    yield "random garbage", write(j("garbage.pt"), bytes(rng.getrandbits(8) for _ in range(1000))), set()

    good_pickle = pickle.dumps({"a": 1}, protocol=2)
    valid = torch_like_zip({"data.pkl": good_pickle, "version": b"3\n"})
    yield "zip with corrupted EOCD signature", \
        write(j("bad-eocd.pt"), corrupt_eocd(valid)), set()
    yield "zip with truncated data.pkl", write(j("truncated-pickle.pt"), torch_like_zip(
        {"data.pkl": good_pickle[:-3], "version": b"3\n"})), set()
    yield "zip without data.pkl", write(j("no-data-pkl.pt"), torch_like_zip(
        {"version": b"3\n", "data/0": b"\0" * 16})), set()

    if sample:
        with open(sample, "rb") as f:
            data = f.read()
        offset, size = central_directory(data)
        yield "sample cut inside central directory", \
            write(j("cut-central-dir.pt"), data[:offset + size // 2]), set()
        yield "sample cut to 100 bytes", write(j("cut-100.pt"), data[:100]), set()
        yield "sample with corrupted EOCD signature", \
            write(j("sample-bad-eocd.pt"), corrupt_eocd(data)), set()
    else:
        print("skip truncated-sample cases: no --sample given")
    if legacy:
        # a neutral name: the message, not the path, must say "legacy"
        with open(legacy, "rb") as f:
            data = f.read()
        yield "legacy (non-zip) torch file cut inside its last storage", \
            write(j("old-format.pt"), data[:-3]), {"legacy"}
    else:
        print("skip legacy case: no --legacy given")


def check(binary, path, extra, fmt_args):
    """Return a list of problems with one `inspect` run."""
    cmd = [binary, "inspect", *fmt_args, path]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return [f"could not run {cmd}: {e}"]
    problems = []
    if proc.returncode != 2:
        problems.append(f"exit code {proc.returncode}, expected 2")
    if proc.stdout:
        problems.append(f"stdout not empty: {proc.stdout[:200]!r}")
    lines = proc.stderr.splitlines()
    if len(lines) != 1 or not lines[0].strip():
        problems.append(f"stderr should be exactly one non-empty line, got {proc.stderr[:400]!r}")
    elif path not in lines[0]:
        problems.append(f"stderr does not name {path}: {lines[0]!r}")
    if not ERROR_PREFIX.match(proc.stderr):
        problems.append(f"stderr does not start with 'ckptlint: error: ': {proc.stderr[:200]!r}")
    if "legacy" in extra and not re.search(r": legacy torch\.save format", proc.stderr):
        problems.append(f"stderr does not mention 'legacy': {proc.stderr[:200]!r}")
    return problems


def truncation_sweep(binary, source, workdir):
    """Every proper prefix of `source` (cut mid-record, mid-directory, mid-end-record)."""
    with open(source, "rb") as f:
        data = f.read()
    path = os.path.join(workdir, "truncated.pt")
    problems = []
    for length in range(len(data)):
        write(path, data[:length])
        problems += [f"prefix of {length} bytes: {p}" for p in check(binary, path, set(), ["--format", "json"])]
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ckptlint", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--sample", help="a real torch zip checkpoint to truncate")
    ap.add_argument("--legacy", help="a legacy (non-zip) torch.save file")
    ap.add_argument("--truncate", action="append", default=[],
                    help="a small real checkpoint; every proper prefix must fail cleanly (repeatable)")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    failed = total = 0
    for name, path, extra in make_cases(args.workdir, args.sample, args.legacy):
        for fmt_args in ([], ["--format", "json"]):
            total += 1
            label = f"{name}{' (json)' if fmt_args else ''}"
            problems = check(args.ckptlint, path, extra, fmt_args)
            print(f"{'FAIL' if problems else 'PASS'} {label}")
            for p in problems:
                print(f"    {p}")
            failed += bool(problems)
    for source in args.truncate:
        total += 1
        problems = truncation_sweep(args.ckptlint, source, args.workdir)
        print(f"{'FAIL' if problems else 'PASS'} every truncation of {os.path.basename(source)}")
        for p in problems[:10]:
            print(f"    {p}")
        failed += bool(problems)
    print(f"{total - failed}/{total} error cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
