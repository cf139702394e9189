#!/usr/bin/env bash
# Build the one-folder desktop bundle dist/annotator/ with PyInstaller.
#
#   scripts/package.sh            create/reuse .venv, install the app and PyInstaller, build
#
# PyInstaller builds for the system it runs on: run this on Linux for a Linux bundle,
# on macOS for dist/Annotator.app, and use the PowerShell lines in packaging/README.md
# on Windows. Then check the bundle with packaging/smoke_test.sh --no-build.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PY:-python3}"
VENV="${VENV:-.venv}"
# 6.22.x: supports Python 3.8-3.14 and ships hooks for PySide6 6.11. Bump deliberately.
PYINSTALLER_SPEC="${PYINSTALLER_SPEC:-pyinstaller==6.22.3}"

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e . "$PYINSTALLER_SPEC"

start=$(date +%s)
"$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/annotator.spec
end=$(date +%s)

bundle=dist/annotator
[ -x "$bundle/annotator" ] || { echo "package: $bundle/annotator was not built" >&2; exit 1; }
echo "built $bundle in $((end - start)) s with $("$VENV/bin/python" -m PyInstaller --version) (PyInstaller)"
echo "size:  $(du -sh "$bundle" | cut -f1)  ($(du -sk "$bundle" | cut -f1) KiB)"
echo "files: $(find "$bundle" -type f | wc -l)"
if [ -d dist/Annotator.app ]; then
  echo "macOS app: dist/Annotator.app ($(du -sh dist/Annotator.app | cut -f1))"
fi
