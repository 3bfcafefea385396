#!/usr/bin/python3
"""`ckptlint rules`: the list (text and JSON agree, every listed rule has its page in docs/rules),
`rules ID|NAME` prints the page, unknown rules are usage errors with a suggestion.

Standard library only. Exit 1 if any check fails."""
import argparse
import json
import os
import sys

from cli_harness import check, finish, run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ckptlint", required=True)
    parser.add_argument("--docs", required=True, help="docs/rules of the source tree")
    args = parser.parse_args()
    exe = args.ckptlint

    code, out, err = run(exe, "rules", "--format", "json")
    listed = json.loads(out) if code == 0 else []
    check("rules --format json lists rules", code == 0 and len(listed) > 0, (code, err))
    ids = [rule["id"] for rule in listed]
    check("rule ids are unique and in CKLnnn form",
          len(set(ids)) == len(ids) and all(len(i) == 6 and i.startswith("CKL") for i in ids), ids)

    code, out, err = run(exe, "rules")
    lines = out.splitlines()
    check("rules prints one line per rule", code == 0 and len(lines) == len(listed), (code, out, err))
    for line, rule in zip(lines, listed):
        fields = line.split(None, 3)
        check(f"text line for {rule['id']} has id, name, level, summary",
              fields == [rule["id"], rule["name"], rule["level"], rule["summary"]], (line, rule))
    columns = {line.index(rule["name"]) for line, rule in zip(lines, listed)}
    check("names are aligned in one column", len(columns) == 1, columns)

    for rule in listed:
        page_path = os.path.join(args.docs, rule["id"] + ".md")
        check(f"{rule['id']} has a page", os.path.exists(page_path), page_path)
        if not os.path.exists(page_path):
            continue
        with open(page_path) as f:
            page = f.read()
        code, out, err = run(exe, "rules", rule["id"])
        check(f"rules {rule['id']} prints docs/rules/{rule['id']}.md", code == 0 and out == page, (code, err))
        code, by_name, _ = run(exe, "rules", rule["name"])
        check(f"rules {rule['name']} prints the same page", code == 0 and by_name == page, code)

    if "CKL103" in ids:
        code, out, _ = run(exe, "rules", "ckl103")
        check("rule ids are accepted in lower case", code == 0 and out.startswith("# CKL103 wrapper-prefix"), out[:80])
        code, out, _ = run(exe, "rules", "CKL103", "--format", "json")
        doc = json.loads(out) if code == 0 else {}
        check("rules ID --format json has the page", doc.get("id") == "CKL103" and doc.get("doc", "").startswith("# CKL103"),
              doc)
        code, out, err = run(exe, "rules", "wraper-prefix")
        check("misspelt name suggests the rule", code == 2 and "did you mean 'wrapper-prefix'" in err, (code, err))

    code, out, err = run(exe, "rules", "CKL999")
    check("unknown rule: exit 2, error on stderr, nothing on stdout",
          code == 2 and out == "" and err.startswith("ckptlint: error: unknown rule 'CKL999'"), (code, out, err))
    code, out, err = run(exe, "rules", "--format", "xml")
    check("unknown format is a usage error", code == 2 and out == "", (code, err))
    code, out, err = run(exe, "rules", "CKL101", "CKL102")
    check("two rules are a usage error", code == 2 and out == "", (code, err))

    return finish()


if __name__ == "__main__":
    sys.exit(main())
