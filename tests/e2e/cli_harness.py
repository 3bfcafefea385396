"""Shared by the e2e CLI scripts: arguments, run the binary, record PASS/FAIL lines, exit status."""
import argparse
import os
import subprocess

failures = []


def binary_and_workdir(binary_option="--ckptlint", description=None):
    """(binary, workdir) of a test that takes just the binary under test and a scratch folder,
    which is created here."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument(binary_option, required=True, dest="binary")
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    return args.binary, args.workdir


def run(binary, *args, env=None, cwd=None):
    """(exit code, stdout, stderr) of one ckptlint run; `env` adds to the environment, `cwd` is
    the folder it runs in."""
    proc = subprocess.run([binary, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})}, cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


def check(name, condition, detail=""):
    print(("PASS " if condition else "FAIL ") + name + ("" if condition else f": {detail}"))
    if not condition:
        failures.append(name)


def finish():
    """The script's exit status: 1 if any check failed."""
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0
