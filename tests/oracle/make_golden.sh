#!/usr/bin/env bash
# Regenerates tests/oracle/golden/*.json with the pinned Python oracles, in a virtual
# environment of its own (tests/oracle/.venv). Run from anywhere:
#   bash tests/oracle/make_golden.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install -q -r "$here/requirements.txt"
fi
"$here/.venv/bin/python" "$here/score_adult.py"
"$here/.venv/bin/python" "$here/make_golden.py"
"$here/.venv/bin/python" "$here/train_golden.py"
"$here/.venv/bin/python" "$here/explain_golden.py"
"$here/.venv/bin/python" "$here/mitigate_golden.py"
