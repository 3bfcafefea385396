#!/usr/bin/python3
"""The man page ckptlint.1 the build generates: the same text `ckptlint manpage` writes now,
every command of --help with every option of its --help, every registered rule with its page,
and valid roff: groff (and man, when installed) render it without a single warning.

Exit 1 if any check fails."""
import argparse
import json
import os
import re
import shutil
import subprocess

import cli_surface
from cli_harness import check, finish, run


def roff_name(text):
    """How the page spells an option or word: hyphens as \\-."""
    return text.replace("-", "\\-")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ckptlint", required=True)
    parser.add_argument("--man-page", required=True, help="ckptlint.1 written by the build")
    args = parser.parse_args()
    exe = args.ckptlint

    with open(args.man_page, encoding="ascii") as f:  # ASCII only: groff reads it without preconv
        page = f.read()
    code, out, err = run(exe, "manpage")
    check("manpage exits 0", code == 0, (code, err))
    check("the built page is what 'ckptlint manpage' writes", out == page)

    code, version, _ = run(exe, "--version")
    check(".TH names the version", f'"{version.strip()}"' in page.splitlines()[1], page.splitlines()[:2])

    sections = re.findall(r"^\.SH (.*)$", page, re.M)
    for wanted in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "RULES", '"EXIT STATUS"',
                   "ENVIRONMENT", "FILES", '"SEE ALSO"']:
        check(f"section {wanted}", wanted in sections, sections)
    subsections = re.findall(r"^\.SS (.*)$", page, re.M)

    commands = cli_surface.commands(exe)
    check("--help lists commands", len(commands) >= 4, commands)
    check("the hidden manpage command is not listed", "manpage" not in commands, commands)
    commands_part = page[page.index(".SH COMMANDS"):page.index(".SH RULES")]
    for command in commands:
        check(f"command {command} has a subsection", roff_name(command) in subsections, subsections)
        section = commands_part.split(".SS " + roff_name(command) + "\n", 1)[-1].split("\n.SS ", 1)[0]
        for option in sorted(cli_surface.options(exe, command)):
            check(f"{command} {option} is documented", "\\fB" + roff_name(option) + "\\fR" in section, option)

    code, out, err = run(exe, "rules", "--format", "json")
    rules = json.loads(out)
    check("rules are listed", code == 0 and len(rules) > 10, err)
    for rule in rules:
        heading = f'"{rule["id"]} {roff_name(rule["name"])}"'
        check(f"rule {rule['id']} has a subsection", heading in subsections, heading)
    for variable in ["NO_COLOR", "CLICOLOR_FORCE", "CKPTLINT_PLUGIN_DIR"]:
        check(f"environment {variable}", f"\\fB{roff_name(variable)}\\fR" in page, variable)

    for number, line in enumerate(page.splitlines(), 1):
        if line.startswith(".") and not re.match(r"^\.(\\\"|TH|SH|SS|PP|TP|IP|RS|RE|nf|fi|br|nh|ad)( |$)", line):
            check(f"line {number} is a known man macro", False, line)

    groff = shutil.which("groff")
    if groff:
        proc = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", args.man_page],
                              capture_output=True, text=True)
        check("groff -man -ww: no warnings", proc.returncode == 0 and proc.stderr == "", proc.stderr[:2000])
        proc = subprocess.run([groff, "-man", "-Tutf8", args.man_page], capture_output=True, text=True)
        text = re.sub(r".\x08", "", proc.stdout)  # overstrike bold/underline
        check("the rendered page shows a rule page's text", "wrapper-prefix" in text and "How to fix" in text,
              text[:500])
        check("the rendered page shows --model with plain hyphens", "--model" in text, text[:500])
        check("no request leaked into the rendered text", not re.search(r"^\s*\.(PP|TP|IP|nf|fi)\b", text, re.M))
    else:
        print("SKIP groff checks: groff not installed")
    man = shutil.which("man")
    if man:
        proc = subprocess.run([man, "--warnings", "-l", args.man_page], capture_output=True, text=True,
                              env={**os.environ, "MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "100"})
        check("man -l renders without warnings", proc.returncode == 0 and proc.stderr == "", proc.stderr[:2000])
    else:
        print("SKIP man -l: man not installed")
    return finish()


if __name__ == "__main__":
    raise SystemExit(main())
