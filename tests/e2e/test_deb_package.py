#!/usr/bin/python3
"""The Debian packages CPack builds from this build tree (cmake/Packaging.cmake): `cpack -G DEB`
into a scratch folder, the control fields (`dpkg-deb -I`), and `dpkg -x` into a scratch root,
which must hold the executable, the man page, the completion, every rule page and the CMake
package; the extracted executable runs, and finds the extracted plugin at /usr/lib/ckptlint.

Skips (77) where dpkg-deb or cpack is missing. Exit 1 if any check fails."""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

from cli_harness import check, finish, run


def control_fields(deb):
    out = subprocess.run(["dpkg-deb", "-f", deb], capture_output=True, text=True, check=True).stdout
    fields, name = {}, None
    for line in out.splitlines():
        if line.startswith(" ") and name:
            fields[name] += "\n" + line
        elif ":" in line:
            name, value = line.split(":", 1)
            fields[name] = value.strip()
    return fields


def depends_names(field):
    """Package names of a Depends field, without versions."""
    return {part.split("(")[0].strip() for part in field.split(",") if part.strip()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--with-plugin", action="store_true", help="the LibTorch plugin was built")
    parser.add_argument("--fixtures", help="torch fixtures (a TorchScript archive for the plugin check)")
    args = parser.parse_args()
    cpack = shutil.which("cpack")
    if not shutil.which("dpkg-deb") or not cpack:
        print("SKIP: dpkg-deb or cpack not installed")
        return 77

    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    proc = subprocess.run([cpack, "-G", "DEB", "-B", args.workdir, "--config",
                           os.path.join(args.build_dir, "CPackConfig.cmake")], capture_output=True, text=True)
    check("cpack -G DEB succeeds", proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:])
    debs = sorted(os.path.basename(p) for p in glob.glob(os.path.join(args.workdir, "*.deb")))
    expected = [f"ckptlint_{args.version}_amd64.deb"] if os.uname().machine == "x86_64" else []
    if args.with_plugin and expected:
        expected.append(f"ckptlint-torchscript_{args.version}_amd64.deb")
    if expected:
        check("the expected packages", debs == sorted(expected), debs)
    main_deb = os.path.join(args.workdir, next((d for d in debs if d.startswith("ckptlint_")), "missing"))
    if not os.path.exists(main_deb):
        check("the ckptlint package exists", False, debs)
        return finish()

    fields = control_fields(main_deb)
    check("Package: ckptlint", fields.get("Package") == "ckptlint", fields)
    check("Version from project()", fields.get("Version") == args.version, fields)
    check("Section: devel", fields.get("Section") == "devel", fields)
    check("a Maintainer and a Description", fields.get("Maintainer") and fields.get("Description"), fields)
    depends = depends_names(fields.get("Depends", ""))
    for package in ["libboost-program-options1.74.0", "zlib1g", "libstdc++6", "libc6"]:
        check(f"Depends names {package}", package in depends, fields.get("Depends"))
    check("ckptlint does not depend on LibTorch", not any("torch" in p for p in depends), depends)

    root = os.path.join(args.workdir, "root")
    for deb in debs:
        subprocess.run(["dpkg", "-x", os.path.join(args.workdir, deb), root], check=True)
    exe = os.path.join(root, "usr/bin/ckptlint")
    wanted = ["usr/bin/ckptlint", "usr/share/man/man1/ckptlint.1",
              "usr/share/bash-completion/completions/ckptlint",
              "usr/lib/cmake/ckptlint/ckptlintConfig.cmake", "usr/lib/cmake/ckptlint/ckptlintConfigVersion.cmake"]
    for path in wanted:
        check(f"the package holds /{path}", os.path.isfile(os.path.join(root, path)), path)
    listing = subprocess.run(["dpkg-deb", "-c", main_deb], capture_output=True, text=True).stdout
    check("no test programs or build paths in the package",
          "unit_tests" not in listing and "fixtures" not in listing and "/work/" not in listing, listing[:2000])

    if os.path.isfile(exe):
        code, out, err = run(exe, "--version", env={"LD_LIBRARY_PATH": ""})
        check("the extracted ckptlint runs", code == 0 and out.strip() == f"ckptlint {args.version}", (code, out, err))
        code, out, _ = run(exe, "rules", "--format", "json")
        ids = [rule["id"] for rule in json.loads(out)] if code == 0 else []
        check("rules are listed", len(ids) > 10, ids)
        for rule_id in ids:
            check(f"rule page {rule_id}.md is installed",
                  os.path.isfile(os.path.join(root, "usr/share/doc/ckptlint/rules", rule_id + ".md")), rule_id)
        code, page, _ = run(exe, "manpage")
        with open(os.path.join(root, "usr/share/man/man1/ckptlint.1")) as f:
            check("the packaged man page is the packaged binary's", code == 0 and f.read() == page)

    if args.with_plugin:
        plugin_deb = os.path.join(args.workdir, f"ckptlint-torchscript_{args.version}_amd64.deb")
        plugin_fields = control_fields(plugin_deb) if os.path.exists(plugin_deb) else {}
        plugin_depends = plugin_fields.get("Depends", "")
        check("ckptlint-torchscript depends on LibTorch", "libtorch" in plugin_depends, plugin_fields)
        check("ckptlint-torchscript depends on this ckptlint",
              f"ckptlint (= {args.version})" in plugin_depends, plugin_depends)
        check("ckptlint suggests ckptlint-torchscript", "ckptlint-torchscript" in fields.get("Suggests", ""), fields)
        check("the plugin is at /usr/lib/ckptlint",
              os.path.isfile(os.path.join(root, "usr/lib/ckptlint/ckptlint_torchscript.so")), plugin_deb)
        check("the plugin is not in the ckptlint package", "ckptlint_torchscript.so" not in listing)
        model = os.path.join(args.fixtures or "", "torchscript_scripted.pt")
        if os.path.isfile(exe) and os.path.isfile(model):
            # The extracted binary, with no plugin beside it, must find it in ../lib/ckptlint.
            env = {"CKPTLINT_PLUGIN_DIR": ""}
            code, out, err = run(exe, "check", model, "--model", model, env=env)
            check("the extracted ckptlint loads the extracted plugin (TorchScript --model)", code == 0, (code, out, err))
            os.rename(os.path.join(root, "usr/lib/ckptlint"), os.path.join(root, "usr/lib/ckptlint.away"))
            code, out, err = run(exe, "check", model, "--model", model, env=env)
            check("... and without it says so (exit 2)", code == 2 and "plugin" in err, (code, out, err))
        else:
            check("a TorchScript fixture for the plugin check", False, model)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
