#!/usr/bin/env python3
"""safetensors files and sharded checkpoints through `inspect`, `check`, `spec` and `--model`.

Usage: test_safetensors.py --ckptlint BIN --fixtures DIR --workdir DIR
DIR holds what tests/fixtures/make_safetensors.py wrote (truth.json and the files). Every
malformed-header case is written here, one per validation rule of the reference reader, and
must be CKL001 (exit 2) with a message naming what is wrong. Standard library only, but for
the checks that need torch to write or load a file.
"""
import argparse
import hashlib
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import safetensors_io  # noqa: E402
from cli_harness import check, finish, run  # noqa: E402
from compare_with_truth import compare_tensors  # noqa: E402


def inspect_json(exe, path):
    code, out, err = run(exe, "inspect", "--format", "json", path)
    return code, (json.loads(out) if code == 0 else None), err


def findings_of(exe, *args):
    code, out, err = run(exe, "check", "--format", "json", *args)
    try:
        document = json.loads(out)
    except json.JSONDecodeError:
        return code, [], err
    return code, [f for file in document["files"] for f in file["findings"]], err


def file_bytes_at(path, offset, size):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(size)


def test_truth(exe, fixtures, truth):
    """Tensors as the independent reader and torch.load see them; bytes where ckptlint says."""
    for name, entry in truth.items():
        path = os.path.join(fixtures, name)
        code, document, err = inspect_json(exe, path)
        check(f"inspect {name}: exit 0", code == 0, err)
        if document is None:
            continue
        tensors = document["tensors"]
        problems = compare_tensors(entry["tensors"], tensors)
        check(f"inspect {name}: tensors as the truth", not problems, "\n".join(problems))
        located = []
        for expected, got in zip(entry["tensors"], tensors):
            if "shard" in expected:
                located.append(os.path.basename(got.get("shard", "")) == expected["shard"])
            if "sha256" in expected:
                storage = got.get("storage", {})
                source = os.path.join(os.path.dirname(path), expected["shard"]) if "shard" in expected else path
                located.append(storage.get("data_offset") == expected["data_offset"] and
                               storage.get("record_size") == expected["storage_nbytes"] and
                               hashlib.sha256(file_bytes_at(source, storage["data_offset"], storage["record_size"]))
                               .hexdigest() == expected["sha256"])
        check(f"inspect {name}: every tensor's bytes and shard where ckptlint says", all(located), located)
        if "metadata" in entry:
            check(f"inspect {name}: __metadata__ shown", document.get("metadata") == entry["metadata"],
                  document.get("metadata"))
        code, findings, err = findings_of(exe, path)
        check(f"check {name}: clean", code == 0 and not findings, (code, findings, err))


def test_model_definitions(exe, fixtures, truth):
    model = os.path.join(fixtures, "model.safetensors")
    code, out, err = run(exe, "spec", model)
    entries = json.loads(out)["entries"] if code == 0 else []
    key = lambda e: e["key"]  # noqa: E731
    check("spec of a safetensors file: the model's parameters and buffers",
          sorted(entries, key=key) == sorted(truth["model.safetensors"]["model_entries"], key=key), (entries, err))
    code, findings, err = findings_of(exe, os.path.join(fixtures, "model_state_dict.pt"), "--model", model)
    check("--model x.safetensors: the same model's torch.save file is clean", code == 0 and not findings, findings)
    code, findings, err = findings_of(exe, os.path.join(fixtures, "model_dataparallel.pt"), "--model", model)
    check("--model x.safetensors: a DataParallel snapshot is CKL103",
          code == 1 and [f["rule"] for f in findings] == ["CKL103"], findings)
    code, findings, err = findings_of(exe, model, "--model", os.path.join(fixtures, "model_state_dict.pt"))
    check("a safetensors snapshot against a torch.save reference: clean", code == 0 and not findings, findings)
    st_index = os.path.join(fixtures, "sharded_st", "model.safetensors.index.json")
    code, out, err = run(exe, "spec", st_index)
    entries = json.loads(out)["entries"] if code == 0 else []
    check("spec of a sharded index: every key of every shard",
          sorted(entries, key=key) == sorted(truth["sharded_st/model.safetensors.index.json"]["model_entries"], key=key),
          (entries, err))
    missing = os.path.join(fixtures, "sharded_missing", "model.safetensors.index.json")
    code, findings, err = findings_of(exe, st_index, "--model", missing)
    check("--model with a missing shard: refused (exit 2)", code == 2 and "incomplete sharded model definition" in err,
          (code, err))


def test_sharded_problems(exe, fixtures):
    missing = os.path.join(fixtures, "sharded_missing", "model.safetensors.index.json")
    code, findings, err = findings_of(exe, missing)
    check("missing shard: CKL401 error, never clean",
          code == 1 and [(f["rule"], f["level"]) for f in findings] == [("CKL401", "error")] and
          "model-00002-of-00002.safetensors" in findings[0]["message"], (code, findings, err))
    code, document, err = inspect_json(exe, missing)
    check("missing shard: inspect lists the readable shard's tensors and a note",
          code == 0 and len(document["tensors"]) == 3 and any("cannot be read" in n for n in document["notes"]),
          (code, err))

    disagree = os.path.join(fixtures, "sharded_disagree", "model.safetensors.index.json")
    code, findings, err = findings_of(exe, disagree)
    got = sorted((f["rule"], f["level"], f.get("key") or "") for f in findings)
    expected = sorted([("CKL401", "error", "d"), ("CKL403", "warning", "b"), ("CKL403", "error", "dup"),
                       ("CKL403", "warning", "extra"), ("CKL403", "note", "")])
    check("index/shard disagreement: one finding per disagreement, by rule and level", code == 1 and got == expected,
          (code, got, err))
    code, document, err = inspect_json(exe, disagree)
    keys = [t["path"] for t in document["tensors"]] if document else []
    check("index/shard disagreement: keys sorted, unindexed included, lost key absent",
          keys == [["a"], ["b"], ["c"], ["dup"], ["extra"]], keys)

    unsafe = os.path.join(fixtures, "sharded_unsafe", "pytorch_model.bin.index.json")
    code, findings, err = findings_of(exe, unsafe)
    check("a shard whose pickle calls os.system: CKL301 through the index",
          code == 1 and any(f["rule"] == "CKL301" and "os.system" in f["message"] or f["rule"] == "CKL301" and
                            "posix.system" in f["message"] for f in findings), (code, findings, err))

    escape = os.path.join(fixtures, "sharded_escape", "model.safetensors.index.json")
    code, out, err = run(exe, "check", escape)
    check("a shard name leaving the index's folder: exit 2", code == 2 and "leaves the index's folder" in out + err,
          (code, out, err))


def test_json_inputs(exe, workdir):
    cases = [("plain.json", b'{"a": 1}', "neither a ckptlint model spec nor a shard index"),
             ("bad_weight_map.json", b'{"weight_map": [1, 2]}', '"weight_map" must be an object'),
             ("bad_file.json", b'{"weight_map": {"a": 3}}', 'member "a" must be a file name'),
             ("spec.json", b'{"format": "ckptlint-spec", "version": 1, "entries": []}', "give it to --model")]
    for name, text, message in cases:
        path = os.path.join(workdir, name)
        with open(path, "wb") as f:
            f.write(text)
        code, out, err = run(exe, "inspect", path)
        check(f"JSON input {name}: exit 2 with a clear error", code == 2 and message in err, (code, err))


def malformed_cases():
    """(name, file bytes, expected message part): one per validation rule."""
    good = {"a": ("F32", [2, 2], bytes(16)), "b": ("I8", [3], bytes(3))}
    header, data = safetensors_io.layout(good)

    def with_entry(name, **changes):
        changed = json.loads(json.dumps(header))
        changed[name].update(changes)
        return changed

    def file(head, body=data, text=None):
        return safetensors_io.file_bytes(head, body, text)

    def raw_length(length, rest):
        return struct.pack("<Q", length) + rest

    text = safetensors_io.header_bytes(header)
    yield "length_too_large", raw_length(100_000_001, text + data), "exceeds the limit of 100000000 bytes"
    yield "length_past_end", raw_length(len(text) + len(data) + 1, text + data), "reaches past the end"
    yield "not_utf8", file(None, text=b'{"a\xff":{}}   '), "not valid UTF-8"
    yield "not_json", file(None, text=b'{"a": {"dtype"  '), "not valid JSON"
    yield "entry_not_object", file(dict(header, a=3)), 'tensor "a": its entry must be an object'
    yield "missing_field", file({"a": {"dtype": "F32", "shape": [2, 2]}, "b": header["b"]}), \
        'tensor "a": missing field "data_offsets"'
    yield "unknown_field", file(with_entry("a", extra=1)), 'tensor "a": unknown field "extra"'
    yield "duplicate_field", file(None, text=b'{"a":{"dtype":"F32","dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}'), \
        'field "dtype" appears twice'
    yield "unknown_dtype", file(with_entry("a", dtype="F17")), 'tensor "a": unknown dtype "F17"'
    yield "dtype_not_string", file(with_entry("a", dtype=32)), '"dtype" must be a string'
    yield "negative_shape", file(with_entry("a", shape=[2, -2])), '"shape" must be an array of non-negative integers'
    yield "float_shape", file(with_entry("a", shape=[2.0, 2])), '"shape" must be an array of non-negative integers'
    yield "offsets_arity", file(with_entry("b", data_offsets=[16])), '"data_offsets" must be two non-negative integers'
    yield "offsets_reversed", file(with_entry("b", data_offsets=[19, 16])), "[19, 16] end before they begin"
    yield "offsets_gap", file(with_entry("b", data_offsets=[17, 20]), data + b"\0"), \
        'tensor "b": data_offsets [17, 20] leave a gap after the previous tensor\'s end (16)'
    yield "offsets_overlap", file(with_entry("b", data_offsets=[15, 18])), \
        'tensor "b": data_offsets [15, 18] overlap the previous tensor\'s end (16)'
    yield "offsets_not_from_zero", file({"b": {"dtype": "I8", "shape": [3], "data_offsets": [1, 4]}}, bytes(4)), \
        "leave a gap after the buffer's start (0)"
    yield "size_mismatch", file(with_entry("a", shape=[2, 3])), "data_offsets [0, 16] hold 16 bytes, but F32 [2, 3] needs 24"
    yield "element_overflow", file(with_entry("a", shape=[2 ** 32, 2 ** 32, 2])), "overflows when counting elements"
    yield "bit_overflow", file(with_entry("a", dtype="F64", shape=[2 ** 62])), "overflow the byte count"
    yield "sub_byte", file({"a": {"dtype": "F4", "shape": [3], "data_offsets": [0, 2]}}, bytes(2)), \
        "do not end on a byte boundary"
    yield "trailing_bytes", file(header, data + b"tail"), "(4 trailing bytes)"
    yield "missing_bytes", file(header, data[:-2]), "(2 bytes missing)"
    yield "duplicate_name", file(None, text=b'{"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]},'
                                            b'"a":{"dtype":"I8","shape":[1],"data_offsets":[1,2]}}'), \
        'tensor "a" appears twice in the header'
    yield "metadata_not_string", file(dict(header, __metadata__={"k": 1})), '"__metadata__" member "k" must be a string'
    yield "metadata_not_object", file(dict(header, __metadata__=["k"])), '"__metadata__" must be an object of strings'
    yield "unsupported_dtype", file({"a": {"dtype": "F4", "shape": [4], "data_offsets": [0, 2]}}, bytes(2)), \
        "dtype F4 has no PyTorch equivalent (unsupported dtype)"


def test_malformed(exe, workdir):
    for name, blob, message in malformed_cases():
        path = os.path.join(workdir, name + ".safetensors")
        with open(path, "wb") as f:
            f.write(blob)
        code, findings, err = findings_of(exe, path)
        check(f"malformed {name}: CKL001 with the message", code == 2 and [f["rule"] for f in findings] == ["CKL001"] and
              message in findings[0]["message"], (code, findings, err, message))
        code, out, err = run(exe, "inspect", path)
        check(f"malformed {name}: inspect exit 2, one line", code == 2 and message in err and err.count("\n") == 1,
              (code, err))


def load_strictly(path, fixtures):
    """Loads a safetensors file (read by the test's own reader) into the fixture model with
    load_state_dict(strict=True): PyTorch is the judge of the rewritten file."""
    import torch
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
    from make_safetensors import small_model, tensor_from
    model = small_model()
    _, entries = safetensors_io.read(path)
    model.load_state_dict({name: tensor_from(dtype, shape, raw) for name, dtype, shape, raw, _ in entries}, strict=True)
    reference = torch.load(os.path.join(fixtures, "model_state_dict.pt"))
    return all(torch.equal(model.state_dict()[k], reference[k]) for k in reference)


def writer_order_ok(path):
    """The reference writer's layout: descending dtype alignment then name, header padded to 8."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
    _, entries = safetensors_io.read(path)
    keys = [(-safetensors_io.DTYPE_RANK[dtype], name.encode()) for name, dtype, _, _, _ in entries]
    return n % 8 == 0 and keys == sorted(keys)


def test_apply(exe, fixtures, workdir):
    model = os.path.join(fixtures, "model.safetensors")
    wrapped = os.path.join(fixtures, "model_dataparallel.safetensors")
    fixed = os.path.join(workdir, "fixed.safetensors")
    if os.path.exists(fixed):
        os.remove(fixed)
    code, out, err = run(exe, "check", wrapped, "--model", model, "--apply", "-o", fixed)
    check("--apply on a DataParallel safetensors file: exit 0", code == 0 and os.path.exists(fixed), (code, out, err))
    if code == 0:
        before_meta, before = safetensors_io.read(wrapped)
        after_meta, after = safetensors_io.read(fixed)
        renamed = {name[len("module."):]: (dtype, shape, raw) for name, dtype, shape, raw, _ in before}
        check("--apply: keys stripped, dtypes, shapes and bytes identical",
              {name: (dtype, shape, raw) for name, dtype, shape, raw, _ in after} == renamed)
        check("--apply: __metadata__ kept", after_meta == before_meta, (before_meta, after_meta))
        check("--apply: the reference writer's order and padding", writer_order_ok(fixed))
        check("--apply: torch loads the result strictly into the model", load_strictly(fixed, fixtures))
        code, findings, err = findings_of(exe, fixed, "--model", model)
        check("--apply: the result checks clean", code == 0 and not findings, findings)

    extra = os.path.join(fixtures, "model_extra_key.safetensors")
    dropped = os.path.join(workdir, "dropped.safetensors")
    if os.path.exists(dropped):
        os.remove(dropped)
    code, out, err = run(exe, "check", extra, "--model", model, "--apply", "--unsafe-fixes", "-o", dropped)
    check("--apply --unsafe-fixes drops a key the model lacks", code == 0 and os.path.exists(dropped), (code, out, err))
    if code == 0:
        names = [entry[0] for entry in safetensors_io.read(dropped)[1]]
        check("--apply: the dropped key is gone, the rest kept in order",
              "0.extra" not in names and len(names) == 9 and writer_order_ok(dropped), names)
        check("--apply with a drop: torch loads the result strictly", load_strictly(dropped, fixtures))

    # A write that fails half-way (io::writeAll's fault hook): exit 2, the input untouched, no
    # temporary file left beside it.
    victim = os.path.join(workdir, "victim.safetensors")
    with open(wrapped, "rb") as f:
        original = f.read()
    for name in os.listdir(workdir):
        if name.startswith("victim"):
            os.remove(os.path.join(workdir, name))
    with open(victim, "wb") as f:
        f.write(original)
    code, out, err = run(exe, "check", victim, "--model", model, "--apply", env={"CKPTLINT_FAIL_WRITE_AT": "3"})
    with open(victim, "rb") as f:
        unchanged = f.read() == original
    check("--apply with a failing write: exit 2, input unchanged, nothing left behind",
          code == 2 and unchanged and os.listdir(workdir).count("victim.safetensors") == 1 and
          not [n for n in os.listdir(workdir) if n.startswith("victim") and n != "victim.safetensors"] and
          not [n for n in os.listdir(workdir) if n.startswith(".victim")], (code, err, os.listdir(workdir)))

    index = os.path.join(fixtures, "sharded_st", "model.safetensors.index.json")
    folder = os.path.dirname(index)
    before = {name: hashlib.sha256(open(os.path.join(folder, name), "rb").read()).hexdigest() for name in os.listdir(folder)}
    code, out, err = run(exe, "check", index, "--model", wrapped, "--apply", "--unsafe-fixes")
    after = {name: hashlib.sha256(open(os.path.join(folder, name), "rb").read()).hexdigest() for name in os.listdir(folder)}
    check("--apply on a sharded set: refused (exit 2), nothing written",
          code == 2 and "does not rewrite a sharded checkpoint" in err and before == after, (code, err))


def test_hostile_layouts(exe, fixtures, workdir):
    """Indexes that name themselves or each other, a FIFO shard, a fix whose new key cannot be
    written into a safetensors header: reported, never a hang, a silent clean or a crash."""
    import shutil
    folder = os.path.join(workdir, "hostile")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    shutil.copyfile(os.path.join(fixtures, "model.safetensors"), os.path.join(folder, "good.safetensors"))
    shutil.copyfile(os.path.join(fixtures, "sharded_unsafe", "model-00002-of-00002.bin"), os.path.join(folder, "evil.bin"))
    with open(os.path.join(folder, "self.index.json"), "w") as f:
        json.dump({"weight_map": {"a": "self.index.json", "b": "evil.bin"}}, f)
    code, findings, err = findings_of(exe, folder)
    check("a walk past an index naming itself: its shard's CKL301 still reported, not clean",
          code == 1 and any(f["rule"] == "CKL301" for f in findings), (code, findings, err))
    with open(os.path.join(folder, "a.index.json"), "w") as f:
        json.dump({"weight_map": {"x": "b.index.json"}}, f)
    with open(os.path.join(folder, "b.index.json"), "w") as f:
        json.dump({"weight_map": {"y": "a.index.json"}}, f)
    code, out, err = run(exe, "check", "--format", "json", folder)
    files = [entry["file"] for entry in json.loads(out)["files"]] if out.startswith("{") else []
    check("a walk past two indexes naming each other: both linted",
          code == 1 and [os.path.basename(name) for name in files] ==
          ["a.index.json", "b.index.json", "good.safetensors", "self.index.json"], (code, files, err))

    fifo_dir = os.path.join(workdir, "fifo_shard")
    shutil.rmtree(fifo_dir, ignore_errors=True)
    os.makedirs(fifo_dir)
    os.mkfifo(os.path.join(fifo_dir, "shard.safetensors"))
    with open(os.path.join(fifo_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"weight_map": {"a": "shard.safetensors"}}, f)
    code, findings, err = findings_of(exe, os.path.join(fifo_dir, "model.safetensors.index.json"))
    check("a shard that is a FIFO: CKL401 (not a regular file), no hang",
          code == 1 and [f["rule"] for f in findings] == ["CKL401"] and "not a regular file" in findings[0]["message"],
          (code, findings, err))

    # A model whose keys hold a lone surrogate (a pickle may): adding its prefix would make a
    # header that is not UTF-8. Refused with the reason, the input unchanged.
    import torch
    model = os.path.join(workdir, "surrogate_model.pt")
    torch.save({"m\ud800." + key: torch.zeros(2) for key in ("w", "b")}, model)
    snapshot = os.path.join(workdir, "surrogate_snapshot.safetensors")
    safetensors_io.write(snapshot, {key: ("F32", [2], bytes(8)) for key in ("w", "b")})
    with open(snapshot, "rb") as f:
        before = f.read()
    code, out, err = run(exe, "check", snapshot, "--model", model, "--apply", "--no-backup")
    with open(snapshot, "rb") as f:
        unchanged = f.read() == before
    check("--apply renaming onto a key that is not UTF-8: refused (exit 2), file unchanged",
          code == 2 and "not valid UTF-8" in err and "CKL001" not in out and unchanged, (code, out, err))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ckptlint", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    with open(os.path.join(args.fixtures, "truth.json")) as f:
        truth = json.load(f)
    test_truth(args.ckptlint, args.fixtures, truth)
    test_model_definitions(args.ckptlint, args.fixtures, truth)
    test_sharded_problems(args.ckptlint, args.fixtures)
    test_json_inputs(args.ckptlint, args.workdir)
    test_malformed(args.ckptlint, args.workdir)
    test_apply(args.ckptlint, args.fixtures, args.workdir)
    test_hostile_layouts(args.ckptlint, args.fixtures, args.workdir)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
