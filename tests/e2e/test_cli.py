#!/usr/bin/python3
"""Command-line behaviour of ckptlint: help, usage errors, exit codes, --state-dict, formats.

Standard library only. Exit 1 if any check fails."""
import argparse
import json
import os
import sys

from cli_harness import check, finish, run

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ckptlint", required=True)
    parser.add_argument("--fixtures", required=True)
    args = parser.parse_args()
    exe = args.ckptlint
    snapshot = os.path.join(args.fixtures, "dlc_snapshot_dataparallel.pt")

    code, out, err = run(exe, "--help")
    check("--help exits 0 and lists inspect", code == 0 and "inspect" in out, (code, out, err))
    code, out, err = run(exe)
    check("no command is a usage error (2)", code == 2 and "usage" in err, (code, err))
    code, out, _ = run(exe, "--version")
    check("--version", code == 0 and out.startswith("ckptlint "), (code, out))
    code, out, err = run(exe, "inspct", snapshot)
    check("unknown command suggests the closest", code == 2 and "did you mean 'inspect'" in err, (code, err))
    code, out, _ = run(exe, "help", "inspect")
    check("help COMMAND prints the command's usage", code == 0 and "--state-dict" in out, (code, out))
    code, out, _ = run(exe, "inspect", "--help")
    check("inspect --help", code == 0 and "usage: ckptlint inspect" in out, (code, out))

    for bad_args, what in [(["--format", "xml", snapshot], "unknown format"),
                           (["--form", "json", snapshot], "option prefixes are not guessed"),
                           (["--bogus", snapshot], "unknown option"),
                           ([], "missing file"),
                           ([snapshot, snapshot], "two files")]:
        code, out, err = run(exe, "inspect", *bad_args)
        check(f"inspect usage error: {what}", code == 2 and out == "" and err.startswith("ckptlint: error: "),
              (code, out[:200], err))

    code, out, err = run(exe, "inspect", "--format", "json", snapshot)
    document = json.loads(out)
    check("json: DataParallel snapshot found under 'model'",
          code == 0 and [sd["path"] for sd in document["state_dicts"]] == [["model"]], document["state_dicts"])
    check("json: archive root and records",
          document["archive_root"] == "dlc_snapshot_dataparallel"
          and any(r["name"] == "data.pkl" for r in document["records"]), document["archive_root"])
    check("json: globals listed", "collections.OrderedDict" in document["globals"], document["globals"])
    check("json: every storage located in the file",
          all(t["storage"]["data_offset"] is not None for t in document["tensors"]), "")

    for spec in ("model", '["model"]'):
        code, out, err = run(exe, "inspect", "--format", "json", "--state-dict", spec, snapshot)
        selected = json.loads(out) if code == 0 else {}
        tensors = selected.get("tensors", [])
        check(f"--state-dict {spec} keeps only that state dict",
              code == 0 and len(tensors) == 9 and all(t["path"][0] == "model" for t in tensors),
              (code, err, len(tensors)))
    code, out, err = run(exe, "inspect", "--state-dict", "nothere", snapshot)
    check("--state-dict with no such path is an error naming the candidates",
          code == 2 and "found: model" in err, (code, err))

    code, out, err = run(exe, "inspect", snapshot)
    check("text output: summary, state dicts and tensor table",
          code == 0 and "archive root    dlc_snapshot_dataparallel" in out and "State dicts (1)" in out
          and "model/module.conv.weight" in out and "float32" in out, out[:500])

    hostile = os.path.join(args.fixtures, "hostile_keys.pt")
    code, out, err = run(exe, "inspect", hostile)
    raw_controls = [c for c in out if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f or c == "\u202e"]
    check("text output escapes control and bidi characters in keys",
          code == 0 and not raw_controls and "a\\x0aNotes (0)" in out and "\\x1b[31mred" in out
          and "\\u{202e}" in out and not any(line.startswith("Notes (0)") for line in out.splitlines()),
          (code, raw_controls[:5], out[-600:]))

    return finish()


if __name__ == "__main__":
    sys.exit(main())
