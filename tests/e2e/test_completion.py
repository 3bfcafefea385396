#!/usr/bin/python3
"""The bash completion the build generates (`ckptlint completion bash`), driven the way bash
drives it: source the script, set COMP_WORDS/COMP_CWORD, call the function, read COMPREPLY.
Commands and options must be exactly those of --help; every offered value must be accepted by
ckptlint itself; rule ids come from `ckptlint rules`; other arguments complete file names.

Exit 1 if any check fails."""
import argparse
import json
import os
import re
import subprocess

import cli_surface
from cli_harness import check, finish, run

DRIVER = r'''
source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
_ckptlint
printf '%s\n' "${COMPREPLY[@]}"
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ckptlint", required=True)
    parser.add_argument("--script", required=True, help="the completion script written by the build")
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    exe, script = args.ckptlint, os.path.abspath(args.script)
    os.makedirs(os.path.join(args.workdir, "subdir"), exist_ok=True)
    for name in ["alpha.pt", "beta.safetensors", "with space.pt"]:
        open(os.path.join(args.workdir, name), "wb").close()

    with open(script) as f:
        text = f.read()
    code, out, err = run(exe, "completion", "bash")
    check("completion bash exits 0", code == 0, (code, err))
    check("the built script is what 'ckptlint completion bash' writes", out == text)
    code, _, err = run(exe, "completion", "zsh")
    check("an unknown shell is a usage error", code == 2 and "unknown shell 'zsh'" in err, (code, err))

    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", f'source "{script}"; complete -p ckptlint'],
                          capture_output=True, text=True)
    check("sourcing registers the completion", proc.returncode == 0 and "-F _ckptlint" in proc.stdout,
          (proc.stdout, proc.stderr))

    def complete(*words):
        proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", DRIVER, "driver", script, "ckptlint", *words],
                              capture_output=True, text=True, cwd=args.workdir)
        if proc.returncode != 0 or proc.stderr:
            check(f"completion of {words} runs cleanly", False, proc.stderr)
        return sorted(line for line in proc.stdout.splitlines() if line)

    commands = cli_surface.commands(exe)
    check("ckptlint ch<TAB> -> check", complete("ch") == ["check"], complete("ch"))
    check("ckptlint <TAB> -> the commands of --help and the global options",
          complete("") == sorted(commands + ["--help", "-h", "--version", "-V"]), complete(""))
    check("ckptlint help in<TAB> -> inspect", complete("help", "in") == ["inspect"], complete("help", "in"))
    for command in commands:
        offered = set(complete(command, "-"))
        check(f"ckptlint {command} -<TAB> offers exactly its --help options",
              offered == cli_surface.options(exe, command), offered ^ cli_surface.options(exe, command))
    check("ckptlint check --mo<TAB> -> --model", complete("check", "--mo") == ["--model"], complete("check", "--mo"))

    code, out, _ = run(exe, "rules", "--format", "json")
    rules = json.loads(out)
    ids = sorted(rule["id"] for rule in rules)
    check("--select CKL1<TAB> -> the CKL1xx ids", complete("check", "--select", "CKL1") ==
          [i for i in ids if i.startswith("CKL1")], complete("check", "--select", "CKL1"))
    check("--ignore <TAB> -> every rule id", complete("check", "--ignore", "") == ids, complete("check", "--ignore", ""))
    check("--select CKL101,CKL2<TAB> completes the last item",
          complete("check", "--select", "CKL101,CKL2") == ["CKL101," + i for i in ids if i.startswith("CKL2")],
          complete("check", "--select", "CKL101,CKL2"))
    check("rules wrap<TAB> -> wrapper-prefix", complete("rules", "wrap") == ["wrapper-prefix"], complete("rules", "wrap"))
    check("rules CKL00<TAB> -> CKL001 CKL002", complete("rules", "CKL00") == ["CKL001", "CKL002"],
          complete("rules", "CKL00"))
    check("completion <TAB> -> bash", complete("completion", "") == ["bash"], complete("completion", ""))
    for command in commands:  # `usage: ckptlint config show ...`: the word after the command
        usage = run(exe, command, "--help")[1].splitlines()[0].split()
        word = usage[3] if len(usage) > 3 and re.fullmatch(r"[a-z][a-z-]*", usage[3]) else None
        if word and command != "rules":
            check(f"ckptlint {command} <TAB> -> {word}", complete(command, "") == [word], complete(command, ""))
            check(f"ckptlint {command} {word} <TAB> -> files", "alpha.pt" in complete(command, word, ""),
                  complete(command, word, ""))

    expected_values = {
        ("check", "--format"): ["github", "json", "sarif", "text"],
        ("check", "--fail-on"): ["error", "never", "note", "warning"],
        ("check", "--color"): ["always", "auto", "never"],
        ("inspect", "--format"): ["json", "text"],
        ("rules", "--format"): ["json", "text"],
    }
    missing = os.path.join(args.workdir, "no-such-file.pt")
    for (command, option), values in expected_values.items():
        offered = complete(command, option, "")
        check(f"{command} {option} <TAB> -> {' '.join(values)}", offered == values, offered)
        file_argument = [missing] if command != "rules" else []
        for value in offered:  # ckptlint accepts every offered value ...
            code, _, err = run(exe, command, option, value, *file_argument)
            check(f"{command} {option} {value} is accepted", "unknown" not in err and "must be" not in err, err)
        code, _, err = run(exe, command, option, "bogus", *file_argument)  # ... and the check can fail
        check(f"{command} {option} bogus is refused", code == 2 and "bogus" in err, (code, err))
    check("--format=js<TAB> (bash splits at '=') -> json",
          complete("check", "--format", "=", "js") == ["json"], complete("check", "--format", "=", "js"))
    check("--format=<TAB> -> the four formats", complete("check", "--format", "=") == expected_values[("check", "--format")],
          complete("check", "--format", "="))

    check("check a<TAB> -> a file", complete("check", "a") == ["alpha.pt"], complete("check", "a"))
    # COMP_WORDS holds a word as typed, quoting and all (bash does not undo it for -F functions).
    for typed in ["with\\ s", "'with s", '"with s', "with\\ space.p"]:
        check(f"check {typed}<TAB> -> the file with a space", complete("check", typed) == ["with space.pt"],
              complete("check", typed))
    check("check --model with\\ <TAB> -> the file with a space", complete("check", "--model", "with\\ ") ==
          ["with space.pt"], complete("check", "--model", "with\\ "))
    check("check --model s<TAB> -> a folder", complete("check", "--model", "s") == ["subdir"],
          complete("check", "--model", "s"))
    check("check -j <TAB> -> nothing (a number)", complete("check", "-j", "") == [], complete("check", "-j", ""))
    check("check --state-dict <TAB> -> nothing (a path inside the file)", complete("check", "--state-dict", "") == [],
          complete("check", "--state-dict", ""))
    check("check --output s<TAB> -> a file (FMT:FILE)", complete("check", "--output", "s") == ["subdir"],
          complete("check", "--output", "s"))
    check("the hidden manpage command is not offered", "manpage" not in complete("m"), complete("m"))
    return finish()


if __name__ == "__main__":
    raise SystemExit(main())
