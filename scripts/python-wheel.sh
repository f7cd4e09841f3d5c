#!/usr/bin/env bash
# The Python package (issue 16, docs/python.md): builds the wheel with maturin (the `copylab`
# binary in it; a release build, or COPYLAB_WHEEL_PROFILE's: CI takes `dev`, which reuses what the
# Rust tests built), installs it with pytest and boto3 into a fresh virtualenv, and
# runs `copylab --version`, the example suite python/tests/ and python/examples/without_pytest.py
# against the installed package (not the source tree). Needs python3 with venv and PyPI access.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/build"
"$work/build/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.5,<2"
"$work/build/bin/maturin" build --profile "${COPYLAB_WHEEL_PROFILE:-release}" --locked -o "$work/dist" 2>&1 | tail -n 3
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$work"/dist/copylab-*.whl pytest boto3
# The installed copylab only: no Rust toolchain, nothing from this checkout on the path.
export PATH="$work/venv/bin:/usr/bin:/bin"
unset COPYLAB_BINARY
copylab --version
(cd "$work" && cp -r "$OLDPWD/python/tests" "$OLDPWD/python/examples" . && "$work/venv/bin/python" -m pytest -q -p no:cacheprovider tests)
"$work/venv/bin/python" "$work/examples/without_pytest.py"
echo "python wheel: built, installed and tested"
