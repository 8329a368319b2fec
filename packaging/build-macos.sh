#!/usr/bin/env bash
# Build the macOS app: dist/SnapAsset.app (and the plain folder dist/snapasset-desktop/,
# whose snapasset-desktop is the command line), self-test it, and pack it as
# dist/SnapAsset-<version>-macos-<arch>.zip (drag SnapAsset.app to Applications).
#
#   packaging/build-macos.sh            # uses .venv/bin/python, creating .venv if needed
#   PYTHON=/path/to/python3.11 packaging/build-macos.sh
#
# Use a python.org or Homebrew CPython 3.11+ for the architecture you ship (arm64 on
# Apple silicon). The app is unsigned: sign and notarise it before publishing, e.g.
#   codesign --deep --force --options runtime --sign "Developer ID Application: …" dist/SnapAsset.app
#   ditto -c -k --keepParent dist/SnapAsset.app SnapAsset.zip && xcrun notarytool submit SnapAsset.zip …
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
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/snapasset-desktop.spec

# The command-line executable inside the .app, with no Python around.
(cd / && env -i HOME="$HOME" PATH=/usr/bin:/bin LANG=en_US.UTF-8 \
    "$OLDPWD/dist/SnapAsset.app/Contents/MacOS/snapasset-desktop" --self-test)

archive="dist/SnapAsset-${version}-macos-${arch}.zip"
rm -f "$archive"
# ditto keeps the bundle's symlinks and extended attributes, which zip(1) would break.
ditto -c -k --sequesterRsrc --keepParent dist/SnapAsset.app "$archive"
echo "Packed $archive ($(du -h "$archive" | cut -f1))."
