#!/usr/bin/python3
"""`ckptlint verify SNAPSHOT --model MODEL.ts` against Python's
`torch.jit.load(MODEL).load_state_dict(snapshot)` (strict) on real files saved by Debian's torch:

- snapshots that load (plain, nested {'model': sd}, fp16 into an fp32 model, shared storages and
  strided views, legacy format, safetensors, storages saved on cuda:1, big-endian storages, a
  1-dim tensor into a 0-dim parameter) exit 0, and every model tensor afterwards has the same
  bytes (CRC-32, --checksums) as the module Python loaded -- and not the module's initial bytes;
- snapshots that do not (a head of another size, a missing key, unexpected keys, a DataParallel
  `module.` snapshot, all at once) exit 1 with exactly the message Python's RuntimeError carries;
- a corrupt or compressed snapshot, a model that is not TorchScript, a missing plugin: exit 2 and
  one error line.

Usage: test_verify.py --ckptlint BIN --workdir DIR. Needs the LibTorch plugin beside BIN.
Exit 1 if any check fails."""
import json
import os
import shutil
import sys
import zipfile
import zlib

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import legacy_tools  # noqa: E402
import safetensors_io  # noqa: E402
from make_safetensors import as_entries, hub_total_size, save_st, tensor_from, write_index, write_shards  # noqa: E402
from torch_tools import relocate  # noqa: E402
from cli_harness import binary_and_workdir, check, finish, run  # noqa: E402


class Net(nn.Module):
    """Conv + BatchNorm (float and int64 buffers) + a classification head + a 0-dim parameter."""

    def __init__(self, classes=81):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
        self.head = nn.Linear(8, classes)
        self.scale = nn.Parameter(torch.tensor(1.5))

    def forward(self, x):
        return self.head(self.backbone(x).mean((2, 3))) * self.scale


def trained_state_dict(classes=81, seed=1):
    """A state dict unlike a fresh Net's: other weights, running stats, batch count."""
    torch.manual_seed(seed)
    net = Net(classes)
    net.backbone[1].running_mean.uniform_(-1, 1)
    net.backbone[1].running_var.uniform_(0.5, 2)
    net.backbone[1].num_batches_tracked.fill_(123)
    with torch.no_grad():
        net.backbone[1].weight.uniform_(0.5, 1.5)
        net.backbone[1].bias.uniform_(-0.5, 0.5)
        net.scale.fill_(0.75)
    return net.state_dict()


def crc(tensor):
    return zlib.crc32(tensor.detach().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())


def checksums_of(module):
    return [{"key": k, "dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "crc32": crc(v)}
            for k, v in module.state_dict().items()]


def python_verdict(model_path, state_dict):
    """(error message or None, checksums after the load) as Python's strict load_state_dict gives."""
    module = torch.jit.load(model_path)
    try:
        module.load_state_dict(state_dict)
    except RuntimeError as error:
        return str(error), None
    return None, checksums_of(module)


def verify(exe, snapshot, model, *extra):
    code, out, err = run(exe, "verify", snapshot, "--model", model, "--format", "json", *extra)
    try:
        return code, json.loads(out), err
    except json.JSONDecodeError:
        return code, None, f"stdout is not JSON: {out[:300]!r} {err}"


def is_one_error_line(err):
    return err.startswith("ckptlint: error: ") and err.count("\n") == 1


# --- snapshots -------------------------------------------------------------------------------

def shared_storage_state_dict(sd):
    """Every float tensor a view into one flat storage; head.weight column-major (strided)."""
    floats = [k for k, v in sd.items() if v.is_floating_point()]
    flat = torch.zeros(sum(sd[k].numel() for k in floats) + 5)
    out, at = {}, 5  # a storage offset that is not 0
    for key, value in sd.items():
        if key not in floats:
            out[key] = value
            continue
        n = value.numel()
        if key == "head.weight":
            flat[at:at + n].copy_(value.t().reshape(-1))
            out[key] = flat[at:at + n].view(value.shape[1], value.shape[0]).t()  # stride (1, 81)
        else:
            flat[at:at + n].copy_(value.reshape(-1))
            out[key] = flat[at:at + n].view(value.shape)
        at += n
    assert out["head.weight"].stride() == (1, 81) and torch.equal(out["head.weight"], sd["head.weight"])
    return out


def big_endian_copy(exe, source, target):
    """`source` rewritten as a big-endian writer would: a `byteorder` record saying `big`, each
    storage's elements byte-swapped (dtypes from ckptlint inspect; torch 1.13 itself ignores the
    record, so the oracle is the source's values)."""
    code, out, err = run(exe, "inspect", source, "--format", "json")
    assert code == 0, err
    element = {"float32": 4, "int64": 8, "float16": 2}
    sizes = {t["storage"]["key"]: element[t["dtype"]] for t in json.loads(out)["tensors"]}
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zout:
        root = zin.infolist()[0].filename.split("/")[0]
        for info in zin.infolist():
            data = zin.read(info)
            name = info.filename[len(root) + 1:]
            if name.startswith("data/"):
                size = sizes[name[len("data/"):]]
                data = b"".join(data[i:i + size][::-1] for i in range(0, len(data), size))
            zout.writestr(info.filename, data)
        zout.writestr(root + "/byteorder", b"big")


def deflated_copy(source, target):
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            compress = zipfile.ZIP_DEFLATED if "/data/" in info.filename else zipfile.ZIP_STORED
            zout.writestr(info.filename, zin.read(info), compress_type=compress)


def view_past_zip(source, target):
    """`source` (a 7-element tensor 'v') with the view's size tuple (7,) made (9,) in data.pkl."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("/data.pkl"):
                assert data.count(b"K\x07\x85") == 1, "expected one size tuple (7,)"
                data = data.replace(b"K\x07\x85", b"K\x09\x85")
            zout.writestr(info.filename, data)


def main():
    exe, workdir = binary_and_workdir()
    path = lambda name: os.path.join(workdir, name)  # noqa: E731

    torch.manual_seed(0)
    model = path("model.ts")
    torch.jit.save(torch.jit.script(Net().eval()), model)
    initial = checksums_of(torch.jit.load(model))
    sd = trained_state_dict()

    # name -> (file, what Python loads from it)
    good = {}
    torch.save(sd, path("plain.pt"))
    good["plain"] = (path("plain.pt"), sd)
    torch.save({"epoch": 3, "model": sd, "optimizer": {"state": {}, "param_groups": []}}, path("nested.pt"))
    good["nested {'model': sd}"] = (path("nested.pt"), sd)
    half = {k: v.half() if v.is_floating_point() else v for k, v in sd.items()}
    torch.save(half, path("fp16.pt"))
    good["fp16 into float32"] = (path("fp16.pt"), half)
    shared = shared_storage_state_dict(sd)
    torch.save(shared, path("shared.pt"))
    good["shared storage and strided views"] = (path("shared.pt"), shared)
    torch.save(sd, path("legacy.pt"), _use_new_zipfile_serialization=False)
    good["legacy format (unaligned storages)"] = (path("legacy.pt"), sd)
    with open(path("legacy.pt"), "rb") as f, open(path("legacy_big_host.pt"), "wb") as out:
        out.write(legacy_tools.as_big_endian_host(f.read()))
    good["legacy file from a big-endian host"] = (path("legacy_big_host.pt"), sd)
    safetensors_io.write(path("weights.safetensors"), as_entries(sd))
    _, entries = safetensors_io.read(path("weights.safetensors"))
    good["safetensors"] = (path("weights.safetensors"), {n: tensor_from(d, s, raw) for n, d, s, raw, _ in entries})
    os.makedirs(path("sharded"), exist_ok=True)
    keys = list(sd)
    weight_map = write_shards(path("sharded"), [{k: sd[k] for k in keys[:4]}, {k: sd[k] for k in keys[4:]}],
                              "safetensors", save_st)
    write_index(path("sharded/model.safetensors.index.json"), weight_map, hub_total_size(sd))
    good["safetensors shards through an index"] = (path("sharded/model.safetensors.index.json"), sd)
    relocate(path("plain.pt"), path("cuda.pt"), "cuda:1")
    good["storages saved on cuda:1"] = (path("cuda.pt"), sd)
    big_endian_copy(exe, path("plain.pt"), path("big_endian.pt"))
    good["big-endian storages"] = (path("big_endian.pt"), sd)
    scale_1d = dict(sd, scale=sd["scale"].reshape(1))
    torch.save(scale_1d, path("scale_1d.pt"))
    good["1-dim tensor into a 0-dim parameter"] = (path("scale_1d.pt"), scale_1d)

    for name, (snapshot, python_sd) in good.items():
        error, expected = python_verdict(model, python_sd)
        assert error is None, (name, error)
        code, document, err = verify(exe, snapshot, model, "--checksums")
        loaded = code == 0 and document is not None and document["ok"]
        check(f"{name}: exit 0, ok", loaded, (code, err, document))
        if not loaded:
            continue
        check(f"{name}: every model tensor loaded", document["loaded"] == document["model_tensors"] == len(expected),
              (document["loaded"], document["model_tensors"], len(expected)))
        check(f"{name}: the module's tensors after the load are byte-identical to Python's (CRC-32)",
              document["checksums"] == expected, [(a, b) for a, b in zip(document["checksums"], expected) if a != b][:3])
        check(f"{name}: ... and differ from the module's initial tensors",
              sum(a["crc32"] != b["crc32"] for a, b in zip(document["checksums"], initial)) == len(initial),
              [a["key"] for a, b in zip(document["checksums"], initial) if a["crc32"] == b["crc32"]])
    code, document, _ = verify(exe, path("cuda.pt"), model)
    check("cuda:1 storages: a note says they were loaded on the CPU (map_location)",
          code == 0 and any("cuda:1" in n and "map_location" in n for n in document["notes"]), document)
    code, document, _ = verify(exe, path("big_endian.pt"), model)
    check("big-endian storages: a note says they were byte-swapped",
          code == 0 and any("big-endian" in n for n in document["notes"]), document)
    module_type = torch.jit.load(model)._c._type().qualified_name()
    code, out, err = run(exe, "verify", path("plain.pt"), "--model", model)
    check("text: one line saying how many tensors loaded into what, OK",
          code == 0 and out == f"verify: loaded 10 tensors of {path('plain.pt')} into {model} ({module_type}): OK\n",
          (code, out, err))

    # Snapshots that do not load: Python's exact message.
    bad = {}
    small = trained_state_dict(classes=5)
    torch.save(small, path("head5.pt"))
    bad["a head of 5 classes, not 81"] = (path("head5.pt"), small)
    missing = {k: v for k, v in sd.items() if k != "backbone.1.running_var"}
    torch.save(missing, path("missing.pt"))
    bad["a missing buffer"] = (path("missing.pt"), missing)
    unexpected = dict(sd, **{"head.extra": torch.zeros(2), "aux.weight": torch.zeros(3), "head.weight.x": torch.zeros(1)})
    torch.save(unexpected, path("unexpected.pt"))
    bad["unexpected keys"] = (path("unexpected.pt"), unexpected)
    torch.manual_seed(1)
    wrapped = nn.DataParallel(Net()).state_dict()
    torch.save(wrapped, path("data_parallel.pt"))
    bad["a DataParallel (module.) snapshot"] = (path("data_parallel.pt"), wrapped)
    # LibTorch's bare copy_ would broadcast [1, 8] into [81, 8]; load_state_dict refuses it.
    broadcastable = dict(sd, **{"head.weight": sd["head.weight"][:1].clone()})
    torch.save(broadcastable, path("broadcastable.pt"))
    bad["a [1, 8] head.weight that copy_ alone would broadcast"] = (path("broadcastable.pt"), broadcastable)
    everything = {"extra.weight": torch.zeros(1), **{k: v for k, v in small.items() if k != "backbone.0.bias"},
                  "backbone.5.weight": torch.ones(1)}
    torch.save(everything, path("everything.pt"))
    bad["missing, unexpected and size mismatches at once"] = (path("everything.pt"), everything)

    for name, (snapshot, python_sd) in bad.items():
        error, _ = python_verdict(model, python_sd)
        assert error is not None, name
        code, document, err = verify(exe, snapshot, model)
        refused = code == 1 and document is not None and not document["ok"]
        check(f"{name}: exit 1, not ok", refused, (code, err))
        if not refused:
            continue
        check(f"{name}: the message is Python's, header included", document["pytorch_message"] == error,
              (document["pytorch_message"], error))
        check(f"{name}: error_lines are the message's lines", document["error_lines"] == error.split("\n\t")[1:],
              document["error_lines"])
        listed = [f'"{k}"' for k in document["missing"] + document["unexpected"]]
        check(f"{name}: missing/unexpected keys and size mismatches listed as data",
              all(k in error for k in listed) and
              all(f"size mismatch for {m['key']}: copying a param with shape torch.Size({m['checkpoint_shape']})"
                  in error for m in document["size_mismatch"]) and
              len(document["size_mismatch"]) == error.count("size mismatch for"), document)
        code, out, _ = run(exe, "verify", snapshot, "--model", model)
        check(f"{name}: text shows Python's message and FAILED",
              code == 1 and error in out and "\nverify: FAILED (" in out, out)
    code, document, _ = verify(exe, path("head5.pt"), model)
    check("head of 5: the two head tensors mismatch, the other 8 load",
          [m["key"] for m in document["size_mismatch"]] == ["head.weight", "head.bias"] and document["loaded"] == 8 and
          document["size_mismatch"][0]["checkpoint_shape"] == [5, 8] and document["size_mismatch"][0]["model_shape"] == [81, 8],
          document)
    code, document, _ = verify(exe, path("data_parallel.pt"), model)
    check("DataParallel: all 10 keys missing and all 10 unexpected, nothing loaded",
          len(document["missing"]) == 10 and len(document["unexpected"]) == 10 and document["loaded"] == 0, document)

    # No verdict: exit 2 and one line.
    with open(path("plain.pt"), "rb") as f:
        blob = f.read()
    with open(path("truncated.pt"), "wb") as f:
        f.write(blob[:len(blob) // 2])
    deflated_copy(path("plain.pt"), path("deflated.pt"))
    with open(path("garbage.pt"), "wb") as f:
        f.write(b"not a checkpoint at all\n")
    view_base = torch.arange(4.0)
    torch.save({"v": torch.zeros(7)}, path("seven.pt"))
    view_past_zip(path("seven.pt"), path("view_past.zip.pt"))
    with open(path("view_past.pt"), "wb") as f:  # a view of 2 elements at offset 2+1 of a 4-element storage
        f.write(legacy_tools.write_legacy({"v": view_base[1:3]}, views={legacy_tools.storage_key(view_base): ("view", 2, 4)}))
    errors = [
        ("a truncated snapshot", [path("truncated.pt"), "--model", model], path("truncated.pt") + ": "),
        ("not a checkpoint", [path("garbage.pt"), "--model", model], path("garbage.pt") + ": "),
        ("compressed storage records", [path("deflated.pt"), "--model", model], "compressed"),
        ("a legacy storage view past its storage", [path("view_past.pt"), "--model", model], "v: its storage view 'view' (16 bytes from byte 8) reaches past storage"),
        ("a view past its storage", [path("view_past.zip.pt"), "--model", model], "tensor 'v': its view (shape [9]"),
        ("a model that is not TorchScript", [path("plain.pt"), "--model", path("plain.pt")],
         "verify needs a TorchScript model: "),
        ("a model file that does not exist", [path("plain.pt"), "--model", path("nope.ts")], "--model "),
        ("no --model", [path("plain.pt")], "verify needs --model"),
        ("two snapshots", [path("plain.pt"), path("fp16.pt"), "--model", model], "exactly one snapshot"),
        ("an unknown format", [path("plain.pt"), "--model", model, "--format", "sarif"], "unknown --format"),
        ("no state dict at --state-dict", [path("nested.pt"), "--model", model, "--state-dict", "ema"], "no state dict"),
    ]
    for name, args, expected in errors:
        code, out, err = run(exe, "verify", *args)
        check(f"{name}: exit 2, one error line ({expected.strip()})",
              code == 2 and out == "" and is_one_error_line(err) and expected in err, (code, out, err))
    code, document, err = verify(exe, path("nested.pt"), model, "--state-dict", "model")
    check("--state-dict model picks the nested state dict", code == 0 and document["state_dict"] == ["model"], (code, err))

    # Without the plugin: a copy of the binary where there is none.
    lonely = path("lonely")
    shutil.rmtree(lonely, ignore_errors=True)
    os.makedirs(os.path.join(lonely, "empty"))
    lonely_exe = shutil.copy2(exe, os.path.join(lonely, "ckptlint"))
    code, out, err = run(lonely_exe, "verify", path("plain.pt"), "--model", model,
                         env={"CKPTLINT_PLUGIN_DIR": os.path.join(lonely, "empty")})
    check("no plugin: exit 2 saying it needs the LibTorch plugin",
          code == 2 and is_one_error_line(err) and
          "loading weights into a TorchScript model needs the ckptlint LibTorch plugin" in err, (code, err))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
