#!/usr/bin/env python3
"""Wall time and peak RSS of `ckptlint inspect` versus `torch.load`, on a ~1 MB and a ~1 GB
state dict. Run by hand (tests never assert on time).

Usage: inspect_bench.py [--ckptlint BIN] [--workdir DIR] [--runs N]
Needs Debian's /usr/bin/python3 (with torch) only as a child process: to write the
checkpoints and as the baseline.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

TORCH_PYTHON = "/usr/bin/python3"

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


def ensure_checkpoint(path, count, numel):
    expected = count * numel * 4
    if os.path.exists(path) and os.path.getsize(path) >= expected:
        return
    print(f"writing {path} ...", flush=True)
    subprocess.run([TORCH_PYTHON, "-c", GENERATOR, path, str(count), str(numel)], check=True)
    os.replace(path + ".tmp", path)  # never leave a half-written file to be reused


def warm_page_cache(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def measure(cmd):
    """(wall seconds, peak RSS MiB) of one run. RSS comes from /usr/bin/time, whose child is
    forked from a small process: wait4() on a child forked from this Python interpreter would
    report the interpreter's own pre-exec RSS as the child's peak."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"command failed with exit code {proc.returncode}: {' '.join(cmd)}\n{proc.stderr}")
    return wall, int(proc.stderr.strip().splitlines()[-1]) / 1024  # %M is in KiB


def bench(cmd, runs):
    samples = [measure(cmd) for _ in range(runs)]
    return statistics.median(w for w, _ in samples), max(r for _, r in samples)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ckptlint", default="build/ckptlint")
    ap.add_argument("--workdir", default="/tmp/ckptlint-bench")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not os.access(args.ckptlint, os.X_OK):
        sys.exit(f"error: {args.ckptlint} is not an executable (build it or pass --ckptlint)")
    os.makedirs(args.workdir, exist_ok=True)

    tools = {
        "ckptlint inspect --format json": lambda f: [args.ckptlint, "inspect", "--format", "json", f],
        "python torch.load": lambda f: [TORCH_PYTHON, "-c", "import sys, torch; torch.load(sys.argv[1])", f],
    }
    rows = []
    for name, (count, numel) in CHECKPOINTS.items():
        path = os.path.join(args.workdir, name)
        ensure_checkpoint(path, count, numel)
        warm_page_cache(path)
        size = os.path.getsize(path) / 2**20
        for tool, make_cmd in tools.items():
            wall, rss = bench(make_cmd(path), args.runs)
            rows.append((name, f"{size:.1f}", tool, f"{wall:.3f}", f"{rss:.1f}"))
    # the interpreter alone, so torch.load's own cost can be read off the table
    wall, rss = bench([TORCH_PYTHON, "-c", "import torch"], args.runs)
    rows.append(("-", "-", "python import torch only", f"{wall:.3f}", f"{rss:.1f}"))

    header = ("file", "size MiB", "command", f"wall s (median of {args.runs})", "peak RSS MiB (max)")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    for r in [header, tuple("-" * w for w in widths)] + rows:
        print("  ".join(c.rjust(w) if i in (1, 3, 4) else c.ljust(w)
                        for i, (c, w) in enumerate(zip(r, widths))))
    print("\nnote: warm page cache (each file is read once before timing); cold-cache times "
          "are dominated by disk reads and will be higher for torch.load, which reads every byte.")


if __name__ == "__main__":
    main()
