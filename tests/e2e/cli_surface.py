"""What `ckptlint --help` and `ckptlint COMMAND --help` show: the command names and each
command's option names. Tests of generated artefacts (man page, completion, CI examples) compare
against these, so that neither side can drift from the real command line."""
import re

from cli_harness import run

_OPTION_LINE = re.compile(r"^  (?:-(\w) \[ --([\w-]+) \]|--([\w-]+))")


def commands(binary):
    """Command names listed by `ckptlint --help`, in order."""
    code, out, _ = run(binary, "--help")
    assert code == 0, out
    names, listing = [], False
    for line in out.splitlines():
        if line == "commands:":
            listing = True
        elif listing and line.startswith("  "):
            names.append(line.split()[0])
        elif listing:
            break
    return names


def options(binary, command):
    """{"--model", "-m", ...}: every option name `ckptlint COMMAND --help` shows."""
    code, out, _ = run(binary, command, "--help")
    assert code == 0, out
    names = set()
    for line in out.splitlines():
        match = _OPTION_LINE.match(line)
        if not match:
            continue
        short, long_with_short, long_only = match.groups()
        if short:
            names.add("-" + short)
        names.add("--" + (long_with_short or long_only))
    return names
