#!/usr/bin/python3
"""Validates SARIF logs against the SARIF 2.1.0 JSON schema (draft-04), plus the fields GitHub
code scanning needs that the schema leaves optional.

usage: validate_sarif.py --schema sarif-schema-2.1.0.json FILE...
Exit 0 when every file is valid, 1 otherwise (each problem printed), 77 (CTest "skipped")
when the schema file is missing. Needs python3-jsonschema."""
import argparse
import json
import os
import sys

SKIPPED = 77


def github_problems(log):
    """What GitHub rejects or cannot show although the schema allows it."""
    problems = []
    for r, run in enumerate(log.get("runs", [])):
        for rule in run["tool"]["driver"].get("rules", []):
            for field in ("shortDescription", "fullDescription", "help"):
                text = rule.get(field, {}).get("text", "")
                if not text or (len(text) > 1024 and field != "help"):
                    problems.append(f"runs[{r}] rule {rule['id']}: {field}.text missing or over 1024 characters")
        for i, result in enumerate(run.get("results", [])):
            where = f"runs[{r}].results[{i}]"
            if not result.get("message", {}).get("text"):
                problems.append(f"{where}: message.text missing")
            locations = result.get("locations", [])
            if not locations:
                problems.append(f"{where}: no location")
            elif "startLine" not in locations[0].get("physicalLocation", {}).get("region", {}):
                problems.append(f"{where}: first location has no region.startLine")
            if "primaryLocationLineHash" not in result.get("partialFingerprints", {}):
                problems.append(f"{where}: no partialFingerprints.primaryLocationLineHash")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    if not os.path.exists(args.schema):
        print(f"SKIP: no SARIF schema at {args.schema}")
        return SKIPPED
    import jsonschema

    with open(args.schema) as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    failed = False
    for path in args.files:
        try:
            with open(path) as f:
                log = json.load(f)
        except (OSError, ValueError) as error:
            print(f"FAIL {path}: {error}")
            failed = True
            continue
        problems = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                    for e in sorted(validator.iter_errors(log), key=lambda e: list(map(str, e.absolute_path)))]
        if not problems:
            problems = github_problems(log)
        for problem in problems:
            print(f"FAIL {path}: {problem}")
        if problems:
            failed = True
        else:
            print(f"PASS {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
