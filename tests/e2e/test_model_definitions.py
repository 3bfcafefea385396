#!/usr/bin/python3
"""Model definitions: `ckptlint spec` of real models saved by Debian's PyTorch agrees with what
torch says the model holds (keys, shapes, dtypes, kinds), for a state_dict() file and for
scripted and traced TorchScript archives; spec of a spec is identical; errors are one line.

Needs torch and torchvision. The TorchScript checks need the LibTorch plugin (--plugin); without
it they are skipped, saying so. Exit 1 if any check fails."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

from typing import Tuple

import torch
import torchvision

failures = []


def check(name, condition, detail=""):
    print(("PASS " if condition else "FAIL ") + name + ("" if condition else f": {detail}"))
    if not condition:
        failures.append(name)
    return condition


def run(binary, *args, env=None):
    proc = subprocess.run([binary, *args], capture_output=True, text=True, timeout=120, env=env)
    return proc.returncode, proc.stdout, proc.stderr


def is_one_error_line(err):
    return err.startswith("ckptlint: error: ") and err.count("\n") == 1


class Tiny(torch.nn.Module):
    """A persistent and a non-persistent buffer, an int buffer, a float64 parameter, BatchNorm."""

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 2)
        self.register_buffer("scale", torch.ones(2))
        self.register_buffer("cache", torch.zeros(4, dtype=torch.float64), persistent=False)
        self.register_buffer("step", torch.zeros((), dtype=torch.int32))
        self.offset = torch.nn.Parameter(torch.zeros(1, 2, dtype=torch.float64))
        self.bn = torch.nn.BatchNorm1d(2)

    def forward(self, x):
        y = self.bn(self.lin(x) * self.scale) + self.offset.float()
        return y + self.cache.sum().float() + self.step.float()


def entries_of(named_tensors):
    return [(key, list(value.shape), str(value.dtype).replace("torch.", "")) for key, value in named_tensors]


def spec_entries(document):
    return [(e["key"], e["shape"], e["dtype"]) for e in document["entries"]]


def spec_of(exe, path, *extra, env=None):
    code, out, err = run(exe, "spec", path, *extra, env=env)
    try:
        return code, json.loads(out) if code == 0 else None, err
    except json.JSONDecodeError as error:
        return code, None, f"stdout is not JSON ({error}): {out[:200]}"


def guessed_kind(key):
    """The reference-checkpoint heuristic of linter/model/from_checkpoint.h."""
    buffer_names = ("running_mean", "running_var", "num_batches_tracked")
    return "buffer" if key.split(".")[-1] in buffer_names else "parameter"


def save_models(workdir):
    """Saves each model three ways; returns {name: (model, {way: path})}."""
    torch.manual_seed(0)
    models = {"resnet18": (torchvision.models.resnet18(num_classes=5).eval(), torch.randn(1, 3, 64, 64)),
              "tiny": (Tiny().eval(), torch.randn(2, 3))}
    saved = {}
    for name, (model, example) in models.items():
        paths = {way: os.path.join(workdir, f"{name}_{way}.pt") for way in ("state_dict", "script", "trace")}
        torch.save(model.state_dict(), paths["state_dict"])
        torch.jit.save(torch.jit.script(model), paths["script"])
        torch.jit.save(torch.jit.trace(model, example), paths["trace"])
        saved[name] = (model, paths)
    return saved


def check_state_dict_file(exe, name, model, path):
    code, document, err = spec_of(exe, path)
    if not check(f"{name}: spec of torch.save(state_dict()) succeeds", code == 0 and document, (code, err)):
        return
    expected = entries_of(model.state_dict().items())
    check(f"{name}: state_dict spec = model.state_dict() (keys in order, shapes, dtypes)",
          spec_entries(document) == expected, (spec_entries(document)[:5], expected[:5]))
    kinds = [e["kind"] for e in document["entries"]]
    check(f"{name}: state_dict kinds follow the documented name heuristic",
          kinds == [guessed_kind(key) for key, _, _ in expected], kinds)
    check(f"{name}: source is the file name only", document.get("source") == os.path.basename(path), document.get("source"))


def check_torchscript_file(exe, name, model, way, path):
    code, document, err = spec_of(exe, path)
    if not check(f"{name}/{way}: spec of a TorchScript archive succeeds", code == 0 and document, (code, err)):
        return
    loaded = torch.jit.load(path)
    # What LibTorch sees is the judge: the loaded module's state_dict() (parameters and buffers,
    # module by module), with kinds from named_parameters() / named_buffers().
    check(f"{name}/{way}: spec = the TorchScript module's state_dict()",
          spec_entries(document) == entries_of(loaded.state_dict().items()),
          (spec_entries(document)[:5], entries_of(loaded.state_dict().items())[:5]))
    parameters = {key for key, _ in loaded.named_parameters()}
    buffers = {key for key, _ in loaded.named_buffers()}
    check(f"{name}/{way}: kinds are TorchScript's parameters and buffers",
          all(e["kind"] == ("parameter" if e["key"] in parameters else "buffer") for e in document["entries"])
          and {e["key"] for e in document["entries"]} == parameters | buffers, document["entries"][:3])
    # Against the Python model: identical except non-persistent buffers, which TorchScript
    # (1.13) keeps as ordinary buffers: its archive does not record persistence.
    python_entries = entries_of(model.state_dict().items())
    non_persistent = [key for key, _ in model.named_buffers() if key not in model.state_dict()]
    spec_without = [e for e in spec_entries(document) if e[0] not in non_persistent]
    if non_persistent:
        # ... which is also what the TorchScript module itself demands of a state dict.
        try:
            loaded.load_state_dict(model.state_dict())
            refused = False
        except RuntimeError as error:
            refused = all(f'"{key}"' in str(error) for key in non_persistent)
        check(f"{name}/{way}: TorchScript's strict load_state_dict also wants {non_persistent}", refused)
    check(f"{name}/{way}: spec = model.state_dict() plus its non-persistent buffers {non_persistent}",
          spec_without == python_entries and
          {e[0] for e in spec_entries(document)} == {e[0] for e in python_entries} | set(non_persistent),
          (spec_without[:5], python_entries[:5]))


def check_spec_of_spec(exe, workdir, path):
    spec_file = os.path.join(workdir, os.path.basename(path) + ".spec.json")
    if os.path.exists(spec_file):
        os.remove(spec_file)
    code, out, err = run(exe, "spec", path, "-o", spec_file)
    check(f"spec -o writes {os.path.basename(spec_file)}", code == 0 and out == "" and os.path.exists(spec_file), (code, err))
    with open(spec_file) as f:
        written = f.read()
    code, again, err = run(exe, "spec", spec_file)
    check(f"spec of a spec is identical ({os.path.basename(path)})", code == 0 and again == written, (code, err))
    code, _, err = run(exe, "spec", path, "-o", spec_file)
    check("spec -o refuses an existing file without --force",
          code == 2 and "already exists (use --force to overwrite)" in err and is_one_error_line(err), (code, err))
    code, _, err = run(exe, "spec", path, "-o", spec_file, "--force")
    with open(spec_file) as f:
        check("spec -o --force overwrites, leaving no temporary file",
              code == 0 and f.read() == written and
              not [n for n in os.listdir(workdir) if ".tmp-" in n], (code, err))
    return spec_file


def check_missing_plugin(exe, workdir, torchscript_path):
    """A copy of the binary in a folder without the plugin, and an empty CKPTLINT_PLUGIN_DIR."""
    lonely = os.path.join(workdir, "lonely")
    empty = os.path.join(workdir, "empty-plugin-dir")
    shutil.rmtree(lonely, ignore_errors=True)
    shutil.rmtree(empty, ignore_errors=True)
    os.makedirs(lonely)
    os.makedirs(empty)
    lonely_exe = shutil.copy2(exe, os.path.join(lonely, "ckptlint"))
    env = dict(os.environ, CKPTLINT_PLUGIN_DIR=empty)
    code, out, err = run(lonely_exe, "spec", torchscript_path, env=env)
    check("missing plugin: exit 2 and a clear one-line message",
          code == 2 and out == "" and is_one_error_line(err)
          and "needs the ckptlint LibTorch plugin (ckptlint_torchscript.so): not found in" in err
          and "install libtorch-dev and rebuild, or use a JSON spec (ckptlint spec)" in err, (code, err))
    with open(os.path.join(empty, "ckptlint_torchscript.so"), "w") as f:
        f.write("not a shared library\n")
    code, out, err = run(lonely_exe, "spec", torchscript_path, env=env)
    check("broken plugin file: exit 2 with dlopen's reason",
          code == 2 and is_one_error_line(err) and "needs the ckptlint LibTorch plugin" in err
          and "ckptlint_torchscript.so" in err, (code, err))
    code, out, err = run(lonely_exe, "inspect", torchscript_path.replace("_script.pt", "_state_dict.pt"), env=env)
    check("runs without TorchScript do not need the plugin", code == 0, (code, err))


def check_errors(exe, workdir, state_dict_path, torchscript_path):
    def write(name, text):
        path = os.path.join(workdir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    cases = [
        ("truncated JSON", write("truncated.spec.json", '{"format": "ckptlint-spec", "version": 1, "entries": [\n'),
         "not valid JSON"),
        ("bad dtype", write("bad_dtype.spec.json", json.dumps({"format": "ckptlint-spec", "version": 1, "entries": [
            {"key": "w", "shape": [2], "dtype": "float", "kind": "parameter"}]})), 'entries[0] (w): unknown dtype "float"'),
        ("not a spec", write("other.json", '{"name": "x"}'), "not a ckptlint spec"),
        ("negative dim", write("negative.spec.json", json.dumps({"format": "ckptlint-spec", "version": 1, "entries": [
            {"key": "w", "shape": [-2], "dtype": "float32", "kind": "buffer"}]})), "negative dimension -2"),
    ]
    for what, path, expected in cases:
        code, out, err = run(exe, "spec", path)
        check(f"corrupt spec ({what}): exit 2, one line naming the file and problem",
              code == 2 and out == "" and is_one_error_line(err) and f"{path}: " in err and expected in err, (code, err))

    no_state_dict = os.path.join(workdir, "no_state_dict.pt")
    torch.save({"epoch": 3, "note": "no tensors"}, no_state_dict)
    code, _, err = run(exe, "spec", no_state_dict)
    check("a checkpoint without a state dict: exit 2, clear message",
          code == 2 and is_one_error_line(err) and "no state dict to take the model's keys from" in err, (code, err))

    nested = os.path.join(workdir, "nested.pt")
    state = torch.load(state_dict_path)
    ema = type(state)((key, value.clone()) for key, value in state.items())  # not the same object
    torch.save({"model": state, "state_dict": ema, "epoch": 1}, nested)
    code, _, err = run(exe, "spec", nested)
    check("two equally likely state dicts: exit 2, asks for --state-dict",
          code == 2 and "choose one with --state-dict" in err, (code, err))
    code, document, err = spec_of(exe, nested, "--state-dict", "state_dict")
    check("--state-dict picks the reference's state dict",
          code == 0 and document and spec_entries(document) == entries_of(state.items()), (code, err))
    with_ema = os.path.join(workdir, "with_ema.pt")
    shorter_ema = type(state)(list(ema.items())[:-1])  # tells the two apart
    torch.save({"model_ema": shorter_ema, "model": state, "epoch": 1}, with_ema)
    code, document, err = spec_of(exe, with_ema)
    check("the model's weights are taken over their EMA copy, whatever the key order",
          code == 0 and document and spec_entries(document) == entries_of(state.items()), (code, err))
    if torchscript_path:
        code, _, err = run(exe, "spec", torchscript_path, "--state-dict", "model")
        check("--state-dict with a TorchScript archive is refused",
              code == 2 and "--state-dict applies to a reference checkpoint" in err, (code, err))
    code, _, err = run(exe, "spec", os.path.join(workdir, "nothere.pt"))
    check("a missing file: exit 2", code == 2 and is_one_error_line(err), (code, err))
    code, _, err = run(exe, "spec", "--force", state_dict_path)
    check("--force without -o is a usage error", code == 2 and "--force needs -o" in err, (code, err))


def report_timings(exe, resnet_paths, have_plugin):
    """Measured, never asserted (DESIGN.md: tests do not assert on time)."""
    for way in ("state_dict", "script") if have_plugin else ("state_dict",):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            run(exe, "spec", resnet_paths[way])
            times.append(time.perf_counter() - start)
        print(f"TIME ckptlint spec resnet18_{way}.pt: best {min(times) * 1000:.0f} ms of {len(times)}")


class PrintsWhenLoaded(torch.nn.Module):
    """A TorchScript submodule whose __setstate__ prints: torch::jit::load runs it."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    @torch.jit.export
    def __getstate__(self):
        return (self.calls, self.training)

    @torch.jit.export
    def __setstate__(self, state: Tuple[int, bool]):
        print("{\"printed by __setstate__\": 1}")
        self.calls = state[0]
        self.training = state[1]

    def forward(self, x):
        return x


class WithNoisySubmodule(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 3)
        self.noisy = PrintsWhenLoaded()

    def forward(self, x):
        return self.noisy(self.linear(x))


def check_code_in_torchscript_stays_off_stdout(exe, workdir):
    path = os.path.join(workdir, "prints_when_loaded.pt")
    torch.jit.save(torch.jit.script(WithNoisySubmodule()), path)
    code, document, err = spec_of(exe, path)
    check("TorchScript code run while loading (a print in __setstate__) goes to stderr, not into the spec",
          code == 0 and document is not None and "printed by __setstate__" in err, (code, err[:300]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ckptlint", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--plugin", help="the built plugin; without it the TorchScript checks are skipped")
    args = parser.parse_args()
    exe = args.ckptlint
    os.makedirs(args.workdir, exist_ok=True)
    have_plugin = bool(args.plugin) and os.path.exists(args.plugin)
    if args.plugin and not have_plugin:
        check("the plugin named by --plugin exists", False, args.plugin)

    saved = save_models(args.workdir)
    for name, (model, paths) in saved.items():
        check_state_dict_file(exe, name, model, paths["state_dict"])
        check_spec_of_spec(exe, args.workdir, paths["state_dict"])
        if have_plugin:
            for way in ("script", "trace"):
                check_torchscript_file(exe, name, model, way, paths[way])
            check_spec_of_spec(exe, args.workdir, paths["script"])
    if have_plugin:
        check_code_in_torchscript_stays_off_stdout(exe, args.workdir)
    if not have_plugin:
        print("SKIP TorchScript checks: the LibTorch plugin was not built (install libtorch-dev and reconfigure)")

    check_missing_plugin(exe, args.workdir, saved["tiny"][1]["script"])
    check_errors(exe, args.workdir, saved["tiny"][1]["state_dict"], saved["tiny"][1]["script"] if have_plugin else None)
    report_timings(exe, saved["resnet18"][1], have_plugin)

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
