#!/usr/bin/python3
"""What ckptlint says torch.load does, checked against Debian's torch.load.

Builds variants of a real checkpoint (version records, names, compression, views, strings),
asks torch.load about each, and requires ckptlint to agree: where torch loads the file,
`inspect` exits 0 without a note claiming torch would refuse it; where torch refuses it,
`inspect` exits 2 or says so in a note. Known, deliberate differences are listed with why.
Needs /usr/bin/python3 with torch."""
import io
import json
import os
import subprocess
import sys
import warnings
import zipfile

import torch

from cli_harness import binary_and_workdir

warnings.simplefilter("ignore")
REFUSAL_WORDS = ("torch.load refuses", "torch.load fails", "torch.load needs")

# name -> why ckptlint's verdict differs from Debian's torch 1.13 on purpose
KNOWN_DIFFERENCES = {
    "byteorder_middle": "torch >= 2.1 refuses an unknown byteorder; 1.13 does not read the record",
}


def variants(records, root):
    def with_record(name, data):
        return lambda r: {**r, f"{root}/{name}": data}

    def patched_pickle(old, new):
        def patch(r):
            data = r[f"{root}/data.pkl"]
            assert data.count(old) == 1, (old, data)
            return {**r, f"{root}/data.pkl": data.replace(old, new)}
        return patch

    yield "version_10", with_record("version", b"10\n"), zipfile.ZIP_STORED
    yield "version_11", with_record("version", b"11\n"), zipfile.ZIP_STORED
    yield "version_0", with_record("version", b"0\n"), zipfile.ZIP_STORED
    yield "version_3abc", with_record("version", b" 3abc"), zipfile.ZIP_STORED
    yield "dot_data_version_99", with_record(".data/version", b"99\n"), zipfile.ZIP_STORED
    yield "no_version", lambda r: {k: v for k, v in r.items() if not k.endswith("/version")}, zipfile.ZIP_STORED
    yield "upper_case_data_pkl", lambda r: {k.replace("data.pkl", "DATA.PKL"): v for k, v in r.items()}, zipfile.ZIP_STORED
    yield "no_root_folder", lambda r: {k.split("/", 1)[1]: v for k, v in r.items()}, zipfile.ZIP_STORED
    yield "deflated_records", lambda r: r, zipfile.ZIP_DEFLATED
    yield "byteorder_middle", with_record("byteorder", b"middle"), zipfile.ZIP_STORED
    yield "byteorder_big", with_record("byteorder", b"big"), zipfile.ZIP_STORED
    yield "view_past_storage", patched_pickle(b"K\x03\x85", b"K\x05\x85"), zipfile.ZIP_STORED
    yield "short_storage_record", lambda r: {**r, f"{root}/data/0": r[f"{root}/data/0"][:8]}, zipfile.ZIP_STORED
    yield "missing_storage_record", lambda r: {k: v for k, v in r.items() if not k.endswith("/data/0")}, zipfile.ZIP_STORED
    yield "python2_latin1_key", patched_pickle(b"X\x01\x00\x00\x00w", b"U\x01\xff"), zipfile.ZIP_STORED
    yield "trailing_bytes_after_stop", lambda r: {**r, f"{root}/data.pkl": r[f"{root}/data.pkl"] + b"junk"}, zipfile.ZIP_STORED


def torch_verdict(path):
    try:
        torch.load(path)
        return "loads", ""
    except Exception as error:  # noqa: BLE001 - any refusal counts
        return "refuses", f"{type(error).__name__}: {str(error)[:120]}"


def ckptlint_verdict(binary, path):
    proc = subprocess.run([binary, "inspect", "--format", "json", path], capture_output=True, text=True)
    if proc.returncode == 2:
        return "refuses", proc.stderr.strip()
    if proc.returncode != 0:
        return f"exit {proc.returncode}", proc.stderr.strip()
    notes = json.loads(proc.stdout)["notes"]
    refusing = [n for n in notes if any(word in n for word in REFUSAL_WORDS)]
    return ("refuses" if refusing else "loads"), "; ".join(refusing or notes)[:200]


def main():
    ckptlint, workdir = binary_and_workdir()
    base = io.BytesIO()
    torch.save({"w": torch.arange(3, dtype=torch.float32)}, base)
    with zipfile.ZipFile(io.BytesIO(base.getvalue())) as archive:
        records = {info.filename: archive.read(info) for info in archive.infolist()}
    root = next(iter(records)).split("/")[0]

    failures = 0
    for name, change, method in variants(records, root):
        path = os.path.join(workdir, name + ".pt")
        with zipfile.ZipFile(path, "w", method) as archive:
            for record, data in change(dict(records)).items():
                archive.writestr(record, data)
        expected, torch_detail = torch_verdict(path)
        got, detail = ckptlint_verdict(ckptlint, path)
        known = KNOWN_DIFFERENCES.get(name)
        agree = got == expected or (known is not None and got != expected)
        status = "PASS" if agree else "FAIL"
        print(f"{status} {name}: torch {expected}{' (' + torch_detail + ')' if torch_detail else ''}; "
              f"ckptlint {got}{' (' + detail + ')' if detail else ''}" + (f" [known: {known}]" if known else ""))
        failures += not agree
    print(f"{failures} failed" if failures else "ckptlint agrees with torch.load on every variant")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
