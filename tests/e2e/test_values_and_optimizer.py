#!/usr/bin/python3
"""--check-values (CKL203), optimizer state (CKL501) and checkpoint layouts, against Debian's torch.

Writes its checkpoints with real torch into --workdir, asks torch what is in them (NaN/Inf
counts and first index; what Optimizer.load_state_dict and step() do), and requires ckptlint
to say the same. Needs /usr/bin/python3 with torch.

Usage: test_values_and_optimizer.py --ckptlint BIN --workdir DIR"""
import collections
import json
import os
import pickle
import pty
import re
import select
import subprocess
import sys
import warnings
import zipfile

import torch
import torch.nn as nn

from cli_harness import binary_and_workdir, check, finish, run

warnings.simplefilter("ignore")
torch.manual_seed(0)
INF = float("inf")
NAN = float("nan")


# ---------------------------------------------------------------------------
# CKL203: NaN/Inf planted in tensors of every floating dtype and in views

def planted(dtype, shape, nan=(), pos_inf=(), neg_inf=()):
    t = torch.randn(shape).to(dtype)
    flat = t.view(-1)
    for i in nan:
        flat[i] = NAN
    for i in pos_inf:
        flat[i] = INF
    for i in neg_inf:
        flat[i] = -INF
    return t


def value_tensors():
    sd = collections.OrderedDict()
    sd["f16"] = planted(torch.float16, (64, 33), nan=[5, 700], pos_inf=[100], neg_inf=[2000])
    sd["bf16"] = planted(torch.bfloat16, (1000,), nan=[999], neg_inf=[3])
    sd["f32"] = planted(torch.float32, (3, 5000), nan=[1200, 14999], pos_inf=[7777], neg_inf=[7778])
    sd["f64"] = planted(torch.float64, (10,), pos_inf=[0])
    c = torch.randn(50, dtype=torch.complex64)
    c[4] = complex(NAN, 0.0)
    c[9] = complex(0.0, INF)
    c[30] = complex(-INF, NAN)
    sd["c64"] = c
    sd["clean_f32"] = torch.full((100,), 3.0e38)  # large but finite
    sd["ints"] = torch.arange(10)
    # A view whose storage holds NaN/Inf only outside the elements it covers: clean.
    base = torch.zeros(10, 10)
    base[0, :] = NAN
    base[9, 9] = INF
    sd["view_clean"] = base[2:5, 1:4]
    # A transposed view: one NaN inside (its flat index is in the view's order), one -inf outside.
    base2 = torch.zeros(8, 6, dtype=torch.float16)
    base2[1, 2] = NAN
    base2[7, 0] = -INF
    sd["view_dirty"] = base2.t()[1:4]
    return sd


def truth_of(t):
    """What torch says: counts of NaN / +inf / -inf (complex: NaN / infinite) and first index."""
    finite = torch.isfinite(t)
    if bool(finite.all()):
        return None
    first = int(torch.nonzero(~finite.flatten())[0])
    out = {"nan": int(torch.isnan(t).sum()), "first": first, "elements": t.numel()}
    if t.is_complex():
        out["inf"] = int(torch.isinf(t).sum())
    else:
        out["+inf"] = int((t == INF).sum())
        out["-inf"] = int((t == -INF).sum())
    return {k: v for k, v in out.items() if v != 0 or k == "first"}


COUNT = re.compile(r"(\d+) (NaN|infinite|\+inf|-inf)")
MESSAGE = re.compile(r"has (.*) of (\d+) values; the first at flat index (\d+)")


def reported_values(exe, path, *extra):
    code, out, err = run(exe, "check", "--check-values", "--format", "json", path, *extra)
    findings = [f for f in json.loads(out)["files"][0]["findings"] if f["rule"] == "CKL203"] if out else []
    errors, notes = {}, [f for f in findings if f["level"] == "note"]
    for finding in findings:
        if finding["level"] != "error":
            continue
        match = MESSAGE.search(finding["message"])
        counts = {"nan" if kind == "NaN" else "inf" if kind == "infinite" else kind: int(n)
                  for n, kind in COUNT.findall(match.group(1))}
        counts["first"] = int(match.group(3))
        counts["elements"] = int(match.group(2))
        errors[finding["key"]] = counts
    return code, errors, notes, err


ELEMENT_BYTES = {"HalfStorage": 2, "BFloat16Storage": 2, "FloatStorage": 4, "DoubleStorage": 8,
                 "ComplexFloatStorage": 4, "ComplexDoubleStorage": 8, "LongStorage": 8, "IntStorage": 4,
                 "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1, "BoolStorage": 1}


def storage_widths(pickled):
    """storage key -> bytes per swapped unit (complex: per component), from data.pkl without torch."""
    widths = {}

    class Scan(pickle.Unpickler):
        def find_class(self, module, name):
            if name.endswith("Storage"):
                return name
            if module == "collections" and name == "OrderedDict":
                return collections.OrderedDict
            return lambda *args, **kwargs: None

        def persistent_load(self, pid):
            widths[pid[2]] = ELEMENT_BYTES[pid[1]]

    Scan(__import__("io").BytesIO(pickled)).load()
    return widths


def rewrite(source, target, *, big_endian=False, compression=zipfile.ZIP_STORED):
    """The same checkpoint with its storages byte-swapped and a `byteorder` record of "big"
    (as torch >= 2.1 on a big-endian host writes it), or with deflated records."""
    with zipfile.ZipFile(source) as zin:
        root = zin.namelist()[0].split("/")[0]
        widths = storage_widths(zin.read(f"{root}/data.pkl"))
        with zipfile.ZipFile(target, "w", compression) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                key = info.filename[len(root) + len("/data/"):] if info.filename.startswith(f"{root}/data/") else None
                if big_endian and key in widths:
                    w = widths[key]
                    data = b"".join(data[i:i + w][::-1] for i in range(0, len(data), w))
                zout.writestr(info.filename, data)
            if big_endian:
                zout.writestr(f"{root}/byteorder", b"big")


def read_pty(master):
    chunks = []
    while select.select([master], [], [], 0.5)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def test_values(exe, workdir):
    path = os.path.join(workdir, "nonfinite.pt")
    torch.save(value_tensors(), path)
    loaded = torch.load(path)
    truth = {key: truth_of(t) for key, t in loaded.items() if t.is_floating_point() or t.is_complex()}
    truth = {key: t for key, t in truth.items() if t is not None}
    check("the fixture plants what it means to", set(truth) == {"f16", "bf16", "f32", "f64", "c64", "view_dirty"}, truth)

    code, errors, notes, err = reported_values(exe, path)
    check("--check-values: exit 1, counts and first index per tensor as torch says",
          code == 1 and errors == truth and not notes, (code, errors, truth, err))
    check("a view's storage holds NaN outside the view: not reported", "view_clean" not in errors, errors)

    big = os.path.join(workdir, "nonfinite_big_endian.pt")
    rewrite(path, big, big_endian=True)
    code, errors, notes, err = reported_values(exe, big)
    check("big-endian storages (byteorder 'big'): the same counts", code == 1 and errors == truth, (code, errors, err))
    code, out, _ = run(exe, "inspect", "--format", "json", big)
    check("big-endian fixture is read as such", code == 0 and json.loads(out)["byteorder"] == "big", code)

    deflated = os.path.join(workdir, "nonfinite_deflated.pt")
    rewrite(path, deflated, compression=zipfile.ZIP_DEFLATED)
    code, errors, notes, err = reported_values(exe, deflated)
    unchecked = sorted(k for n in notes for k in n["keys"])
    floating = sorted(k for k, t in loaded.items() if t.is_floating_point() or t.is_complex())
    check("deflated records: a note names every floating tensor not checked, never silence",
          code == 0 and not errors and unchecked == floating and "compressed (deflate)" in notes[0]["message"],
          (code, errors, unchecked, notes))

    # Other containers: the legacy (pre-1.6) stream, a sharded .bin set (values in the second shard) and a safetensors file
    # (written by hand: the format is a u64 header length, a JSON header, the data).
    legacy = os.path.join(workdir, "nonfinite_legacy.pt")
    torch.save(value_tensors(), legacy, _use_new_zipfile_serialization=False)
    legacy_truth = {k: truth_of(t) for k, t in torch.load(legacy).items() if t.is_floating_point() or t.is_complex()}
    code, errors, notes, err = reported_values(exe, legacy)
    check("legacy torch.save stream: the same counts as torch",
          code == 1 and errors == {k: t for k, t in legacy_truth.items() if t is not None}, (code, errors, err))
    shards = {"m-00001.bin": {"a.weight": torch.zeros(4, 4)}, "m-00002.bin": {"b.weight": planted(torch.float32, (10,), nan=[7])}}
    for name, part in shards.items():
        torch.save(part, os.path.join(workdir, name))
    index = os.path.join(workdir, "pytorch_model.bin.index.json")
    with open(index, "w") as f:
        json.dump({"metadata": {}, "weight_map": {k: name for name, part in shards.items() for k in part}}, f)
    code, errors, notes, err = reported_values(exe, index)
    check("sharded .bin: values read from the shard that holds them",
          code == 1 and errors == {"b.weight": truth_of(torch.load(os.path.join(workdir, "m-00002.bin"))["b.weight"])},
          (code, errors, notes, err))
    st_tensor = planted(torch.float32, (6,), pos_inf=[2], neg_inf=[5])
    data = st_tensor.numpy().tobytes()
    header = json.dumps({"x": {"dtype": "F32", "shape": [6], "data_offsets": [0, len(data)]}}).encode()
    header += b" " * (-len(header) % 8)
    st_path = os.path.join(workdir, "values.safetensors")
    with open(st_path, "wb") as f:
        f.write(len(header).to_bytes(8, "little") + header + data)
    code, errors, notes, err = reported_values(exe, st_path)
    check("safetensors: values read", code == 1 and errors == {"x": truth_of(st_tensor)}, (code, errors, notes, err))

    # Expanded tensors save one copy of their data (stride 0); torch counts every element.
    expanded = {"row": torch.tensor([1.0, NAN, 3.0]).expand(4, 3), "col": torch.tensor([1.0, INF, 3.0])[:, None].expand(3, 5),
                "huge": torch.tensor([NAN]).expand(10 ** 12), "huge_clean": torch.zeros(1, 1).expand(10 ** 6, 10 ** 6)}
    expanded_path = os.path.join(workdir, "expanded.pt")
    torch.save(expanded, expanded_path)
    loaded_expanded = torch.load(expanded_path)
    small_truth = {k: truth_of(loaded_expanded[k]) for k in ("row", "col")}
    huge_truth = {"nan": 10 ** 12, "first": 0, "elements": 10 ** 12}  # torch.isnan over 10**12 elements: too slow here
    code, errors, notes, err = reported_values(exe, expanded_path)
    check("expanded (stride 0) views: torch's counts, the huge ones without reading 10**12 elements",
          code == 1 and errors == {**small_truth, "huge": huge_truth} and not notes, (code, errors, small_truth, err))
    # Overlapping strides (as_strided): small ones are counted as torch does; one that would read
    # 2**29 elements of a 3 * 2**14-element storage is a note, not an endless scan.
    small = torch.zeros(100)
    small[3] = INF
    base = torch.zeros(3 * 2 ** 14)
    base[5] = NAN
    overlapping = {"small": small.as_strided((50, 50), (1, 1)), "big": base.as_strided((2 ** 14, 2 ** 15), (1, 1))}
    overlap_path = os.path.join(workdir, "overlapping.pt")
    torch.save(overlapping, overlap_path)
    code, errors, notes, err = reported_values(exe, overlap_path)
    check("overlapping views: small ones counted as torch does, a huge one noted as not checked",
          code == 1 and errors == {"small": truth_of(torch.load(overlap_path)["small"])}
          and [n["keys"] for n in notes] == [["big"]] and "many times over" in notes[0]["message"], (code, errors, notes, err))

    code, out, err = run(exe, "check", "--format", "json", path)
    rules = [f["rule"] for f in json.loads(out)["files"][0]["findings"]] if out else None
    check("without --check-values CKL203 does not run (values are not read)", code == 0 and rules == [], (code, rules))
    code, out, err = run(exe, "check", "--select", "CKL203", path)
    check("--select CKL203 without --check-values: exit 2, says why",
          code == 2 and "--check-values" in err and out == "", (code, err))

    code, out, err = run(exe, "check", "--check-values", path, env={"CKPTLINT_PROGRESS_DELAY_MS": "0"})
    check("stderr not a terminal: no progress line", err == "" and "\r" not in out, (err, out[:200]))
    master, slave = pty.openpty()
    proc = subprocess.run([exe, "check", "--check-values", path], stdout=subprocess.PIPE, stderr=slave,
                          env={**os.environ, "CKPTLINT_PROGRESS_DELAY_MS": "0"}, timeout=60)
    os.close(slave)
    tty_err = read_pty(master)
    os.close(master)
    out = proc.stdout.decode()
    check("stderr a terminal: a progress line on stderr, cleared at the end; stdout untouched",
          "checking values" in tty_err and tty_err.endswith("\r\x1b[K") and "checking values" not in out and "\r" not in out
          and "CKL203" in out, (tty_err[-200:], out[:200]))


# ---------------------------------------------------------------------------
# CKL501: optimizer state for the model vs for another model

class Net(nn.Module):
    def __init__(self, classes=5, extra=False):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, classes)
        self.extra = nn.Linear(classes, classes) if extra else None

    def forward(self, x):
        x = self.fc(self.bn(self.conv(x)).mean((2, 3)))
        return self.extra(x) if self.extra is not None else x


class LightningLike(nn.Module):
    """A LightningModule holding the network as `self.model`."""

    def __init__(self, model):
        super().__init__()
        self.model = model


def stepped(model, make_optimizer):
    optimizer = make_optimizer(model.parameters())
    model(torch.randn(2, 3, 8, 8)).sum().backward()
    optimizer.step()
    return optimizer


ADAM = lambda params: torch.optim.Adam(params, lr=1e-3)
SGD = lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9)


def torch_resume(optimizer_state, make_optimizer):
    """What resuming a Net() (5 classes) with this optimizer state does in torch."""
    model = Net()
    optimizer = make_optimizer(model.parameters())
    try:
        optimizer.load_state_dict(optimizer_state)
    except ValueError as error:
        return "load_state_dict: " + str(error)
    model(torch.randn(2, 3, 8, 8)).sum().backward()
    try:
        optimizer.step()
    except RuntimeError as error:
        return "step: " + str(error)
    return "ok"


def findings_of(exe, path, *extra):
    code, out, err = run(exe, "check", "--format", "json", path, *extra)
    return code, (json.loads(out)["files"][0]["findings"] if out else []), err


def test_optimizer(exe, workdir):
    model_a, model_b, model_c = Net(), Net(classes=8), Net(extra=True)
    ref = os.path.join(workdir, "net.ref.pt")
    torch.save(model_a.state_dict(), ref)
    states = {("a", "adam"): stepped(model_a, ADAM).state_dict(), ("a", "sgd"): stepped(model_a, SGD).state_dict(),
              ("b", "adam"): stepped(model_b, ADAM).state_dict(), ("b", "sgd"): stepped(model_b, SGD).state_dict(),
              ("c", "adam"): stepped(model_c, ADAM).state_dict()}
    models = {"a": model_a, "b": model_b, "c": model_c}
    makers = {"adam": ADAM, "sgd": SGD}

    for (variant, kind), state in states.items():
        path = os.path.join(workdir, f"resume_{variant}_{kind}.pt")
        torch.save({"model": models[variant].state_dict(), "optimizer": state, "epoch": 1}, path)
        verdict = torch_resume(torch.load(path)["optimizer"], makers[kind])
        code, findings, err = findings_of(exe, path, "--model", ref)
        ckl501 = [f for f in findings if f["rule"] == "CKL501"]
        code_self, self_findings, _ = findings_of(exe, path)
        self_ckl501 = [f for f in self_findings if f["rule"] == "CKL501"]
        check(f"{variant}/{kind}: the snapshot's optimizer fits its own model (no CKL501 without --model)",
              code_self == 0 and not self_ckl501, self_ckl501)
        if variant == "a":
            check(f"{variant}/{kind}: torch resumes it, ckptlint is quiet", verdict == "ok" and code == 0 and not ckl501,
                  (verdict, code, ckl501))
        elif variant == "b":
            state_name = "exp_avg" if kind == "adam" else "momentum_buffer"
            messages = " ".join(f["message"] for f in ckl501)
            check(f"{variant}/{kind}: torch loads it and step() fails; CKL501 per mismatched parameter, "
                  "naming index, key and both shapes",
                  verdict.startswith("step: ") and code == 1 and sorted(f["key"] for f in ckl501) == ["fc.bias", "fc.weight"]
                  and f"'{state_name}' [8, 4]" in messages and "parameter 4 'fc.weight' [5, 4]" in messages
                  and "'fc.bias' [5]" in messages and all(f["state_dict"] == ["optimizer"] for f in ckl501),
                  (verdict, code, ckl501))
        else:
            check(f"{variant}/{kind}: torch's load_state_dict raises on the group size; CKL501 says so with both counts",
                  verdict.startswith("load_state_dict: ") and "doesn't match the size of optimizer's group" in verdict
                  and code == 1 and len(ckl501) == 1 and "is for 8 parameters (1 group)" in ckl501[0]["message"]
                  and "has 6 parameters" in ckl501[0]["message"], (verdict, code, ckl501))

    # An optimizer over a subset (frozen backbone): fewer ids than parameters is not an error.
    frozen = os.path.join(workdir, "frozen_backbone.pt")
    head_only = stepped(Net(), lambda params: torch.optim.Adam(list(params)[4:]))  # fc.weight, fc.bias
    torch.save({"model": model_a.state_dict(), "optimizer": head_only.state_dict()}, frozen)
    code, findings, _ = findings_of(exe, frozen)
    ckl501 = [f for f in findings if f["rule"] == "CKL501"]
    check("an optimizer built on a subset (frozen layers): a note, not an error",
          code == 0 and len(ckl501) == 1 and ckl501[0]["level"] == "note"
          and "is for 2 parameters" in ckl501[0]["message"], ckl501)

    # One snapshot whose optimizer belongs to another model: found without --model.
    mixed = os.path.join(workdir, "mixed.pt")
    torch.save({"model": model_a.state_dict(), "optimizer": states[("b", "adam")]}, mixed)
    code, findings, _ = findings_of(exe, mixed)
    ckl501 = [f for f in findings if f["rule"] == "CKL501"]
    check("a snapshot's optimizer state for another model: CKL501 without --model",
          code == 1 and len(ckl501) == 2 and "the state dict model" in ckl501[0]["message"], ckl501)

    # Weight decay for weights, none for biases and norms (HF Trainer, timm): the ids follow the
    # groups, not model.parameters(). torch resumes it with the same grouping: no finding.
    def grouped(params_of):
        def make(params):
            named = list(params_of())
            decay = [p for n, p in named if p.dim() > 1]
            no_decay = [p for n, p in named if p.dim() <= 1]
            return torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}])
        return make
    grouped_model = Net()
    grouped_state = stepped(grouped_model, grouped(grouped_model.named_parameters)).state_dict()
    groups_path = os.path.join(workdir, "weight_decay_groups.pt")
    torch.save({"model": grouped_model.state_dict(), "optimizer": grouped_state}, groups_path)
    resumed = Net()
    resumed.load_state_dict(torch.load(groups_path)["model"])
    resume_optimizer = grouped(resumed.named_parameters)(None)
    resume_optimizer.load_state_dict(torch.load(groups_path)["optimizer"])
    resumed(torch.randn(2, 3, 8, 8)).sum().backward()
    resume_optimizer.step()  # torch: fine
    for extra in ((), ("--model", ref)):
        code, findings, _ = findings_of(exe, groups_path, *extra)
        check(f"weight-decay parameter groups {extra}: torch resumes it, no CKL501",
              code == 0 and not [f for f in findings if f["rule"] == "CKL501"], findings)
    other = Net(classes=8)
    other_state = stepped(other, grouped(other.named_parameters)).state_dict()
    torch.save({"model": grouped_model.state_dict(), "optimizer": other_state}, groups_path)
    code, findings, _ = findings_of(exe, groups_path)
    ckl501 = [f for f in findings if f["rule"] == "CKL501"]
    check("groups of another model's optimizer: the states no parameter can take are reported",
          code == 1 and len(ckl501) == 1 and "2 groups" in ckl501[0]["message"]
          and "2 parameters" in ckl501[0]["message"], ckl501)

    # An id listed twice (crafted): torch's load_state_dict pairs it with its last position.
    twice = {"state": {0: {"step": torch.tensor(1.0), "exp_avg": torch.zeros(5, 4), "exp_avg_sq": torch.zeros(5, 4)}},
             "param_groups": [{**states[("a", "adam")]["param_groups"][0], "params": [0, 1, 2, 3, 0, 5]}]}
    twice_path = os.path.join(workdir, "id_twice.pt")
    torch.save({"model": model_a.state_dict(), "optimizer": twice}, twice_path)
    verdict = torch_resume(torch.load(twice_path)["optimizer"], ADAM)
    code, findings, _ = findings_of(exe, twice_path)
    check("an id listed twice goes with its last position, as in torch (fc.weight [5, 4]): no CKL501",
          verdict == "ok" and code == 0 and not [f for f in findings if f["rule"] == "CKL501"], (verdict, findings))

    # A GAN: two networks, each with its own optimizer; each optimizer fits its own network.
    generator, discriminator = Net(), Net(classes=1, extra=True)
    gan = {"model": generator.state_dict(), "discriminator": discriminator.state_dict(),
           "optimizer_G": stepped(generator, ADAM).state_dict(),
           "optimizer_D": stepped(discriminator, SGD).state_dict()}
    gan_path = os.path.join(workdir, "gan.pt")
    torch.save(gan, gan_path)
    code, findings, _ = findings_of(exe, gan_path)
    check("GAN: the discriminator's optimizer is not compared with the generator", code == 0
          and not [f for f in findings if f["rule"] == "CKL501"], findings)
    gan["optimizer_G"] = states[("b", "adam")]
    torch.save(gan, gan_path)
    code, findings, _ = findings_of(exe, gan_path)
    check("GAN with another model's generator optimizer: still reported",
          code == 1 and [f["state_dict"] for f in findings if f["rule"] == "CKL501"] == [["optimizer_G"]] * 2, findings)
    return states


# ---------------------------------------------------------------------------
# Layouts: Lightning .ckpt, DeepLabCut snapshots and exports, timm/EMA

def test_layouts(exe, workdir, states):
    model = Net()
    ref = os.path.join(workdir, "net.ref.pt")
    scheduler = torch.optim.lr_scheduler.StepLR(torch.optim.Adam(model.parameters()), step_size=3)
    # The keys and nesting Lightning's CheckpointConnector.dump_checkpoint writes.
    lightning = {"epoch": 4, "global_step": 120, "pytorch-lightning_version": "2.1.0",
                 "state_dict": LightningLike(model).state_dict(),
                 "loops": {"fit_loop": {"state_dict": {}, "epoch_progress": {"total": {"ready": 5}}}},
                 "callbacks": {"ModelCheckpoint{'monitor': None}": {"best_model_score": None}},
                 "optimizer_states": [states[("a", "adam")]], "lr_schedulers": [scheduler.state_dict()],
                 "hparams_name": "kwargs", "hyper_parameters": {"lr": 0.001, "classes": 5}}
    ckpt = os.path.join(workdir, "epoch=4-step=120.ckpt")
    torch.save(lightning, ckpt)
    code, out, _ = run(exe, "inspect", "--format", "json", ckpt)
    doc = json.loads(out) if code == 0 else {}
    check("Lightning .ckpt: state dict at state_dict, optimizer at optimizer_states/0",
          [s["path"] for s in doc.get("state_dicts", [])] == [["state_dict"]]
          and [o["path"] for o in doc.get("optimizer_states", [])] == [["optimizer_states", 0]]
          and doc["optimizer_states"][0]["parameters"] == 6, doc.get("state_dicts"))
    code, findings, _ = findings_of(exe, ckpt, "--model", ref)
    rules = sorted({f["rule"] for f in findings})
    strip = [f for f in findings if f["rule"] == "CKL104"]
    check("Lightning .ckpt vs the plain model: CKL104 strips model., optimizer state fits (no CKL501)",
          rules == ["CKL104"] and strip[0]["state_dict"] == ["state_dict"]
          and any(e["from"] == "model.fc.weight" and e["to"] == "fc.weight" for fix in strip[0]["fixes"] for e in fix["edits"]),
          findings)
    lightning["optimizer_states"] = [states[("b", "adam")]]
    torch.save(lightning, ckpt)
    code, findings, _ = findings_of(exe, ckpt, "--model", ref)
    check("Lightning .ckpt with another model's optimizer: CKL501 at optimizer_states/0",
          any(f["rule"] == "CKL501" and f["state_dict"] == ["optimizer_states", 0] for f in findings), findings)

    # DeepLabCut 3.x: snapshot-NNN.pt, snapshot-best-NNN.pt, snapshot-detector-NNN.pt (§11).
    dlc = {"metadata": {"epoch": 5, "metrics": {"test.rmse": 3.2}, "losses": {"train.total_loss": 0.01}},
           "model": model.state_dict(), "optimizer": states[("a", "adam")], "scheduler": scheduler.state_dict()}
    for name in ("snapshot-005.pt", "snapshot-best-005.pt", "snapshot-detector-005.pt"):
        path = os.path.join(workdir, name)
        torch.save(dlc, path)
        code, out, _ = run(exe, "inspect", "--format", "json", path)
        doc = json.loads(out) if code == 0 else {}
        code, findings, _ = findings_of(exe, path, "--model", ref)
        check(f"DeepLabCut {name}: 'model' chosen, optimizer found, clean against the model",
              [s["path"] for s in doc.get("state_dicts", [])] == [["model"]]
              and [o["path"] for o in doc.get("optimizer_states", [])] == [["optimizer"]] and code == 0 and not findings,
              (doc.get("state_dicts"), findings))
    export = os.path.join(workdir, "DLC_Net_resnet_50_iteration-0_shuffle-1_snapshot-005.pt")
    torch.save({"config": {"net_type": "resnet_50"}, "pose": model.state_dict(),
                "detector": Net(classes=2).state_dict()}, export)
    code, findings, _ = findings_of(exe, export, "--model", ref)
    notes = [f for f in findings if f["rule"] == "CKL002"]
    check("DeepLabCut export: 'pose' checked, a note names 'detector' and --state-dict",
          code == 0 and [f["rule"] for f in findings] == ["CKL002"] and notes[0]["level"] == "note"
          and "detector" in notes[0]["message"] and "--state-dict detector" in notes[0]["message"], findings)

    # timm: state_dict_ema before state_dict in the file; the model's weights win.
    ema = collections.OrderedDict((k, v.clone()) for k, v in model.state_dict().items())
    timm = os.path.join(workdir, "timm_checkpoint.pth.tar")
    torch.save({"epoch": 9, "arch": "net", "state_dict_ema": ema, "state_dict": model.state_dict(),
                "optimizer": states[("a", "sgd")], "version": 2}, timm)
    code, out, _ = run(exe, "inspect", "--format", "json", timm)
    doc = json.loads(out) if code == 0 else {}
    check("timm: state_dict first (role model), state_dict_ema after (alternate)",
          [(s["path"], s["role"]) for s in doc.get("state_dicts", [])]
          == [(["state_dict"], "model"), (["state_dict_ema"], "alternate")], doc.get("state_dicts"))
    code, findings, _ = findings_of(exe, timm, "--model", ref)
    check("timm: the model's weights are checked, a note says how to check the EMA ones",
          code == 0 and [f["rule"] for f in findings] == ["CKL002"] and findings[0]["level"] == "note"
          and "--state-dict state_dict_ema" in findings[0]["message"], findings)
    code, findings, _ = findings_of(exe, timm, "--model", ref, "--state-dict", "state_dict_ema")
    check("timm: --state-dict state_dict_ema checks the EMA weights, no note", code == 0 and not findings, findings)
    code, out, _ = run(exe, "inspect", timm)
    check("inspect text shows which state dict check takes", "checked by default" in out and "Optimizer states (1)" in out,
          out[:600])


def main():
    ckptlint, workdir = binary_and_workdir()
    test_values(ckptlint, workdir)
    states = test_optimizer(ckptlint, workdir)
    test_layouts(ckptlint, workdir, states)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
