#!/usr/bin/env bash
# The Python package's tests: builds the wheel (maturin, release), installs it into a fresh
# virtual environment with the test dependencies, and runs pytest there against the CLI
# (target/debug/fairgate, built here if missing). Used by .ci/run after `cargo test`.
#   bash python/test.sh [pytest args...]
# maturin lives in a cached environment (~/.cache/fairgate/maturin-venv); pip's cache makes
# the test environment's installs fast after the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
BUILD_VENV="${HOME}/.cache/fairgate/maturin-venv"
if ! "${BUILD_VENV}/bin/maturin" --version >/dev/null 2>&1; then
  rm -rf "${BUILD_VENV}"
  mkdir -p "$(dirname "${BUILD_VENV}")"
  python3 -m venv "${BUILD_VENV}"
  timeout 600 "${BUILD_VENV}/bin/pip" install -q "maturin>=1.7,<2"
fi
# The binding's own unit tests (message wording), then the package's.
cargo test --quiet -p fairgate-python
work=$(mktemp -d)
trap 'rm -rf "${work}"' EXIT
# FAIRGATE_WHEEL_PROFILE=dev builds with the dev profile, reusing what `cargo test` compiled
# (CI: about 40 s instead of 6 minutes of release build); the default is --release.
(cd python && "${BUILD_VENV}/bin/maturin" build --profile "${FAIRGATE_WHEEL_PROFILE:-release}" \
  --quiet -o "${work}/wheels")
python3 -m venv "${work}/venv"
timeout 900 "${work}/venv/bin/pip" install -q "${work}"/wheels/fairgate-*.whl \
  "pytest>=7" "pandas>=2.0" "pyarrow>=14" "polars>=1.0" "numpy>=1.24" "scikit-learn>=1.3"
[ -x target/debug/fairgate ] || cargo build --quiet
# From outside the source tree, so that the installed wheel (not python/fairgate) is imported.
cd "${work}"
FAIRGATE_BIN="${root}/target/debug/fairgate" "${work}/venv/bin/python" -m pytest -q \
  "${root}/python/tests" "$@"
