"""The installed CMake package, end to end: `cmake --install` of the build tree into a scratch
prefix (then moved, to prove it relocatable), the installed files, and examples/cmake_app built
against it with find_package(ckptlint) + ckptlint_check() on checkpoints written by real torch:
a fitting one builds, a mismatched one fails the build naming the finding, an unchanged rebuild
does not rerun the check, FAIL_ON and argument errors behave as documented."""
import argparse
import os
import shutil
import stat
import subprocess
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from cli_harness import check, finish  # noqa: E402

PACKAGE_FILES = ["ckptlintConfig.cmake", "ckptlintConfigVersion.cmake", "ckptlintTargets.cmake",
                 "ckptlintCheck.cmake", "ckptlintCheckDriver.cmake", "ckptlintCheckInputs.cmake"]
CHECK_LINE = "ckptlint: checking weights.pt against"
VERIFY_LINE = "ckptlint: verify: loading"


class Net(nn.Module):
    def __init__(self, classes=3):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU())
        self.head = nn.Linear(8, classes)

    def forward(self, x):
        return self.head(self.body(x))


def write_models(out):
    """A TorchScript model, its state dict, a head of the wrong size and an fp16 copy."""
    torch.manual_seed(0)
    model = Net().eval()
    paths = {name: os.path.join(out, name) for name in ("model.ts", "good.pt", "bad_head.pt", "half.pt")}
    torch.jit.save(torch.jit.script(model), paths["model.ts"])
    torch.save(model.state_dict(), paths["good.pt"])
    torch.save(Net(classes=5).state_dict(), paths["bad_head.pt"])
    torch.save(Net().half().state_dict(), paths["half.pt"])
    return paths


def run(*command, cwd=None):
    """(exit code, stdout + stderr) of one command."""
    proc = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=240)
    return proc.returncode, proc.stdout + proc.stderr


def says(output, sentence):
    """`sentence` occurs in `output` once line breaks are undone (CMake wraps its messages)."""
    return " ".join(sentence.split()) in " ".join(output.split())


def replace_file(source, target):
    """Copies `source` over `target` with a clearly newer mtime, so the build sees the change."""
    previous = os.stat(target).st_mtime if os.path.exists(target) else 0
    shutil.copyfile(source, target)
    stamp = max(previous + 2, os.stat(target).st_mtime)
    os.utime(target, (stamp, stamp))


def check_installed_tree(prefix, source_dir, build_dir, staging, ckptlint, expect_plugin):
    check("install: bin/ckptlint is executable", os.access(ckptlint, os.X_OK))
    check("install: bin/ holds only ckptlint", sorted(os.listdir(os.path.join(prefix, "bin"))) == ["ckptlint"],
          os.listdir(os.path.join(prefix, "bin")))
    docs_src = os.path.join(source_dir, "docs", "rules")
    docs_dst = os.path.join(prefix, "share", "doc", "ckptlint", "rules")
    pages = sorted(p for p in os.listdir(docs_src) if p.startswith("CKL") and p.endswith(".md"))
    installed = sorted(os.listdir(docs_dst)) if os.path.isdir(docs_dst) else []
    check("install: every rule page in share/doc/ckptlint/rules", pages and installed == pages,
          f"{installed} vs {pages}")
    check("install: rule pages unchanged", all(
        open(os.path.join(docs_src, p), "rb").read() == open(os.path.join(docs_dst, p), "rb").read()
        for p in installed))
    package_dir = os.path.join(prefix, "lib", "cmake", "ckptlint")
    for name in PACKAGE_FILES:
        check(f"install: lib/cmake/ckptlint/{name}", os.path.isfile(os.path.join(package_dir, name)))
    plugin = os.path.join(prefix, "lib", "ckptlint", "ckptlint_torchscript.so")
    check("install: plugin present exactly when built", os.path.isfile(plugin) == expect_plugin,
          f"exists={os.path.isfile(plugin)} built={expect_plugin}")
    # Relocatable: no path of the build or of the original install prefix in any installed text.
    # No test programs: the only executable file (besides the plugin) is bin/ckptlint.
    naming_paths, executables = [], []
    for root, _, files in os.walk(prefix):
        for name in files:
            path = os.path.join(root, name)
            relative = os.path.relpath(path, prefix)
            data = open(path, "rb").read()
            is_text = b"\0" not in data  # binaries keep source paths in their debug info
            if is_text and (build_dir.encode() in data or staging.encode() in data):
                naming_paths.append(relative)
            if os.stat(path).st_mode & stat.S_IXUSR and not name.endswith(".so"):
                executables.append(relative)
    check("install: no installed file names the build tree or the install prefix", not naming_paths, naming_paths)
    check("install: no test programs installed", executables == [os.path.join("bin", "ckptlint")], executables)
    status, output = run(ckptlint, "--version")
    check("install: installed ckptlint runs", status == 0, output)
    status, output = run(ckptlint, "rules", "CKL201")
    check("install: installed ckptlint explains a rule", status == 0 and "shape" in output.lower(), output)


def cache_value(build, name):
    with open(os.path.join(build, "CMakeCache.txt"), encoding="utf-8") as cache:
        for line in cache:
            if line.startswith(name + ":"):
                return line.split("=", 1)[1].strip()
    return None


def example_cases(cmake, source_dir, prefix, work, ckptlint, paths, spec):
    app_dir = os.path.join(source_dir, "examples", "cmake_app")
    build = os.path.join(work, "app-spec")
    weights = os.path.join(work, "weights.pt")
    replace_file(paths["good.pt"], weights)

    def configure(*extra):
        return run(cmake, "-S", app_dir, "-B", build, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}",
                   "-DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON", f"-DAPP_WEIGHTS={weights}",
                   f"-DAPP_MODEL={spec}", *extra)

    def build_app():
        return run(cmake, "--build", build)

    status, output = configure()
    check("example: configures against the installed package", status == 0, output)
    found = cache_value(build, "ckptlint_DIR") or ""
    check("example: found the package in the scratch prefix",
          os.path.realpath(found) == os.path.realpath(os.path.join(prefix, "lib", "cmake", "ckptlint")), found)
    status, output = build_app()
    check("example: a fitting checkpoint builds", status == 0, output)
    check("example: the build ran the check", CHECK_LINE + " model.spec.json" in output, output)
    check("example: a JSON spec model is not verified (AUTO)", VERIFY_LINE not in output, output)
    status, app_output = run(os.path.join(build, "app"))
    check("example: the app runs", status == 0 and weights in app_output, app_output)

    status, output = build_app()
    check("example: an unchanged rebuild does not rerun the check", status == 0 and CHECK_LINE not in output,
          output)

    replace_file(paths["bad_head.pt"], weights)
    status, output = build_app()
    check("example: a mismatched checkpoint fails the build", status != 0, output)
    check("example: the failed build shows the finding", "CKL201" in output and "head.weight" in output, output)
    check("example: the failed build says why", says(output, "has findings at level error"), output)
    status, output = build_app()
    check("example: a failed check reruns on the next build", status != 0 and "CKL201" in output, output)

    replace_file(paths["half.pt"], weights)
    status, output = build_app()
    check("example: a warning passes FAIL_ON error and is shown", status == 0 and "CKL202" in output, output)
    status, output = configure("-DAPP_FAIL_ON=warning")
    check("example: reconfigures with FAIL_ON warning", status == 0, output)
    status, output = build_app()
    check("example: FAIL_ON warning fails on the warning (changed arguments rerun the check)",
          status != 0 and "CKL202" in output and says(output, "at level warning"), output)

    replace_file(paths["good.pt"], weights)
    status, output = build_app()
    check("example: the fitting checkpoint builds again", status == 0 and CHECK_LINE in output, output)


def torchscript_cases(cmake, source_dir, prefix, work, ckptlint, paths, spec, has_verify):
    """The model as a TorchScript archive (needs the plugin): check, then verify when ckptlint has it."""
    app_dir = os.path.join(source_dir, "examples", "cmake_app")
    build = os.path.join(work, "app-torchscript")
    weights = os.path.join(work, "ts-weights.pt")
    replace_file(paths["good.pt"], weights)
    verify = "AUTO" if has_verify else "OFF"

    def configure_and_build(model, verify_mode, check_args=""):
        status, output = run(cmake, "-S", app_dir, "-B", build, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}",
                             "-DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON", f"-DAPP_WEIGHTS={weights}",
                             f"-DAPP_MODEL={model}", f"-DAPP_VERIFY={verify_mode}", f"-DAPP_CHECK_ARGS={check_args}")
        if status != 0:
            return status, output
        return run(cmake, "--build", build)

    status, output = configure_and_build(paths["model.ts"], verify)
    check("torchscript: a fitting checkpoint builds", status == 0 and "checking ts-weights.pt against model.ts" in output,
          output)
    if has_verify:
        check("torchscript: AUTO verifies a TorchScript model", VERIFY_LINE in output, output)
        status, output = configure_and_build(spec, "ON")
        check("torchscript: VERIFY ON with a JSON spec fails the build", status != 0 and "verify" in output, output)
    else:
        print("SKIP verify cases: the installed ckptlint has no verify command")
    replace_file(paths["bad_head.pt"], weights)
    status, output = configure_and_build(paths["model.ts"], verify)
    check("torchscript: a mismatched checkpoint fails the build", status != 0 and "CKL201" in output, output)
    if has_verify:
        # The check told to ignore the shape mismatch passes; loading through LibTorch still fails.
        status, output = configure_and_build(paths["model.ts"], "AUTO", "--ignore;CKL201")
        check("torchscript: verify fails the build when the check was told to ignore the problem",
              status != 0 and "CKL201" not in output and says(output, "do not load into")
              and "size mismatch for head.weight" in output, output)


def argument_cases(cmake, prefix, work):
    """ckptlint_check's argument errors stop the configure step with a message."""
    project = os.path.join(work, "argument-project")
    os.makedirs(project, exist_ok=True)
    with open(os.path.join(project, "CMakeLists.txt"), "w", encoding="utf-8") as f:
        f.write("cmake_minimum_required(VERSION 3.18)\n"
                "project(argument_cases NONE)\n"
                "if(WANT_TORCHSCRIPT)\n"
                "  find_package(ckptlint REQUIRED COMPONENTS TorchScript)\n"
                "else()\n"
                "  find_package(ckptlint ${WANT_VERSION} REQUIRED)\n"
                "endif()\n"
                "add_custom_target(app)\n"
                "cmake_language(EVAL CODE \"ckptlint_check(${CASE})\")\n")
    cases = [
        ("CHECKPOINT w.pt", "TARGET is required"),
        ("TARGET app", "CHECKPOINT is required"),
        ("TARGET nosuch CHECKPOINT w.pt", "no target named 'nosuch'"),
        ("TARGET app CHECKPOINT w.pt FAIL_ON fatal", "FAIL_ON must be error, warning or note"),
        ("TARGET app CHECKPOINT w.pt FAIL_ON never", "FAIL_ON must be error, warning or note"),
        ("TARGET app CHECKPOINT w.pt VERIFY maybe", "VERIFY must be AUTO, ON or OFF"),
        ("TARGET app CHECKPOINT w.pt VERIFY ON", "VERIFY ON needs a MODEL"),
        ("TARGET app CHECKPOINT w.pt BOGUS 1", "unknown arguments"),
        ("TARGET app CHECKPOINT w.pt MODEL", "MODEL needs a value"),
    ]
    for index, (case, expected) in enumerate(cases):
        build = os.path.join(work, f"argument-build-{index}")
        status, output = run(cmake, "-S", project, "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}", f"-DCASE={case}")
        check(f"arguments: '{case}' fails at configure time", status != 0 and expected in output, output)
    # The same project with right arguments configures, and relative paths resolve to its folder.
    build = os.path.join(work, "argument-build-ok")
    status, output = run(cmake, "-S", project, "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}",
                         "-DCASE=TARGET app CHECKPOINT w.pt MODEL sub/m.json FAIL_ON note ARGS --select CKL201")
    check("arguments: a right call configures", status == 0, output)
    settings = os.path.join(build, "ckptlint_check", "ckptlint_check_app.settings.cmake")
    text = open(settings, encoding="utf-8").read() if os.path.exists(settings) else ""
    check("arguments: relative paths resolve against the calling CMakeLists' folder",
          os.path.join(project, "w.pt") in text and os.path.join(project, "sub", "m.json") in text, text)
    status, output = run(cmake, "-S", project, "-B", os.path.join(work, "argument-build-version"),
                         f"-DCMAKE_PREFIX_PATH={prefix}", "-DWANT_VERSION=99", "-DCASE=TARGET app CHECKPOINT w.pt")
    check("version: find_package(ckptlint 99) refuses this version", status != 0 and "version" in output, output)


def component_cases(cmake, prefix, work, expect_plugin):
    """find_package(ckptlint COMPONENTS TorchScript) is found exactly when the plugin is installed."""
    project = os.path.join(work, "argument-project")
    plugin = os.path.join(prefix, "lib", "ckptlint", "ckptlint_torchscript.so")

    def configure():
        return run(cmake, "-S", project, "-B", os.path.join(work, "component-build"), f"-DCMAKE_PREFIX_PATH={prefix}",
                   "-DWANT_TORCHSCRIPT=ON", "-DCASE=TARGET app CHECKPOINT w.pt")

    status, output = configure()
    check("components: TorchScript found exactly when the plugin is installed", (status == 0) == expect_plugin, output)
    # dpkg's path-exclude (minimal Docker images) drops share/doc: the package must still work.
    docs = os.path.join(prefix, "share", "doc")
    os.rename(docs, docs + ".away")
    status, output = run(cmake, "-S", project, "-B", os.path.join(work, "no-docs-build"), f"-DCMAKE_PREFIX_PATH={prefix}",
                         "-DCASE=TARGET app CHECKPOINT w.pt")
    os.rename(docs + ".away", docs)
    check("components: the package is found without the rule pages (share/doc excluded)", status == 0, output)
    if expect_plugin:
        os.rename(plugin, plugin + ".away")
        status, output = configure()
        os.rename(plugin + ".away", plugin)
        check("components: TorchScript required but the plugin missing fails", status != 0, output)


def config_file_cases(cmake, prefix, work, paths):
    """ckptlint runs in the calling CMakeLists' folder: that project's .ckptlint.cfg applies."""
    project = os.path.join(work, "config-project")
    os.makedirs(project, exist_ok=True)
    shutil.copyfile(paths["half.pt"], os.path.join(project, "weights.pt"))
    shutil.copyfile(paths["good.pt"], os.path.join(project, "reference.pt"))
    with open(os.path.join(project, ".ckptlint.cfg"), "w", encoding="utf-8") as f:
        f.write("[level]\nCKL202 = error\n")
    with open(os.path.join(project, "CMakeLists.txt"), "w", encoding="utf-8") as f:
        f.write("cmake_minimum_required(VERSION 3.18)\n"
                "project(config_case NONE)\n"
                "find_package(ckptlint REQUIRED)\n"
                "add_custom_target(app ALL)\n"
                "ckptlint_check(TARGET app CHECKPOINT weights.pt MODEL reference.pt ARGS ${CHECK_ARGS})\n")
    for check_args, should_fail in (("", True), ("--isolated", False)):
        build = os.path.join(work, f"config-build{check_args}")
        status, output = run(cmake, "-S", project, "-B", build, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}",
                             f"-DCHECK_ARGS={check_args}")
        if status == 0:
            status, output = run(cmake, "--build", build)
        if should_fail:
            check("config: the project's .ckptlint.cfg applies (CKL202 made an error)",
                  status != 0 and "error CKL202" in output, output)
        else:
            check("config: ARGS --isolated ignores it", status == 0 and "warning CKL202" in output, output)


def stale_input_cases(cmake, prefix, work, paths):
    """The check reruns on changes an mtime comparison misses: a checkpoint replaced by an older
    file (mv of an earlier download, cp -p, tar), a .ckptlint.cfg created or edited later."""
    project = os.path.join(work, "stale-project")
    os.makedirs(project, exist_ok=True)
    weights = os.path.join(project, "weights.pt")
    shutil.copyfile(paths["good.pt"], weights)
    shutil.copyfile(paths["good.pt"], os.path.join(project, "reference.pt"))
    with open(os.path.join(project, "CMakeLists.txt"), "w", encoding="utf-8") as f:
        f.write("cmake_minimum_required(VERSION 3.18)\n"
                "project(stale_case NONE)\n"
                "find_package(ckptlint REQUIRED)\n"
                "add_custom_target(app ALL)\n"
                "ckptlint_check(TARGET app CHECKPOINT weights.pt MODEL reference.pt)\n")
    build = os.path.join(work, "stale-build")
    status, output = run(cmake, "-S", project, "-B", build, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}")
    if status == 0:
        status, output = run(cmake, "--build", build)
    check("stale: the fitting checkpoint builds", status == 0 and CHECK_LINE in output, output)

    older = os.path.join(work, "downloaded-earlier.pt")
    shutil.copyfile(paths["bad_head.pt"], older)
    day_ago = os.stat(weights).st_mtime - 86400
    os.utime(older, (day_ago, day_ago))
    os.replace(older, weights)
    status, output = run(cmake, "--build", build)
    check("stale: a checkpoint replaced by an older, mismatched file fails the build",
          status != 0 and "CKL201" in output, output)

    shutil.copyfile(paths["half.pt"], weights)
    status, output = run(cmake, "--build", build)
    check("stale: a warning passes FAIL_ON error", status == 0 and "CKL202" in output, output)
    with open(os.path.join(project, ".ckptlint.cfg"), "w", encoding="utf-8") as f:
        f.write("[level]\nCKL202 = note\n")
    status, output = run(cmake, "--build", build)
    check("stale: a .ckptlint.cfg created after a passing check reruns it", status == 0 and "note CKL202" in output,
          output)
    with open(os.path.join(project, ".ckptlint.cfg"), "w", encoding="utf-8") as f:
        f.write("[level]\nCKL202 = error\n")
    status, output = run(cmake, "--build", build)
    check("stale: an edited .ckptlint.cfg reruns it (CKL202 made an error fails the build)",
          status != 0 and "error CKL202" in output, output)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cmake", required=True)
    ap.add_argument("--build-dir", required=True, help="the ckptlint build tree to install")
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--expect-plugin", action="store_true", help="the TorchScript plugin was built")
    args = ap.parse_args()
    work = os.path.abspath(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    staging = os.path.join(work, "staging-prefix")
    status, output = run(args.cmake, "--install", args.build_dir, "--prefix", staging)
    check("install: cmake --install succeeds", status == 0, output)
    if status != 0:
        return finish()
    prefix = os.path.join(work, "prefix")
    os.rename(staging, prefix)  # relocated: everything below must work from the new place
    ckptlint = os.path.join(prefix, "bin", "ckptlint")
    check_installed_tree(prefix, os.path.abspath(args.source_dir), os.path.abspath(args.build_dir), staging,
                         ckptlint, args.expect_plugin)

    paths = write_models(work)
    spec = os.path.join(work, "model.spec.json")
    status, output = run(ckptlint, "spec", paths["good.pt"], "-o", spec)
    check("spec: the installed ckptlint writes the model spec", status == 0, output)

    example_cases(args.cmake, args.source_dir, prefix, work, ckptlint, paths, spec)
    if args.expect_plugin:
        status, output = run(ckptlint, "spec", paths["model.ts"])
        check("install: the relocated ckptlint finds its plugin", status == 0, output)
        status, help_text = run(ckptlint, "--help")
        has_verify = any(line.split()[:1] == ["verify"] for line in help_text.splitlines())
        torchscript_cases(args.cmake, args.source_dir, prefix, work, ckptlint, paths, spec, has_verify)
    else:
        print("SKIP torchscript cases: the plugin was not built")
    config_file_cases(args.cmake, prefix, work, paths)
    stale_input_cases(args.cmake, prefix, work, paths)
    argument_cases(args.cmake, prefix, work)
    component_cases(args.cmake, prefix, work, args.expect_plugin)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
