#!/usr/bin/python3
"""ckptlint's pickle reader against CPython's pickler, protocols 0-5.

For each test object and protocol, pickle.dumps() writes a stream, `pickle_dump` (ckptlint's
reader) turns it into a JSON value tree, and this script rebuilds a Python object from that tree
-- calling only a small allowlist of constructors -- and compares it with the original. Shared
references and cycles must come back as shared references and cycles. Standard library only.
"""
import codecs
import collections
import copyreg
import json
import os
import pickle
import subprocess
import sys

from cli_harness import binary_and_workdir


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return type(other) is Point and self.__dict__ == other.__dict__


# What a rebuilt tree may call: the constructors Python's pickler uses for these objects.
ALLOWED = {
    ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
    ("builtins", "bytearray"): bytearray, ("builtins", "bytes"): bytes,
    ("builtins", "complex"): complex, ("builtins", "object"): object,
    ("_codecs", "encode"): codecs.encode, ("collections", "OrderedDict"): collections.OrderedDict,
    ("copyreg", "_reconstructor"): copyreg._reconstructor, ("__main__", "Point"): Point,
}


def objects():
    shared = [1]
    recursive_list = []
    recursive_list.append(recursive_list)
    recursive_dict = {}
    recursive_dict["self"] = recursive_dict
    return {
        "scalars": [None, True, False, 0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31 - 1, 2**31, 2**40,
                    -2**63, 2**63, 2**64, -(2**100), 10**40, 0.0, -0.5, 1e300, 3.141592653589793],
        "strings": ["", "ascii", "héllo wörld ✓ 🐍", "x" * 300, "line\nbreak\\ 'q' \"dq\"\r\x00\x1a"],
        "bytes": [b"", b"\x00\xff bytes", bytearray(b"ba")],
        "tuples": [(), (1,), (1, 2), (1, 2, 3), tuple(range(10))],
        "lists": [[], [1, [2, [3]]], list(range(2500))],
        "dicts": [{}, {"a": 1, 2: "b", None: [], (1, 2): "tuple key", True: "bool key"},
                  {str(i): i for i in range(2500)}],
        "sets": [set(), {1, 2, 3}, frozenset({"a"})],
        "ordered dict": collections.OrderedDict([("w", 1), ("b", 2)]),
        "complex": complex(1, 2),
        "instance": Point(1, [2, 3]),
        "shared": [shared, shared, (shared,)],
        "recursive list": recursive_list,
        "recursive dict": recursive_dict,
    }


# Hand-written streams whose literal forms CPython reads in surprising ways: (bytes, encoding).
# torch.load unpickles with encoding="utf-8"; the Latin-1 case is what ckptlint falls back to.
RAW_STREAMS = [
    (b"I010\n.", "utf-8"), (b"I0x3\n.", "utf-8"), (b"I 5\n.", "utf-8"), (b"I+1\n.", "utf-8"),
    (b"I\n.", "utf-8"), (b"L\n.", "utf-8"), (b"LL\n.", "utf-8"), (b"F\n.", "utf-8"), (b"I-0\n.", "utf-8"), (b"I99999999999999999999\n.", "utf-8"), (b"I08\n.", "utf-8"),
    (b"I1_0\n.", "utf-8"), (b"L010L\n.", "utf-8"), (b"L0x10L\n.", "utf-8"), (b"L1_000L\n.", "utf-8"),
    (b"L  12  L\n.", "utf-8"), (b"L-0L\n.", "utf-8"), (b"L0b101\n.", "utf-8"), (b"L1__0L\n.", "utf-8"),
    (b"L0x_fL\n.", "utf-8"), (b"L_1L\n.", "utf-8"), (b"L1_L\n.", "utf-8"),
    (b"Vw\\\\u0041\n.", "utf-8"), (b"Vw\\u0041\n.", "utf-8"), (b"Vw\\\\\\u0041\n.", "utf-8"),
    (b"V\\U0001f40d\n.", "utf-8"), (b"V\\u12\n.", "utf-8"),
    (b"\x80\x02X\x03\x00\x00\x00w\xc0\xae.", "utf-8"), (b"\x80\x02X\x02\x00\x00\x00\xc3\xa9.", "utf-8"),
    (b"\x80\x02X\x04\x00\x00\x00\xf4\x90\x80\x80.", "utf-8"), (b"\x80\x02X\x02\x00\x00\x00\xe0\x80.", "utf-8"),
    (b"\x80\x02U\x02w\xff.", "latin1"), (b"S'a\\x41\\n'\n.", "utf-8"),
    (b"\x80\x02U\x03\xed\xa0\x80.", "latin1"),  # a surrogate: not UTF-8 in Python 2 strings...
    (b"\x80\x02X\x03\x00\x00\x00\xed\xa0\x80.", "utf-8"),  # ...allowed in BINUNICODE (surrogatepass)
    (b"L0x" + b"f" * 300 + b"L\n.", "utf-8"), (b"L-0o" + b"7" * 200 + b"L\n.", "utf-8"),
    (b"L0b" + b"1" * 70 + b"L\n.", "utf-8"), (b"L-9223372036854775808L\n.", "utf-8"),
    (b"L9223372036854775808L\n.", "utf-8"), (b"L" + b"9" * 4301 + b"L\n.", "utf-8"),
    # {1: 'a', True: 'b'}: True == 1, so one entry, first key kept, last value
    (b"\x80\x02}(K\x01X\x01\x00\x00\x00a\x88X\x01\x00\x00\x00bu.", "utf-8"),
]


def rebuild(node, memo):
    if "ref" in node:
        return memo[node["ref"]]
    for scalar in ("none", "bool", "float"):
        if scalar in node:
            return None if scalar == "none" else node[scalar]
    if "str" in node:  # UTF-8 bytes in hex: surrogates (surrogatepass) survive the trip
        return bytes.fromhex(node["str"]).decode("utf-8", "surrogatepass")
    if "int" in node:
        return int(node["int"], 0)  # decimal, or hex beyond int64
    if "bytes" in node:
        return bytes.fromhex(node["bytes"])
    if "global" in node:
        found = ALLOWED.get(tuple(node["global"]))
        if found is None:
            raise ValueError(f"global not allowed in a rebuild: {node['global']}")
        memo[node["id"]] = found
        return found
    if "list" in node:
        out = memo[node["id"]] = []
        out.extend(rebuild(item, memo) for item in node["list"])
        return out
    if "dict" in node:
        out = memo[node["id"]] = {}
        for key, value in node["dict"]:
            out[rebuild(key, memo)] = rebuild(value, memo)
        return out
    if "set" in node:
        out = memo[node["id"]] = set()
        out.update(rebuild(item, memo) for item in node["set"])
        return out
    if "tuple" in node or "frozenset" in node:
        kind = "tuple" if "tuple" in node else "frozenset"
        out = (tuple if kind == "tuple" else frozenset)(rebuild(item, memo) for item in node[kind])
        memo[node["id"]] = out
        return out
    if "call" in node:
        callee = rebuild(node["call"][0], memo)
        args = rebuild(node["call"][1], memo)
        out = callee.__new__(callee, *args) if node["kind"] == "newobj" else callee(*args)
        memo[node["id"]] = out
        for key, value in node["entries"]:
            out[rebuild(key, memo)] = rebuild(value, memo)
        for item in node["appended"]:
            out.append(rebuild(item, memo))
        if node["state"] is not None:
            out.__dict__.update(rebuild(node["state"], memo))
        return out
    raise ValueError(f"unexpected node {node}")


def strict(a, b):
    """Equality that also demands equal types all the way down (1, True and 1.0 differ) and
    equal dict order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(strict(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return len(a) == len(b) and all(strict(ka, kb) and strict(va, vb)
                                        for (ka, va), (kb, vb) in zip(a.items(), b.items()))
    if isinstance(a, (set, frozenset)):
        return {(type(x), x) for x in a} == {(type(x), x) for x in b}
    if isinstance(a, Point):
        return strict(a.__dict__, b.__dict__)
    return a == b


def same(original, rebuilt, name):
    if name == "shared":
        return rebuilt[0] is rebuilt[1] and rebuilt[2][0] is rebuilt[0] and rebuilt[0] == [1]
    if name == "recursive list":
        return isinstance(rebuilt, list) and len(rebuilt) == 1 and rebuilt[0] is rebuilt
    if name == "recursive dict":
        return isinstance(rebuilt, dict) and rebuilt["self"] is rebuilt
    if isinstance(original, bytearray):  # rebuilt through bytearray(bytes) or BYTEARRAY8 (bytes)
        return bytes(original) == bytes(rebuilt)
    if isinstance(original, list):
        return len(original) == len(rebuilt) and all(same(a, b, "") for a, b in zip(original, rebuilt))
    return strict(original, rebuilt)


def main():
    pickle_dump, workdir = binary_and_workdir("--pickle-dump")
    failures = total = 0
    for name, obj in objects().items():
        for protocol in range(6):
            total += 1
            data = pickle.dumps(obj, protocol=protocol)
            path = os.path.join(workdir, f"{name.replace(' ', '_')}.p{protocol}.pkl")
            with open(path, "wb") as f:
                f.write(data + b"trailing")  # bytes after STOP are not part of the pickle
            proc = subprocess.run([pickle_dump, path], capture_output=True, text=True)
            problem = None
            if proc.returncode != 0:
                problem = f"reader failed: {proc.stderr.strip()}"
            else:
                document = json.loads(proc.stdout)
                try:
                    rebuilt = rebuild(document["root"], {})
                    if not same(obj, rebuilt, name):
                        problem = f"rebuilt {rebuilt!r:.200} != original {obj!r:.200}"
                    elif document["end"] != len(data):
                        problem = f"STOP at {document['end']}, expected {len(data)}"
                except (ValueError, TypeError, KeyError) as error:
                    problem = f"cannot rebuild: {error}"
            print(f"{'FAIL' if problem else 'PASS'} {name} protocol {protocol}" + (f": {problem}" if problem else ""))
            failures += problem is not None
    for index, (data, encoding) in enumerate(RAW_STREAMS):
        total += 1
        path = os.path.join(workdir, f"raw{index}.pkl")
        with open(path, "wb") as f:
            f.write(data)
        try:
            expected, expected_error = pickle.loads(data, encoding=encoding), None
        except Exception as error:  # noqa: BLE001 - any refusal by CPython counts
            expected, expected_error = None, error
        proc = subprocess.run([pickle_dump, path], capture_output=True, text=True)
        if proc.returncode != 0:
            agree = expected_error is not None
            got = f"error ({proc.stderr.strip()})"
        else:
            rebuilt = rebuild(json.loads(proc.stdout)["root"], {})
            agree = expected_error is None and strict(expected, rebuilt)
            got = repr(rebuilt)
        want = f"error ({expected_error})" if expected_error is not None else repr(expected)
        print(f"{'PASS' if agree else 'FAIL'} raw stream {data!r}: CPython {want}, ckptlint {got}")
        failures += not agree
    print(f"{total - failures}/{total} pickles read as CPython wrote them")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
