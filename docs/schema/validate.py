"""Validate fairgate's JSON output files against their JSON Schemas (docs/schema/), with the
reference validator: PyPI's jsonschema, draft 2020-12.

    python docs/schema/validate.py docs/schema/audit.schema.json audit.json [more.json ...]

Checks the schema itself first. Prints every violation as FILE: /json/pointer: message and
exits 1 when there is any, 0 when every file is valid.
"""

import json
import sys

from jsonschema import Draft202012Validator


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    errors = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            instance = json.load(f)
        for e in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
            pointer = "/" + "/".join(str(p) for p in e.absolute_path)
            print(f"{path}: {pointer}: {e.message[:300]}")
            errors += 1
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
