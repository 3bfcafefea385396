#!/usr/bin/env python3
"""`ckptlint verify SNAPSHOT --model MODEL.ts` (wall, CPU, peak RSS) next to what Python does for
the same proof: `torch.jit.load(MODEL).load_state_dict(torch.load(SNAPSHOT))`, each in a fresh
process, on a scripted torchvision resnet50 (~100 MB of weights). Run by hand (tests never
assert on time).

Usage: verify_bench.py [--ckptlint BIN] [--workdir DIR] [--runs N]
Needs Debian's /usr/bin/python3 (torch, torchvision) and the LibTorch plugin beside BIN.
"""
import os

from bench_util import TORCH_PYTHON, bench, ckptlint_arguments, ensure_checkpoint, parse_arguments, print_table, warm_page_cache

GENERATOR = """
import sys, torch, torchvision
snapshot, model = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
net = torchvision.models.resnet50().eval()
torch.jit.save(torch.jit.script(net), model)
torch.save(net.state_dict(), snapshot + ".tmp")
"""

PYTHON_LOAD = """
import sys, torch
module = torch.jit.load(sys.argv[2])
module.load_state_dict(torch.load(sys.argv[1], map_location="cpu"))
"""


def main():
    args = parse_arguments(ckptlint_arguments(__doc__, workdir="/tmp/ckptlint-verify-bench"))
    snapshot = os.path.join(args.workdir, "resnet50_state_dict.pt")
    model = os.path.join(args.workdir, "resnet50_script.ts")
    if not os.path.exists(model) and os.path.exists(snapshot):
        os.remove(snapshot)  # written together
    ensure_checkpoint(snapshot, GENERATOR, [snapshot, model])
    for path in (snapshot, model):
        warm_page_cache(path)
    runs = [("ckptlint verify", [args.ckptlint, "verify", snapshot, "--model", model]),
            ("python: jit.load + torch.load + load_state_dict", [TORCH_PYTHON, "-c", PYTHON_LOAD, snapshot, model])]
    rows = []
    for name, cmd in runs:
        sample = bench(cmd, args.runs)
        rows.append((name, f"{sample.wall:.2f}", f"{sample.cpu:.2f}", f"{sample.rss:.0f}"))
    print_table(("run", "wall s", "CPU s", "RSS MiB"), rows, right_aligned=(1, 2, 3))
    print(f"\nmedians of {args.runs} runs, warm page cache; snapshot {os.path.getsize(snapshot) / 2**20:.0f} MiB.")


if __name__ == "__main__":
    main()
