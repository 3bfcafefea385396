#!/usr/bin/env python3
"""Wall time and peak RSS of the --apply writer (fix::rewriteCheckpoint, run through
tests/tools/rewrite_tool) stripping DataParallel's `module.` from a ~100 MB and a ~1 GB state
dict, next to `cp` of the same file: as --apply does it (each record copied with its declared
CRC-32) and as --apply --check-crc does it (the CRC recomputed while copying). Memory should stay flat (tens of MB) whatever the size:
storages are streamed in chunks, never held whole. Run by hand (tests never assert on time).

Usage: apply_bench.py [--rewrite-tool BIN] [--workdir DIR] [--runs N]
Needs Debian's /usr/bin/python3 (with torch) only as a child process, to write the checkpoints.
"""
import argparse
import os

from bench_util import bench, check_executable, ensure_checkpoint, warm_page_cache

# name -> (tensor count, float32 elements per tensor)
CHECKPOINTS = {
    "apply_100mb.pt": (25, 1024 * 1024),        # 25 x 4 MiB = 100 MiB
    "apply_1gb.pt": (64, 4 * 1024 * 1024),      # 64 x 16 MiB = 1 GiB
}

# DataParallel-style keys, plus a BatchNorm-like counter and _metadata, as a training run writes.
GENERATOR = """
import sys, collections, torch
path, count, numel = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sd = collections.OrderedDict()
sd._metadata = collections.OrderedDict([("", {"version": 1}), ("module", {"version": 1})])
for i in range(count):
    sd[f"module.layer{i}.weight"] = torch.empty(numel).fill_(i * 0.5)
    sd[f"module.layer{i}.num_batches_tracked"] = torch.tensor(i)
    sd._metadata[f"module.layer{i}"] = {"version": 2}
torch.save(sd, path + ".tmp")
"""


def remove_if_present(path):
    if os.path.exists(path):
        os.remove(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rewrite-tool", default="build/tests/rewrite_tool")
    ap.add_argument("--workdir", default="/tmp/ckptlint-bench")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    check_executable(args.rewrite_tool, "build the rewrite_tool target or pass --rewrite-tool")
    os.makedirs(args.workdir, exist_ok=True)
    output = os.path.join(args.workdir, "apply_out.pt")
    tools = {
        # --apply: copies each record with its declared CRC-32; --apply --check-crc: recomputes it
        "rewrite": lambda f: [args.rewrite_tool, f, output, "--strip-prefix", "module.", "--verify-copied-crc", "no"],
        "rewrite, CRC verified": lambda f: [args.rewrite_tool, f, output, "--strip-prefix", "module."],
        "cp": lambda f: ["cp", f, output],
    }
    print(f"{'file':<16}{'size MiB':>10}  {'tool':<26}{'median s':>10}{'peak RSS MiB':>14}")
    for name, (count, numel) in CHECKPOINTS.items():
        path = os.path.join(args.workdir, name)
        ensure_checkpoint(path, GENERATOR, [path, count, numel], min_size=count * numel * 4)
        warm_page_cache(path)
        size = os.path.getsize(path) / (1 << 20)
        for label, command in tools.items():
            wall, rss, _, _ = bench(command(path), args.runs, before_each=lambda: remove_if_present(output))
            print(f"{name:<16}{size:>10.0f}  {label:<26}{wall:>10.3f}{rss:>14.1f}", flush=True)
    if os.path.exists(output):
        os.remove(output)


if __name__ == "__main__":
    main()
