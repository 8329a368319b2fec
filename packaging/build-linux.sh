#!/usr/bin/env bash
# Build the Linux bundle: dist/snapasset-desktop/ (run dist/snapasset-desktop/snapasset-desktop),
# self-test it, and pack it as dist/snapasset-desktop-<version>-linux-<arch>.tar.gz.
#
#   packaging/build-linux.sh            # uses .venv/bin/python, creating .venv if needed
#   PYTHON=/path/to/python packaging/build-linux.sh
#
# Needs a CPython built with --enable-shared (Debian/Ubuntu's and python.org's are) and
# ldd; binutils' strip makes the bundle ~40 MB smaller when present. Build on the oldest
# distribution you support: the bundle runs on that glibc and newer.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
if [ ! -x "$PYTHON" ]; then
    python3 -m venv .venv
    PYTHON=.venv/bin/python
fi
# The `package` extra (PyInstaller, build), unless this Python has it already.
if ! "$PYTHON" -c 'import PyInstaller, build' 2>/dev/null; then
    "$PYTHON" -m pip install --quiet --upgrade pip
    "$PYTHON" -m pip install --quiet -e '.[package]'
fi

version="$("$PYTHON" -c 'import snapasset_desktop; print(snapasset_desktop.__version__)')"
arch="$(uname -m)"
started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/snapasset-desktop.spec
echo "Built dist/snapasset-desktop in $(( $(date +%s) - started )) s ($(du -sh dist/snapasset-desktop | cut -f1))."

# The bundle must start with no Python around: a clean environment, outside the checkout.
(cd / && env -i HOME="$HOME" PATH=/usr/bin:/bin LANG=C.UTF-8 \
    "$OLDPWD/dist/snapasset-desktop/snapasset-desktop" --self-test)

archive="dist/snapasset-desktop-${version}-linux-${arch}.tar.gz"
tar -C dist -czf "$archive" snapasset-desktop
echo "Packed $archive ($(du -h "$archive" | cut -f1))."
