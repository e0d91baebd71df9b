#!/usr/bin/env python3
"""Validates setol reports against docs/report.schema.json (JSON Schema 2020-12).

usage: validate_reports.py SCHEMA FILE...   (a .jsonl file is validated line by line)
Exits 1 listing every file, line and error that does not conform.
"""
import json
import sys

import jsonschema


def main():
    schema = json.load(open(sys.argv[1]))
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    checked = 0
    for path in sys.argv[2:]:
        text = open(path, encoding="utf-8").read()
        docs = [(i + 1, line) for i, line in enumerate(text.splitlines())] if path.endswith(".jsonl") else [(0, text)]
        for line_no, doc in docs:
            checked += 1
            for err in validator.iter_errors(json.loads(doc)):
                bad += 1
                where = f"{path}:{line_no}" if line_no else path
                print(f"{where}: {'/'.join(map(str, err.absolute_path))}: {err.message[:300]}")
    print(f"{checked} documents checked, {bad} errors")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
