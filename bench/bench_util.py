"""Pieces the benchmark scripts share: writing a checkpoint with Debian's torch once, warming
the page cache, timing one command in a fresh process (wall, peak RSS, CPU), medians of runs,
and printing a table. Benchmarks are run by hand; tests never assert on time."""
import argparse
import os
import statistics
import subprocess
import time
from collections import namedtuple

TORCH_PYTHON = "/usr/bin/python3"

Sample = namedtuple("Sample", "wall rss stdout cpu")  # seconds, MiB, text, seconds


def ensure_checkpoint(path, generator, argv, min_size=0):
    """Runs `generator` (Python source, with Debian's torch) unless `path` exists with at least
    `min_size` bytes. The generator writes `path + '.tmp'`; it is renamed into place here, so a
    half-written file is never reused."""
    if os.path.exists(path) and os.path.getsize(path) >= min_size:
        return
    print(f"writing {path} ...", flush=True)
    subprocess.run([TORCH_PYTHON, "-c", generator, *map(str, argv)], check=True)
    os.replace(path + ".tmp", path)


def warm_page_cache(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def measure(cmd, ok_codes=(0,)):
    """One run in a fresh process. RSS and CPU come from /usr/bin/time: wait4() on a child
    forked from this interpreter would report the interpreter's own pre-exec RSS as the
    child's peak. CPU time (user + system) is the steadier figure on a shared machine."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", *cmd], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if proc.returncode not in ok_codes:
        raise SystemExit(f"command failed with exit code {proc.returncode}: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    rss_kib, user, system = proc.stderr.strip().splitlines()[-1].split()
    return Sample(wall, int(rss_kib) / 1024, proc.stdout, float(user) + float(system))


def bench(cmd, runs, ok_codes=(0,), before_each=None):
    """Median wall and CPU, max RSS, and the stdouts of `runs` runs (`before_each` runs first
    each time, e.g. to remove an output file)."""
    samples = []
    for _ in range(runs):
        if before_each:
            before_each()
        samples.append(measure(cmd, ok_codes))
    return Sample(statistics.median(s.wall for s in samples), max(s.rss for s in samples),
                  [s.stdout for s in samples], statistics.median(s.cpu for s in samples))


def print_table(header, rows, right_aligned):
    """Rows of strings in columns; columns whose index is in `right_aligned` are right-aligned."""
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    for r in [header, tuple("-" * w for w in widths)] + rows:
        print("  ".join(c.rjust(w) if i in right_aligned else c.ljust(w)
                        for i, (c, w) in enumerate(zip(r, widths))).rstrip())


def check_executable(path, hint):
    if not os.access(path, os.X_OK):
        raise SystemExit(f"error: {path} is not an executable ({hint})")


def ckptlint_arguments(doc, workdir="/tmp/ckptlint-bench", runs=5):
    """The options every ckptlint benchmark takes; add more before calling parse_arguments."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--ckptlint", default="build/ckptlint")
    ap.add_argument("--workdir", default=workdir)
    ap.add_argument("--runs", type=int, default=runs)
    return ap


def parse_arguments(ap):
    args = ap.parse_args()
    check_executable(args.ckptlint, "build it or pass --ckptlint")
    os.makedirs(args.workdir, exist_ok=True)
    return args
