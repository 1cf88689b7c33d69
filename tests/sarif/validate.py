#!/usr/bin/env python3
"""Validate a SARIF log (standard input) against SARIF 2.1.0's JSON schema, beside this file.

Usage: validate.py LIB_DIR

Uses the `jsonschema` package; when Python lacks it, installs it (pinned) with pip into LIB_DIR
first. Exits 0 when the log is valid, else 1 with every error on standard error.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "sarif-2.1.0-rtm.5.json")


def load_jsonschema(lib):
    try:
        import jsonschema
        return jsonschema
    except ImportError:
        pass
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--target", lib, "jsonschema==4.26.0"], check=True, stdout=sys.stderr)
    sys.path.insert(0, lib)
    import jsonschema
    return jsonschema


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: validate.py LIB_DIR")
    jsonschema = load_jsonschema(sys.argv[1])
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    log = json.load(sys.stdin)
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path)
        sys.stderr.write("%s: %s\n" % (where or "(root)", e.message))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
