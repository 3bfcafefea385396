#!/usr/bin/python3
"""The CI examples (ci/examples/*.yml, .pre-commit-hooks.yaml): each parses as YAML; every
ckptlint command they run names a command and options that `ckptlint --help` shows; the check
commands run, as written, in a scratch repository laid out as the examples expect (a good
checkpoint: exit 0 and a SARIF log; a bad one added: exit 1, annotations, results); and the
pre-commit hook runs as pre-commit runs it (entry + args + file names) on good and bad files.

Needs python3-yaml. Exit 1 if any check fails."""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess

import yaml

import cli_surface
from cli_harness import check, finish, run


def shell_lines(text):
    """Shell command lines of a run/script block: continuation lines joined, split at && and ;."""
    text = text.replace("\\\n", " ")
    for line in text.splitlines():
        for part in re.split(r"&&|;", line):
            if part.strip():
                yield part.strip()


def github_commands(workflow):
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "run" in step:
                yield from shell_lines(step["run"])


def gitlab_commands(pipeline):
    for name, job in pipeline.items():
        if isinstance(job, dict) and "script" in job:
            for key in ("before_script", "script", "after_script"):
                for entry in job.get(key, []):
                    yield from shell_lines(entry)


def ckptlint_invocations(lines):
    for line in lines:
        words = shlex.split(line)
        if words and words[0] == "ckptlint":
            yield words


def check_against_help(exe, source, words):
    commands = cli_surface.commands(exe)
    command = words[1] if len(words) > 1 else ""
    check(f"{source}: '{command}' is a ckptlint command", command in commands, (words, commands))
    if command not in commands:
        return
    known = cli_surface.options(exe, command)
    for word in words[2:]:
        if word.startswith("-"):
            check(f"{source}: {command} {word.split('=')[0]} is an option of its --help",
                  word.split("=")[0] in known, known)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ckptlint", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--fixtures", required=True, help="torch fixtures: a good and a bad checkpoint")
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    exe = os.path.abspath(args.ckptlint)
    good = os.path.join(args.fixtures, "resnet18_state_dict.pt")       # plain state dict
    bad = os.path.join(args.fixtures, "ddp_state_dict.pt")             # DataParallel prefixes
    env_path = {"PATH": os.path.dirname(exe) + os.pathsep + os.environ.get("PATH", "")}

    def load(relative):
        with open(os.path.join(args.source_dir, relative)) as f:
            return yaml.safe_load(f)

    workflow, pipeline, hooks = (load("ci/examples/github-workflow.yml"), load("ci/examples/gitlab-ci.yml"),
                                 load(".pre-commit-hooks.yaml"))
    check("github workflow: a job with steps", isinstance(workflow.get("jobs"), dict), workflow)
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uploads = [step for step in steps if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    check("github workflow uploads SARIF with a category, also after a failure",
          len(uploads) == 1 and uploads[0].get("if") == "always()" and uploads[0]["with"].get("category"), uploads)
    check("github workflow may write security events",
          workflow.get("permissions", {}).get("security-events") == "write", workflow.get("permissions"))
    check("gitlab job keeps the SARIF log as an artifact, also after a failure",
          pipeline["ckptlint"]["artifacts"]["when"] == "always" and
          "ckptlint.sarif" in pipeline["ckptlint"]["artifacts"]["paths"], pipeline["ckptlint"])

    runs = {"github": list(ckptlint_invocations(github_commands(workflow))),
            "gitlab": list(ckptlint_invocations(gitlab_commands(pipeline)))}
    for source, invocations in runs.items():
        check(f"{source}: runs ckptlint check", any(words[1:2] == ["check"] for words in invocations), invocations)
        for words in invocations:
            check_against_help(exe, source, words)
    check("github: annotations with --format github",
          any("github" in words for words in runs["github"] if "--format" in words), runs["github"])

    # Run each example's check command as written, in a repository laid out as the examples say.
    for source, invocations in runs.items():
        for words in invocations:
            if words[1:2] != ["check"]:
                continue
            repo = os.path.join(args.workdir, source)
            shutil.rmtree(repo, ignore_errors=True)
            os.makedirs(os.path.join(repo, "checkpoints"))
            shutil.copy(good, os.path.join(repo, "checkpoints", "model.pt"))
            code, spec, err = run(exe, "spec", good)
            with open(os.path.join(repo, "model.spec.json"), "w") as f:
                f.write(spec)
            proc = subprocess.run(words, capture_output=True, text=True, cwd=repo, env={**os.environ, **env_path})
            check(f"{source}: the check passes on a good checkpoint", proc.returncode == 0, (words, proc.stdout, proc.stderr))
            sarif_path = os.path.join(repo, "ckptlint.sarif")
            sarif = json.load(open(sarif_path)) if os.path.exists(sarif_path) else {}
            check(f"{source}: a SARIF 2.1.0 log is written", sarif.get("version") == "2.1.0", sarif_path)
            shutil.copy(bad, os.path.join(repo, "checkpoints", "wrapped.pt"))
            if os.path.exists(sarif_path):
                os.remove(sarif_path)
            proc = subprocess.run(words, capture_output=True, text=True, cwd=repo, env={**os.environ, **env_path})
            check(f"{source}: the check fails (1) on a bad checkpoint", proc.returncode == 1, (proc.stdout, proc.stderr))
            sarif = json.load(open(sarif_path)) if os.path.exists(sarif_path) else {}
            results = [r for run_ in sarif.get("runs", []) for r in run_.get("results", [])]
            check(f"{source}: the SARIF log has the findings",
                  any("wrapped.pt" in json.dumps(r["locations"]) for r in results), results[:3])
            if "github" in words:
                check(f"{source}: GitHub annotations on stdout",
                      re.search(r"^::error file=checkpoints/wrapped\.pt", proc.stdout, re.M), proc.stdout[:1000])

    check(".pre-commit-hooks.yaml is a list with the ckptlint hook",
          isinstance(hooks, list) and [hook["id"] for hook in hooks] == ["ckptlint"], hooks)
    hook = hooks[0]
    for key in ["id", "name", "entry", "language"]:  # what pre-commit requires of a hook
        check(f"hook has {key}", key in hook, hook)
    check("hook runs ckptlint check", shlex.split(hook["entry"])[:2] == ["ckptlint", "check"], hook["entry"])
    check_against_help(exe, "pre-commit", shlex.split(hook["entry"]) + hook.get("args", []))
    pattern = re.compile(hook["files"])
    for name, wanted in [("model.pt", True), ("a/b.safetensors", True), ("x.ckpt", True), ("w.pth", True),
                         ("pytorch_model.bin", True), ("m/pytorch_model-00001-of-00002.bin", True),
                         ("firmware.bin", False), ("train.py", False), ("model.pt.txt", False)]:
        check(f"hook files pattern on {name}", bool(pattern.search(name)) == wanted, hook["files"])

    def pre_commit(*files, extra_args=()):
        """As pre-commit runs a hook: entry + args + the staged file names (re.search on files)."""
        command = shlex.split(hook["entry"]) + hook.get("args", []) + list(extra_args) + list(files)
        return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env_path})

    proc = pre_commit(good)
    check("pre-commit hook passes on a good checkpoint", proc.returncode == 0, (proc.stdout, proc.stderr))
    proc = pre_commit(good, bad)
    check("pre-commit hook fails on a bad one among the staged files",
          proc.returncode == 1 and "ddp_state_dict.pt" in proc.stdout, (proc.returncode, proc.stdout, proc.stderr))
    spec_path = os.path.join(args.workdir, "model.spec.json")
    with open(spec_path, "w") as f:
        f.write(run(exe, "spec", good)[1])
    proc = pre_commit(good, extra_args=["--model", spec_path])
    check("pre-commit hook with args [--model, SPEC] passes on the matching checkpoint", proc.returncode == 0,
          (proc.stdout, proc.stderr))
    return finish()


if __name__ == "__main__":
    raise SystemExit(main())
