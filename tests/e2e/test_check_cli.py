#!/usr/bin/python3
"""The CI contract of `ckptlint check`: exit codes 0/1/2, --select/--ignore, --fail-on,
--output FORMAT:FILE, --state-dict, colour, several files, fail-closed on unreadable files.

Standard library only. Exit 1 if any check fails."""
import argparse
import json
import os
import sys
import tempfile
import zipfile

from cli_harness import check, finish, run


def rules_of(out):
    return [f["rule"] for file in json.loads(out)["files"] for f in file["findings"]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ckptlint", required=True)
    parser.add_argument("--fixtures", required=True)
    args = parser.parse_args()
    exe = args.ckptlint
    snapshot = os.path.join(args.fixtures, "dlc_snapshot_dataparallel.pt")  # every key 'module.'
    on_cuda = os.path.join(args.fixtures, "saved_on_cuda1.pt")              # also CKL204 (warning)
    plain = os.path.join(args.fixtures, "resnet18_state_dict.pt")
    work = tempfile.mkdtemp(prefix="ckptlint-check-cli-")

    code, out, err = run(exe, "check", plain)
    check("a clean file exits 0 and says so", code == 0 and out.strip() != "" and err == "", (code, out, err))
    code, out, _ = run(exe, "check", snapshot, "--format", "json")
    check("no model: every key wrapped -> CKL103, exit 1", code == 1 and rules_of(out) == ["CKL103"], (code, out))

    # --fail-on against a warning-only report
    for level, expected in [("error", 0), ("warning", 1), ("note", 1), ("never", 0)]:
        code, _, _ = run(exe, "check", on_cuda, "--select", "CKL204", "--fail-on", level)
        check(f"--fail-on {level} with a warning -> {expected}", code == expected, code)
    code, _, _ = run(exe, "check", snapshot, "--fail-on", "never")
    check("--fail-on never with an error -> 0", code == 0, code)

    code, out, _ = run(exe, "check", on_cuda, "--ignore", "CKL1", "--format", "json")
    check("--ignore by prefix", rules_of(out) == ["CKL204"], out)
    code, out, _ = run(exe, "check", on_cuda, "--ignore", "CKL1,CKL2", "--select", "CKL103", "--format", "json")
    check("the more specific --select wins over --ignore", rules_of(out) == ["CKL103"], out)

    for bad, what in [(["--select", "CKL9"], "unknown selector"), (["--ignore", "CKL10X"], "unknown ignore"),
                      (["--fail-on", "fatal"], "bad --fail-on"), (["--format", "xml"], "bad --format"),
                      (["--output", "xml:" + os.path.join(work, "r")], "bad --output format"),
                      (["--output", "sarif"], "--output without FILE"), (["--color", "sometimes"], "bad --color"),
                      (["--model", os.path.join(work, "absent.json")], "missing model definition")]:
        code, out, err = run(exe, "check", snapshot, *bad)
        check(f"usage error: {what} -> 2, one line on stderr, nothing on stdout",
              code == 2 and out == "" and err.startswith("ckptlint: error: ") and err.count("\n") == 1, (code, out, err))
    code, _, err = run(exe, "check", snapshot, "--select", "CKL10")
    check("--select CKL10 is a valid prefix", code == 1, (code, err))
    code, _, err = run(exe, "check")
    check("no file -> 2", code == 2, (code, err))

    # Unreadable files fail closed, and never stop the others.
    garbage = os.path.join(work, "garbage.pt")
    with open(garbage, "wb") as handle:
        handle.write(b"PK\x03\x04 this is not a zip")
    code, out, _ = run(exe, "check", garbage, plain, "--format", "json", "--ignore", "CKL001")
    document = json.loads(out)
    check("unreadable -> CKL001 even when ignored, exit 2, other files still checked",
          code == 2 and [f["file"] for f in document["files"]] == [garbage, plain]
          and [f["rule"] for f in document["files"][0]["findings"]] == ["CKL001"]
          and document["files"][1]["findings"] == [], (code, out))
    code, out, _ = run(exe, "check", os.path.join(work, "absent.pt"), "--format", "json")
    check("a missing file is CKL001 and exit 2", code == 2 and rules_of(out) == ["CKL001"], (code, out))

    # --state-dict
    code, out, _ = run(exe, "check", snapshot, "--state-dict", "nothing/here", "--format", "json")
    check("--state-dict naming nothing -> CKL002 error", code == 1 and rules_of(out) == ["CKL002"], (code, out))
    code, out, _ = run(exe, "check", snapshot, "--state-dict", "model", "--format", "json")
    check("--state-dict model", code == 1 and rules_of(out) == ["CKL103"], (code, out))

    # --output: several reports in one run, stdout unaffected.
    json_path, sarif_path, text_path = (os.path.join(work, n) for n in ("r.json", "r.sarif", "r.txt"))
    code, out, _ = run(exe, "check", snapshot, "--format", "github", "--output", "json:" + json_path,
                       "--output", "sarif:" + sarif_path, "--output", "text:" + text_path)
    with open(json_path) as handle:
        document = json.load(handle)
    with open(sarif_path) as handle:
        sarif = json.load(handle)
    with open(text_path) as handle:
        text = handle.read()
    check("--output writes every report; stdout has the --format one",
          code == 1 and out.startswith("::error ") and document["files"][0]["findings"][0]["rule"] == "CKL103"
          and sarif["version"] == "2.1.0" and "CKL103" in text and "\x1b[" not in text, (code, out))
    check("sarif records the file's sha-256",
          len(sarif["runs"][0]["artifacts"][0]["hashes"]["sha-256"]) == 64, sarif["runs"][0].get("artifacts"))

    # security settings: --safe-global silences one global, the others stay
    with_namespace = os.path.join(args.fixtures, "namespace_and_defaultdict.pt")
    _, out, _ = run(exe, "check", with_namespace, "--select", "CKL3", "--format", "json")
    before = [f["message"] for f in json.loads(out)["files"][0]["findings"]]
    _, out, _ = run(exe, "check", with_namespace, "--select", "CKL3", "--format", "json",
                    "--safe-global", "argparse.Namespace")
    after = [f["message"] for f in json.loads(out)["files"][0]["findings"]]
    check("--safe-global removes exactly that global's finding",
          any("argparse.Namespace" in m for m in before) and not any("argparse.Namespace" in m for m in after)
          and len(after) == len(before) - 1, (before, after))

    # --check-crc: a flipped byte inside a tensor record is only seen when asked
    _, out, _ = run(exe, "inspect", "--format", "json", plain)
    record = next(r for r in json.loads(out)["records"] if r["name"].startswith("data/") and r["size"] > 0)
    corrupt = os.path.join(work, "corrupt_tensor.pt")
    with open(plain, "rb") as handle:
        data = bytearray(handle.read())
    data[record["data_offset"]] ^= 0xFF
    with open(corrupt, "wb") as handle:
        handle.write(data)
    code_plain, out_plain, _ = run(exe, "check", corrupt, "--format", "json")
    code_crc, out_crc, _ = run(exe, "check", corrupt, "--format", "json", "--check-crc")
    check("a tensor record's CRC is checked only with --check-crc",
          code_plain == 0 and rules_of(out_plain) == [] and code_crc != 0 and "CKL403" in rules_of(out_crc),
          (code_plain, out_plain[:300], code_crc, out_crc[:300]))

    # Bytes after data.pkl's STOP that are no pickle could hide anything: exit 2 whatever is selected.
    trailer = os.path.join(work, "trailer.pt")
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(trailer, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            payload = source.read(info)
            target.writestr(info.filename, payload + b"\xff\xfe not a pickle" if info.filename.endswith("/data.pkl")
                            else payload)
    code, out, _ = run(exe, "check", trailer, "--select", "CKL3", "--format", "json")
    check("unscannable bytes after STOP -> CKL001 and exit 2 even with --select CKL3",
          code == 2 and "CKL001" in rules_of(out), (code, out[:400]))

    # SARIF artifact URIs: a relative path stays relative, repeated slashes collapse.
    relative = os.path.relpath(plain)
    head, tail = os.path.split(relative)
    doubled = "./" + (head + "//" if head else "") + tail
    _, out, _ = run(exe, "check", doubled, "--format", "sarif")
    uri = json.loads(out)["runs"][0]["artifacts"][0]["location"]["uri"]
    check("sarif: './a//b' becomes the relative URI 'a/b'", uri == relative.replace(os.sep, "/"), (doubled, uri))

    # colour: only on request or a forced terminal
    _, out, _ = run(exe, "check", snapshot)
    check("no colour when stdout is not a terminal", "\x1b[" not in out, out[:200])
    _, out, _ = run(exe, "check", snapshot, env={"CLICOLOR_FORCE": "1"})
    check("CLICOLOR_FORCE forces colour", "\x1b[" in out, out[:200])
    _, out, _ = run(exe, "check", snapshot, env={"CLICOLOR_FORCE": "1", "NO_COLOR": "1"})
    check("NO_COLOR wins over CLICOLOR_FORCE", "\x1b[" not in out, out[:200])
    _, out, _ = run(exe, "check", snapshot, "--color", "always")
    check("--color always", "\x1b[" in out, out[:200])

    return finish()


if __name__ == "__main__":
    sys.exit(main())
