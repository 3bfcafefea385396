#!/usr/bin/env python3
"""`ckptlint check --model SPEC` versus torch.load + load_state_dict(strict=False), side by side:
wall time (median of several runs, each a fresh process) and peak RSS, on

  resnet50_1gb.pt    torchvision resnet50 with a 119,000-class head (fc: 119000 x 2048 float32):
                     a real resnet50 state dict of ~1 GiB, every tensor used by the model
  resnet50_10gb.pt   the same with a 1,300,000-class head (~10 GiB; --skip-10gb leaves it out;
                     torch on it needs ~20 GiB of memory, so it runs only with --torch-10gb)
  tensors_100k.pt    100,000 small tensors (1000 blocks x 100 parameters of 4 floats)

plus `check --check-values` throughput (GB/s) and `check --apply` time versus `cp` of the same
file, each only when this ckptlint has the option (otherwise a line says it was skipped).
Run by hand; tests never assert on time. Files are written to --workdir and deleted at the end
unless --keep.

Usage: check_bench.py [--ckptlint BIN] [--workdir DIR] [--runs N] [--skip-10gb] [--torch-10gb] [--keep]
Needs Debian's /usr/bin/python3 (torch, torchvision) only as a child process.
"""
import os
import statistics
import subprocess

from bench_util import TORCH_PYTHON, bench, ckptlint_arguments, parse_arguments, ensure_checkpoint, measure, print_table, warm_page_cache

GIB = 2**30

# name -> (kind, parameter)
CHECKPOINTS = {
    "resnet50_1gb.pt": ("resnet50", 119_000),
    "resnet50_10gb.pt": ("resnet50", 1_300_000),
    "tensors_100k.pt": ("many", 100_000),
}

# Writes the checkpoint. The large head of the resnet50 files is a tensor over a sparse file
# (torch.from_file): torch.save streams it out without the generator holding 10 GiB of memory.
GENERATOR = r"""
import os, sys, torch
kind, count, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kind == "resnet50":
    import torchvision
    sd = torchvision.models.resnet50().state_dict()
    backing = path + ".backing"
    with open(backing, "wb") as f:
        f.truncate(count * 2048 * 4)
    sd["fc.weight"] = torch.from_file(backing, shared=True, size=count * 2048).view(count, 2048)
    sd["fc.bias"] = torch.zeros(count)
    torch.save(sd, path + ".tmp")
    os.remove(backing)
else:
    sd = {f"blocks.{i // 100}.p{i % 100}": torch.full((4,), float(i)) for i in range(count)}
    torch.save(sd, path + ".tmp")
"""

# The baseline a user would write; prints the seconds spent in torch.load + load_state_dict
# alone (after `import torch` and building the model) so both totals can be read.
TORCH_LOAD = r"""
import sys, time, torch
kind, count, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kind == "resnet50":
    import torchvision
    model = torchvision.models.resnet50(num_classes=count)
else:
    model = torch.nn.Module()
    blocks = torch.nn.ModuleList()
    for b in range(count // 100):
        block = torch.nn.Module()
        for p in range(100):
            block.register_parameter(f"p{p}", torch.nn.Parameter(torch.empty(4)))
        blocks.append(block)
    model.blocks = blocks
start = time.perf_counter()
model.load_state_dict(torch.load(path), strict=False)
print(time.perf_counter() - start)
"""


def has_option(ckptlint, option):
    proc = subprocess.run([ckptlint, "check", "--help"], capture_output=True, text=True)
    return option in proc.stdout


def main():
    ap = ckptlint_arguments(__doc__, workdir="/tmp/ckptlint-check-bench")
    ap.add_argument("--torch-runs", type=int, default=3, help="runs of the torch baseline (slow)")
    ap.add_argument("--skip-10gb", action="store_true")
    ap.add_argument("--torch-10gb", action="store_true", help="also run torch on the 10 GiB file (~20 GiB RAM)")
    ap.add_argument("--keep", action="store_true", help="keep the checkpoints written to --workdir")
    args = parse_arguments(ap)
    ckptlint = os.path.abspath(args.ckptlint)
    created = []
    rows, notes = [], []

    def row(name, size, command, wall, rss, extra="", cpu=None):
        rows.append((name, size, command, f"{wall:.3f}", "-" if cpu is None else f"{cpu:.3f}", f"{rss:.1f}", extra))

    try:
        for name, (kind, count) in CHECKPOINTS.items():
            if name == "resnet50_10gb.pt" and args.skip_10gb:
                notes.append("resnet50_10gb.pt: skipped (--skip-10gb)")
                continue
            path = os.path.join(args.workdir, name)
            spec = path + ".spec.json"
            if not os.path.exists(path):
                created.append(path)
            ensure_checkpoint(path, GENERATOR, [kind, count, path])
            if not os.path.exists(spec):
                created.append(spec)
                subprocess.run([ckptlint, "spec", path, "-o", spec, "--force"], check=True)
            warm_page_cache(path)
            size = f"{os.path.getsize(path) / GIB:.2f} GiB"
            lint_wall, lint_rss, _, lint_cpu = bench([ckptlint, "check", path, "--model", spec, "--format", "json"],
                                                     args.runs)
            row(name, size, "ckptlint check --model SPEC", lint_wall, lint_rss, cpu=lint_cpu)
            if name == "resnet50_10gb.pt" and not args.torch_10gb:
                notes.append("resnet50_10gb.pt: torch baseline skipped (needs ~20 GiB; --torch-10gb runs it)")
            else:
                wall, rss, outs, cpu = bench([TORCH_PYTHON, "-c", TORCH_LOAD, kind, str(count), path], args.torch_runs)
                inner = statistics.median(float(o.strip().splitlines()[-1]) for o in outs)
                row(name, size, "python torch.load+load_state_dict", wall, rss,
                    f"{wall / lint_wall:.0f}x ckptlint's wall; load+load_state_dict alone {inner:.3f} s = "
                    f"{inner / lint_wall:.0f}x", cpu=cpu)
            if kind == "resnet50" and name == "resnet50_1gb.pt":
                bench_values(ckptlint, path, spec, size, lint_wall, args.runs, row, notes)
                bench_apply(ckptlint, path, spec, size, args, row, notes, created)

        wall, rss, _, cpu = bench([TORCH_PYTHON, "-c", "import torch, torchvision"], args.runs)
        row("-", "-", "python import torch, torchvision only", wall, rss, cpu=cpu)
    finally:
        if not args.keep:
            for path in created:
                if os.path.exists(path):
                    os.remove(path)

    header = ("file", "size", "command", "wall s (median)", "CPU s (median)", "peak RSS MiB (max)", "")
    print_table(header, rows, right_aligned=(3, 4, 5))
    print(f"\nckptlint: median of {args.runs} runs; torch: median of {args.torch_runs}. Warm page cache "
          "(each file is read once before timing).")
    print("targets: >= 100x faster than torch on 1 GB, RSS < 32 MiB whatever the size; 100k tensors < 0.3 s; "
          "--check-values >= 1 GB/s per core; --apply within 1.5x of cp.")
    for note in notes:
        print("note: " + note)


def bench_values(ckptlint, path, spec, size, plain_wall, runs, row, notes):
    if not has_option(ckptlint, "--check-values"):
        notes.append("--check-values: skipped (this ckptlint has no such option yet)")
        return
    wall, rss, _, cpu = bench([ckptlint, "check", path, "--model", spec, "--check-values", "-j", "1",
                               "--format", "json"], runs, ok_codes=(0, 1))
    rate = os.path.getsize(path) / 1e9 / max(wall - plain_wall, 1e-9)
    row(os.path.basename(path), size, "ckptlint check --check-values -j 1", wall, rss,
        f"{rate:.2f} GB/s (file bytes / wall beyond a plain check; CPU {os.path.getsize(path) / 1e9 / cpu:.2f} GB/s)",
        cpu=cpu)


def bench_apply(ckptlint, path, spec, size, args, row, notes, created):
    if not has_option(ckptlint, "--apply"):
        notes.append("--apply: skipped (this ckptlint has no such option yet)")
        return
    # A DataParallel copy of the snapshot: every key gains 'module.', which --apply strips.
    wrapped = os.path.join(args.workdir, "resnet50_1gb_dataparallel.pt")
    if not os.path.exists(wrapped):
        created.append(wrapped)
        subprocess.run([TORCH_PYTHON, "-c", (
            "import sys, torch\n"
            "sd = torch.load(sys.argv[1])\n"
            "torch.save({'module.' + k: v for k, v in sd.items()}, sys.argv[2] + '.tmp')\n"),
            path, wrapped], check=True)
        os.replace(wrapped + ".tmp", wrapped)
    warm_page_cache(wrapped)
    out = os.path.join(args.workdir, "applied.pt")
    copy = os.path.join(args.workdir, "copied.pt")
    created.extend([out, copy])
    apply_times, cp_times = [], []
    for _ in range(args.runs):
        for target in (out, copy):
            if os.path.exists(target):
                os.remove(target)
        apply_times.append(measure([ckptlint, "check", wrapped, "--model", spec, "--apply", "-o", out],
                                   ok_codes=(0, 1)))
        cp_times.append(measure(["cp", wrapped, copy]))
    apply_wall = statistics.median(t[0] for t in apply_times)
    cp_wall = statistics.median(t[0] for t in cp_times)
    row(os.path.basename(wrapped), size, "ckptlint check --apply -o OUT", apply_wall,
        max(t[1] for t in apply_times), f"{apply_wall / cp_wall:.2f}x cp", cpu=statistics.median(t[3] for t in apply_times))
    row(os.path.basename(wrapped), size, "cp", cp_wall, max(t[1] for t in cp_times),
        cpu=statistics.median(t[3] for t in cp_times))


if __name__ == "__main__":
    main()
