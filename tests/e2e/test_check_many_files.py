#!/usr/bin/python3
"""`ckptlint check DIR/ FILES... -j N`: the directory walk (sorted, by content, hidden folders
skipped, directory links not followed), one report for all files whatever -j is, the same
report as the files named one by one, a corrupt file reported as CKL001 without stopping the
others, the exit code by the worst result, and one SARIF run that validates.

usage: test_check_many_files.py --ckptlint BIN --fixtures DIR --workdir DIR
       [--validate-sarif SCRIPT --schema SCHEMA]
Standard library only. Exit 1 if any check fails."""
import argparse
import json
import os
import shutil
import subprocess
import sys

from cli_harness import check, finish, run


def tensor_keys(exe, checkpoint):
    _, out, _ = run(exe, "inspect", checkpoint, "--format", "json")
    return [t["path"][0] for t in json.loads(out)["tensors"]]


def build_sharded_set(exe, fixtures, folder):
    """Two shards and their index, as transformers writes them; the keys come from the files."""
    os.makedirs(folder)
    weight_map = {}
    for fixture, shard in (("plain_dict_no_metadata.pt", "pytorch_model-00001-of-00002.bin"),
                           ("ddp_state_dict.pt", "pytorch_model-00002-of-00002.bin")):
        shutil.copyfile(os.path.join(fixtures, fixture), os.path.join(folder, shard))
        weight_map.update({key: shard for key in tensor_keys(exe, os.path.join(folder, shard))})
    with open(os.path.join(folder, "pytorch_model.bin.index.json"), "w") as handle:
        json.dump({"metadata": {"total_size": 0}, "weight_map": dict(sorted(weight_map.items()))}, handle)
    shutil.copyfile(os.path.join(fixtures, "plain_dict_no_metadata.pt"), os.path.join(folder, "extra.bin"))


def build_mixed_folder(exe, fixtures, root):
    """The folder and, independently of ckptlint, the files a sorted walk must find."""
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(os.path.join(root, "nested", "deeper"))
    os.makedirs(os.path.join(root, ".hidden"))
    os.makedirs(os.path.join(root, "empty_sub"))

    def copy(fixture, *relative):
        shutil.copyfile(os.path.join(fixtures, fixture), os.path.join(root, *relative))

    copy("dlc_snapshot_dataparallel.pt", "b_dataparallel.pt")   # CKL103 error
    copy("saved_on_cuda1.pt", "c_on_cuda.pth")                   # CKL204 warning
    copy("ddp_state_dict.pt", "nested", "deeper", "d_ddp.ckpt")  # CKL103 error
    copy("lightning_checkpoint.pt", "nested", "e_lightning.ckpt")
    copy("plain_dict_no_metadata.pt", "nested", "a.tar")        # .tar: content decides
    copy("dtypes_all.pt", ".hidden", "skipped.pt")              # hidden folder: never walked
    copy("dtypes_all.pt", "not_a_checkpoint_name.txt")          # no checkpoint ending: not opened
    with open(os.path.join(fixtures, "ddp_state_dict.pt"), "rb") as handle:
        whole = handle.read()
    with open(os.path.join(root, "a_corrupt.pt"), "wb") as handle:  # a truncated zip: CKL001
        handle.write(whole[: len(whole) // 2])
    with open(os.path.join(root, "notes.bin"), "w") as handle:      # a checkpoint ending, text inside
        handle.write("not a checkpoint, just notes\n")
    os.symlink("..", os.path.join(root, "nested", "loop"))            # a directory link: not followed
    os.symlink("c_on_cuda.pth", os.path.join(root, "z_link.pt"))      # a file link: followed
    build_sharded_set(exe, fixtures, os.path.join(root, "sharded"))  # the index, not its shards alone
    expected = ["a_corrupt.pt", "b_dataparallel.pt", "c_on_cuda.pth", "nested/a.tar",
                "nested/deeper/d_ddp.ckpt", "nested/e_lightning.ckpt", "sharded/extra.bin",
                "sharded/pytorch_model.bin.index.json", "z_link.pt"]
    return [os.path.join(root, name) for name in expected]


def files_of(out):
    return [f["file"] for f in json.loads(out)["files"]]


def rules_by_file(out):
    return {f["file"]: [x["rule"] for x in f["findings"]] for f in json.loads(out)["files"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ckptlint", required=True)
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--validate-sarif")
    parser.add_argument("--schema")
    args = parser.parse_args()
    exe = args.ckptlint
    os.makedirs(args.workdir, exist_ok=True)
    root = os.path.join(args.workdir, "mixed")
    expected = build_mixed_folder(exe, args.fixtures, root)

    # The walk: sorted, by content, hidden and non-checkpoint files skipped, links as documented.
    code2, json2, err = run(exe, "check", root, "-j", "2", "--format", "json")
    check("walk finds exactly the checkpoints, in sorted order", files_of(json2) == expected,
          (files_of(json2), expected, err))
    found = rules_by_file(json2)
    corrupt = os.path.join(root, "a_corrupt.pt")
    check("the corrupt file is CKL001 and only that", found.get(corrupt) == ["CKL001"], found.get(corrupt))
    check("the other files are still checked", found.get(os.path.join(root, "b_dataparallel.pt")) == ["CKL103"]
          and "CKL204" in found.get(os.path.join(root, "c_on_cuda.pth"), []), found)
    check("an unreadable file makes the exit code 2", code2 == 2, code2)

    # The same report whatever -j, and as the files named one by one in the same order.
    for fmt in ("json", "text"):
        code_j2, out_j2, _ = run(exe, "check", root, "-j", "2", "--format", fmt)
        code_j1, out_j1, _ = run(exe, "check", root, "-j", "1", "--format", fmt)
        code_j8, out_j8, _ = run(exe, "check", root, "-j", "8", "--format", fmt)
        code_list, out_list, _ = run(exe, "check", *expected, "--format", fmt)
        check(f"{fmt}: -j 2 == -j 1 == -j 8 == the files listed", out_j2 == out_j1 == out_j8 == out_list
              and code_j2 == code_j1 == code_j8 == code_list, (out_j2, out_j1, out_j8, out_list))
    one_by_one = []
    for path in expected:
        _, out, _ = run(exe, "check", path, "--format", "json")
        one_by_one.extend(json.loads(out)["files"])
    check("json: every file's entry is what checking it alone gives", json.loads(json2)["files"] == one_by_one,
          (json2, one_by_one))
    # Directories and files mixed on one command line keep the order given.
    lone = os.path.join(args.fixtures, "saved_on_cuda1.pt")
    _, out, _ = run(exe, "check", lone, os.path.join(root, "nested"), lone, "--format", "json")
    check("arguments keep their order, a directory expands in place",
          files_of(out) == [lone, *[p for p in expected if "/nested/" in p], lone], files_of(out))

    # Exit code by the worst result, without the corrupt file.
    clean_root = os.path.join(args.workdir, "no_corrupt")
    shutil.rmtree(clean_root, ignore_errors=True)
    shutil.copytree(root, clean_root, symlinks=True)
    os.remove(os.path.join(clean_root, "a_corrupt.pt"))
    code, _, _ = run(exe, "check", clean_root, "-j", "2")
    check("errors (CKL103) and no unreadable file -> exit 1", code == 1, code)
    code, _, _ = run(exe, "check", clean_root, "-j", "2", "--fail-on", "never")
    check("--fail-on never -> exit 0", code == 0, code)
    warn_root = os.path.join(args.workdir, "warning_only")
    shutil.rmtree(warn_root, ignore_errors=True)
    os.makedirs(warn_root)
    for i in range(5):  # more files than threads
        shutil.copyfile(lone, os.path.join(warn_root, f"cuda_{i}.pt"))
    only_warning = ("--select", "CKL204")  # the fixture's keys are also wrapped (CKL103, an error)
    code, out, _ = run(exe, "check", warn_root, "-j", "3", *only_warning, "--format", "json")
    check("warnings only -> exit 0 under --fail-on error", code == 0 and len(json.loads(out)["files"]) == 5,
          (code, out[-2000:]))
    code, _, _ = run(exe, "check", warn_root, "-j", "3", *only_warning, "--fail-on", "warning")
    check("warnings only -> exit 1 under --fail-on warning", code == 1, code)

    # A folder with nothing to lint is never a silent clean.
    empty_root = os.path.join(args.workdir, "nothing_here")
    shutil.rmtree(empty_root, ignore_errors=True)
    os.makedirs(os.path.join(empty_root, ".git"))
    shutil.copyfile(lone, os.path.join(empty_root, ".git", "hidden.pt"))
    with open(os.path.join(empty_root, "notes.pt"), "w") as handle:
        handle.write("text\n")
    code, out, err = run(exe, "check", empty_root, "--format", "json")
    document = json.loads(out) if out else {}
    message = document.get("files", [{}])[0].get("findings", [{}])[0].get("message", "")
    check("a folder without checkpoints -> CKL001 naming the problem, exit 2",
          code == 2 and files_of(out) == [empty_root] and rules_by_file(out)[empty_root] == ["CKL001"]
          and "no checkpoint files" in message, (code, out, err))
    code, out, err = run(exe, "check", empty_root)
    check("... and the text report says so", code == 2 and "no checkpoint files" in out, (code, out, err))

    # -j must be a positive count.
    for bad in ("0", "-3", "many"):
        code, out, err = run(exe, "check", root, "-j", bad)
        check(f"-j {bad} -> usage error 2, one line on stderr", code == 2 and out == "" and err.count("\n") == 1,
              (code, out, err))

    # A FIFO named on the command line: opening it would block until a writer comes; a FIFO in
    # a walked folder is not a regular file and is skipped like any other non-checkpoint.
    fifo_root = os.path.join(args.workdir, "with_fifo")
    shutil.rmtree(fifo_root, ignore_errors=True)
    os.makedirs(fifo_root)
    shutil.copyfile(lone, os.path.join(fifo_root, "model.pt"))
    os.mkfifo(os.path.join(fifo_root, "pipe.pt"))
    code, out, err = run(exe, "check", os.path.join(fifo_root, "pipe.pt"), "--format", "json")
    check("a FIFO argument -> CKL001 'not a regular file', exit 2, no hang",
          code == 2 and rules_by_file(out) == {os.path.join(fifo_root, "pipe.pt"): ["CKL001"]}
          and "not a regular file" in out, (code, out, err))
    code, out, err = run(exe, "check", fifo_root, "--format", "json")
    check("a FIFO inside a walked folder is skipped", files_of(out) == [os.path.join(fifo_root, "model.pt")],
          (code, out, err))

    # An index naming a shard outside its folder: the reader refuses it (the index is CKL001), and
    # the file it points at is still linted on its own, never skipped by the walk.
    escape_root = os.path.join(args.workdir, "escaping_index")
    shutil.rmtree(escape_root, ignore_errors=True)
    os.makedirs(os.path.join(escape_root, "a"))
    os.makedirs(os.path.join(escape_root, "b"))
    outside = os.path.join(escape_root, "b", "model.bin")
    shutil.copyfile(lone, outside)
    with open(os.path.join(escape_root, "a", "model.bin.index.json"), "w") as handle:
        json.dump({"metadata": {}, "weight_map": {"w": "../b/model.bin"}}, handle)
    code, out, err = run(exe, "check", escape_root, "--format", "json")
    check("a shard name leaving the index's folder: that file is still linted", code == 2 and outside in files_of(out)
          and rules_by_file(out).get(os.path.join(escape_root, "a", "model.bin.index.json")) == ["CKL001"],
          (code, out, err))

    # -j larger than the system lets us start (an address-space limit refuses thread stacks):
    # the threads that did start do all the work; no abort.
    many_root = os.path.join(args.workdir, "many_small")
    shutil.rmtree(many_root, ignore_errors=True)
    os.makedirs(many_root)
    for i in range(64):
        shutil.copyfile(lone, os.path.join(many_root, f"m{i:02d}.pt"))
    import resource
    limit = 512 << 20  # 64 default 8 MiB stacks do not fit beside the program
    proc = subprocess.run([exe, "check", many_root, "-j", "64", "--select", "CKL204", "--format", "json"],
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    # Memory for the files themselves may run short too (then exit 2, as for any
    # out-of-memory; on a loaded machine even the error line may not fit); what must never
    # happen is an abort on the refused thread.
    files = files_of(proc.stdout) if proc.returncode == 0 and proc.stdout else []
    check("-j 64 under a 512 MiB address-space limit: no abort; every file reported, or exit 2",
          (proc.returncode == 0 and len(files) == 64)
          or (proc.returncode == 2 and proc.stderr.count("\n") <= 1 and "terminate" not in proc.stderr),
          (proc.returncode, proc.stderr[-500:]))

    # One SARIF run for all files, valid against the schema.
    sarif_path = os.path.join(args.workdir, "mixed.sarif")
    code, _, err = run(exe, "check", root, "-j", "2", "--output", "sarif:" + sarif_path)
    log = json.load(open(sarif_path))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    check("SARIF: one run, results from several files", len(log["runs"]) == 1 and len(uris) >= 4, (len(log["runs"]), uris))
    if args.validate_sarif and args.schema:
        proc = subprocess.run([sys.executable, args.validate_sarif, "--schema", args.schema, sarif_path],
                              capture_output=True, text=True)
        if proc.returncode == 77:
            print("SKIP SARIF schema validation: schema missing")
        else:
            check("SARIF validates", proc.returncode == 0, proc.stdout + proc.stderr)
    # A Git LFS pointer (a CI checkout without `git lfs pull`) is never skipped: CKL001, exit 2.
    lfs_root = os.path.join(args.workdir, "lfs_checkout")
    shutil.rmtree(lfs_root, ignore_errors=True)
    os.makedirs(lfs_root)
    shutil.copyfile(os.path.join(args.fixtures, "saved_on_cuda1.pt"), os.path.join(lfs_root, "fetched.pt"))
    pointer = os.path.join(lfs_root, "model.pt")
    with open(pointer, "w") as handle:
        handle.write("version https://git-lfs.github.com/spec/v1\n"
                     "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n")
    code, out, _ = run(exe, "check", lfs_root, "--format", "json")
    message = [f["message"] for f in json.loads(out)["files"][1]["findings"]] if code == 2 else []
    check("a Git LFS pointer in a folder: CKL001 naming 'git lfs pull', exit 2",
          files_of(out)[1:] == [pointer] and rules_by_file(out).get(pointer) == ["CKL001"]
          and any("git lfs pull" in m for m in message), (code, out))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
