#!/usr/bin/env python3
"""Wall time and peak RSS of `ckptlint inspect` versus `torch.load`, on a ~1 MB and a ~1 GB
state dict. Run by hand (tests never assert on time).

Usage: inspect_bench.py [--ckptlint BIN] [--workdir DIR] [--runs N]
Needs Debian's /usr/bin/python3 (with torch) only as a child process: to write the
checkpoints and as the baseline.
"""
import os

from bench_util import ckptlint_arguments, parse_arguments, TORCH_PYTHON, bench, ensure_checkpoint, print_table, warm_page_cache

# name -> (tensor count, float32 elements per tensor)
CHECKPOINTS = {
    "bench_1mb.pt": (16, 16 * 1024),                # 16 x 64 KiB = 1 MiB
    "bench_1gb.pt": (16, 16 * 1024 * 1024),         # 16 x 64 MiB = 1 GiB
}

# torch.empty + fill_ avoids the cost of random generation for 1 GiB
GENERATOR = """
import sys, torch
path, count, numel = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sd = {f"layer{i}.weight": torch.empty(numel).fill_(i * 0.5) for i in range(count)}
torch.save(sd, path + ".tmp")
"""


def main():
    args = parse_arguments(ckptlint_arguments(__doc__))

    tools = {
        "ckptlint inspect --format json": lambda f: [args.ckptlint, "inspect", "--format", "json", f],
        "python torch.load": lambda f: [TORCH_PYTHON, "-c", "import sys, torch; torch.load(sys.argv[1])", f],
    }
    rows = []
    for name, (count, numel) in CHECKPOINTS.items():
        path = os.path.join(args.workdir, name)
        ensure_checkpoint(path, GENERATOR, [path, count, numel], min_size=count * numel * 4)
        warm_page_cache(path)
        size = os.path.getsize(path) / 2**20
        for tool, make_cmd in tools.items():
            wall, rss, _, _ = bench(make_cmd(path), args.runs)
            rows.append((name, f"{size:.1f}", tool, f"{wall:.3f}", f"{rss:.1f}"))
    # the interpreter alone, so torch.load's own cost can be read off the table
    wall, rss, _, _ = bench([TORCH_PYTHON, "-c", "import torch"], args.runs)
    rows.append(("-", "-", "python import torch only", f"{wall:.3f}", f"{rss:.1f}"))

    header = ("file", "size MiB", "command", f"wall s (median of {args.runs})", "peak RSS MiB (max)")
    print_table(header, rows, right_aligned=(1, 3, 4))
    print("\nnote: warm page cache (each file is read once before timing); cold-cache times "
          "are dominated by disk reads and will be higher for torch.load, which reads every byte.")


if __name__ == "__main__":
    main()
