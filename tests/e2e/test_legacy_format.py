#!/usr/bin/python3
"""Legacy (non-zip) torch.save files that break the format's rules, against Debian's torch.load.

Usage: test_legacy_format.py --ckptlint BIN --workdir DIR

Each variant is written here (legacy_tools.py and byte edits of a real torch-written file) and
loaded with torch.load first: where torch fails, `ckptlint inspect` must fail (exit 2, one error
line naming the legacy format and the cause) and `check` must report CKL001; where torch loads
it, ckptlint must read it and report the named read issue (and its rule in `check`). Pickles
that torch runs before it looks at the data (sys_info, the key list) must be scanned: a payload
there is CKL301.
"""
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import warnings

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import legacy_tools  # noqa: E402

from cli_harness import binary_and_workdir

warnings.simplefilter("ignore")


class Reduce:
    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def torch_legacy(obj):
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=False)
    return buf.getvalue()


def pickle_spans(data):
    """(start, end) of the five pickles of a legacy file."""
    import pickletools
    stream, spans = io.BytesIO(data), []
    for _ in range(5):
        start = stream.tell()
        for _ in pickletools.genops(stream):
            pass
        spans.append((start, stream.tell()))
    return spans


def sample():
    return {"a": torch.arange(6, dtype=torch.float32), "b": torch.ones(4, dtype=torch.float16)}


def count_changed(delta):
    data = torch_legacy(sample())
    first = pickle_spans(data)[4][1]
    count, = struct.unpack_from("<q", data, first)
    return data[:first] + struct.pack("<q", count + delta) + data[first + 8:]


def replace_pickle(index, new_pickle):
    data = torch_legacy(sample())
    start, end = pickle_spans(data)[index]
    return data[:start] + new_pickle + data[end:]


def payload(func, *args):
    return pickle.dumps(Reduce(func, args), protocol=2)


def cases():
    """(name, bytes, expected): expected is ("error", phrase) when torch refuses the file, else
    ("issue", read-issue kind, rule) or ("rule", rule). A view past its storage is refused by
    torch but, as in zip files, an error finding of its own (CKL402) rather than CKL001."""
    a, c = torch.ones(3), torch.zeros(2)
    yield "count-one-less", count_changed(-1), ("error", "storage has wrong byte size")
    yield "count-one-more", count_changed(+1), ("error", "storage has wrong byte size")
    yield "truncated-data", torch_legacy(sample())[:-1], ("error", "truncated")
    yield "truncated-count", torch_legacy(sample())[:pickle_spans(torch_legacy(sample()))[4][1] + 4], \
        ("error", "truncated")
    yield "bad-protocol-version", replace_pickle(1, pickle.dumps(1002, protocol=2)), ("error", "protocol version")
    yield "key-list-names-unknown-storage", replace_pickle(4, pickle.dumps(["12345"], protocol=2)), \
        ("error", "no persistent id")
    yield "storage-left-out-of-key-list", legacy_tools.write_legacy({"a": a, "c": c}, edit_keys=lambda k: k[:1]), \
        ("issue", "storage-missing", "CKL401")
    yield "storage-listed-twice", legacy_tools.write_legacy({"a": a, "c": c}, edit_keys=lambda k: k + k[:1]), \
        ("issue", "duplicate-name", "CKL403")
    yield "bytes-after-the-storages", torch_legacy(sample()) + b"junk", ("issue", "data-after-stop", "CKL403")
    view_base = torch.arange(4.0)
    yield "view-past-its-storage", legacy_tools.write_legacy(
        {"v": view_base[1:3]}, views={legacy_tools.storage_key(view_base): ("view", 2, 4)}), \
        ("issue", "view-out-of-bounds", "CKL402", "torch refuses")
    yield "payload-in-main-pickle", legacy_tools.write_legacy({"w": torch.zeros(2), "x": Reduce(os.system, ("true",))}), \
        ("rule", "CKL301")
    yield "payload-in-sys_info", replace_pickle(2, payload(os.system, "true")), ("rule", "CKL301")


def torch_loads(path):
    try:
        torch.load(path)
        return True, ""
    except Exception as e:  # what torch raises varies: RuntimeError, AssertionError, ...
        return False, f"{type(e).__name__}: {e}"


def run(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True, errors="replace", timeout=60)


def check_case(binary, path, expected):
    problems = []
    inspect = run(binary, "inspect", "--format", "json", path)
    check = run(binary, "check", "--format", "json", path)
    try:
        findings = json.loads(check.stdout)["files"][0]["findings"]
    except (ValueError, KeyError, IndexError):
        return [f"check printed no JSON report (exit {check.returncode}): {check.stderr[:200]!r}"]
    rules = {f["rule"] for f in findings}
    if expected[0] == "error":
        lines = inspect.stderr.splitlines()
        if inspect.returncode != 2 or inspect.stdout or len(lines) != 1:
            problems.append(f"inspect: expected exit 2 and one error line, got {inspect.returncode} {inspect.stderr[:200]!r}")
        elif "legacy torch.save format" not in lines[0] or expected[1] not in lines[0]:
            problems.append(f"inspect error does not say 'legacy torch.save format' and '{expected[1]}': {lines[0]!r}")
        if check.returncode != 2 or "CKL001" not in rules:
            problems.append(f"check: expected exit 2 with CKL001, got {check.returncode} {sorted(rules)}")
        return problems
    if inspect.returncode != 0:
        return [f"inspect failed on a file torch loads: {inspect.stderr[:200]!r}"]
    if expected[0] == "issue":
        kinds = {issue["kind"] for issue in json.loads(inspect.stdout)["read_issues"]}
        if expected[1] not in kinds:
            problems.append(f"inspect: no '{expected[1]}' read issue (got {sorted(kinds)})")
    rule = expected[2] if expected[0] == "issue" else expected[1]
    if rule not in rules or check.returncode not in (1, 2):
        problems.append(f"check: expected {rule} and exit 1, got exit {check.returncode} {sorted(rules)}")
    return problems


def main():
    ckptlint, workdir = binary_and_workdir(description=__doc__.splitlines()[0])
    failed = total = 0
    for name, data, expected in cases():
        total += 1
        path = os.path.join(workdir, name + ".pt")
        with open(path, "wb") as f:
            f.write(data)
        problems = []
        if expected[0] != "rule":  # payloads are never loaded here
            loads, error = torch_loads(path)
            if loads == (expected[0] == "error" or expected[-1] == "torch refuses"):
                problems.append(f"torch.load {'loads' if loads else 'refuses'} it ({error[:120]}); the test expects "
                                f"the opposite")
        problems += check_case(ckptlint, path, expected)
        failed += bool(problems)
        print(f"{'FAIL' if problems else 'PASS'} {name}")
        for problem in problems:
            print(f"    {problem}")
    print(f"{total - failed}/{total} legacy cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
