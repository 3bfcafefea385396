#!/usr/bin/env python3
"""`ckptlint check --check-values` throughput (GB/s of tensor bytes scanned for NaN/Inf) and
peak RSS, on ~1 GiB float32 and bfloat16 state dicts, next to `check` without values (the
structural read alone). Run by hand (tests never assert on time).

Usage: values_bench.py [--ckptlint BIN] [--workdir DIR] [--runs N]
Needs Debian's /usr/bin/python3 (with torch) only as a child process, to write the files.
"""
import os

from bench_util import ckptlint_arguments, parse_arguments, bench, ensure_checkpoint, print_table, warm_page_cache

# name -> (dtype, tensor count, elements per tensor)
CHECKPOINTS = {
    "values_f32_1gb.pt": ("float32", 16, 16 * 1024 * 1024),   # 16 x 64 MiB
    "values_bf16_1gb.pt": ("bfloat16", 16, 32 * 1024 * 1024),  # 16 x 64 MiB
}

GENERATOR = """
import sys, torch
path, dtype, count, numel = sys.argv[1], getattr(torch, sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sd = {f"layer{i}.weight": torch.empty(numel, dtype=dtype).fill_(i * 0.5 + 0.25) for i in range(count)}
torch.save(sd, path + ".tmp")
"""


def main():
    args = parse_arguments(ckptlint_arguments(__doc__))
    rows = []
    for name, (dtype, count, numel) in CHECKPOINTS.items():
        path = os.path.join(args.workdir, name)
        ensure_checkpoint(path, GENERATOR, [path, dtype, count, numel])
        warm_page_cache(path)
        size = os.path.getsize(path)
        base = bench([args.ckptlint, "check", path], args.runs)
        values = bench([args.ckptlint, "check", "--check-values", path], args.runs)
        base_wall, wall = base.wall, values.wall
        rate = size / 1e9 / max(wall - base_wall, 1e-9)
        rows.append((name, f"{size / 2**30:.2f}", f"{base_wall:.3f}", f"{wall:.3f}", f"{size / 1e9 / wall:.2f}",
                     f"{rate:.2f}", f"{base.rss:.1f}", f"{values.rss:.1f}"))
    header = ("file", "GiB", "check s", "--check-values s", "GB/s (whole run)", "GB/s (values only)",
              "RSS MiB", "RSS MiB values")
    print_table(header, rows, right_aligned=range(1, len(header)))
    print(f"\nmedians of {args.runs} runs, warm page cache, one thread (one file); RSS is the max over runs.")


if __name__ == "__main__":
    main()
