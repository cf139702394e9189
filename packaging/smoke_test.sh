#!/usr/bin/env bash
# Smoke test of the PyInstaller bundle: does the frozen app start, import, export and open
# its window on a machine without the source tree?
#
#   packaging/smoke_test.sh              build with scripts/package.sh, then test dist/annotator
#   packaging/smoke_test.sh --no-build   test the existing dist/annotator
#   -v                                   also show the output of passing steps
#
# The bundle is copied to a temporary folder first and run from there (proves it is
# relocatable and reads nothing from the checkout), with QT_QPA_PLATFORM=offscreen and
# temporary ANNOTATOR_DATA_DIR / ANNOTATOR_CONFIG_DIR; when xvfb-run is installed the
# window is also opened on a virtual X11 display. Prints PASS/FAIL per step;
# exit status 0 only if every step passed. Not part of `make test` (it takes a build).
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD

build=1
verbose=0
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    -v|--verbose) verbose=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "smoke_test: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

if [ "$build" = 1 ]; then
  scripts/package.sh || { echo "FAIL build"; exit 1; }
fi
[ -x dist/annotator/annotator ] || { echo "FAIL dist/annotator/annotator does not exist: run without --no-build"; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/annotator-smoke.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cp -a dist/annotator "$TMP/bundle"
APP="$TMP/bundle/annotator"
SEED="$ROOT/seeds/000_8780c45163dbb04d.txt"
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' src/annotator/__init__.py)

export QT_QPA_PLATFORM=offscreen
export ANNOTATOR_DATA_DIR="$TMP/data" ANNOTATOR_CONFIG_DIR="$TMP/config"
export XDG_RUNTIME_DIR="$TMP/runtime" && mkdir -m 700 "$XDG_RUNTIME_DIR"
cd "$TMP" || exit 1

failures=0
# step NAME COMMAND...: run COMMAND (a function below), report PASS/FAIL with its time and log.
step() {
  local name=$1 start end rc
  shift
  start=$(date +%s.%N)
  "$@" >"$TMP/$name.log" 2>&1
  rc=$?
  end=$(date +%s.%N)
  local secs
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  if [ "$rc" = 0 ]; then
    echo "PASS $name (${secs} s)"
    if [ "$verbose" = 1 ]; then sed 's/^/    | /' "$TMP/$name.log"; fi
  else
    echo "FAIL $name (${secs} s)"
    sed 's/^/    | /' "$TMP/$name.log"
    failures=$((failures + 1))
  fi
}

check_version() {
  local out
  out=$("$APP" --version) || return 1
  echo "$out"
  [ "$out" = "annotator $VERSION" ] || { echo "expected: annotator $VERSION"; return 1; }
}

check_import() {
  "$APP" import "$TMP/p.annotator" "$SEED" || return 1
  [ -s "$TMP/p.annotator" ] || { echo "no project file was created"; return 1; }
}

check_export() {
  "$APP" export "$TMP/p.annotator" --format jsonl -o "$TMP/out.jsonl" || return 1
  local lines
  lines=$(wc -l <"$TMP/out.jsonl")
  [ "$lines" -eq 1 ] || { echo "out.jsonl has $lines lines, expected 1"; return 1; }
  grep -q "Mail Online" "$TMP/out.jsonl" || { echo "out.jsonl does not mention Mail Online"; return 1; }
}

check_gui() {  # [PREFIX...]: e.g. xvfb-run -a env QT_QPA_PLATFORM=xcb
  local rc
  ANNOTATOR_QUIT_WHEN_READY=1 timeout 60 "$@" "$APP" "$TMP/p.annotator" >"$TMP/gui.out" 2>"$TMP/gui.err"
  rc=$?
  cat "$TMP/gui.out" "$TMP/gui.err"
  [ "$rc" = 124 ] && { echo "the window did not close within 60 s"; return 1; }
  [ "$rc" = 0 ] || { echo "exit status $rc"; return 1; }
  grep -q '^ready ' "$TMP/gui.out" || { echo "no 'ready' line on stdout"; return 1; }
  ! grep -q 'Traceback' "$TMP/gui.err" || { echo "a traceback on stderr"; return 1; }
}

step version check_version
step import check_import
step export check_export
step gui check_gui
# The real X11 platform plugin and the libraries bundled for it, on a virtual display.
if command -v xvfb-run >/dev/null; then
  step gui-x11 check_gui xvfb-run -a -s "-screen 0 1280x1024x24" env QT_QPA_PLATFORM=xcb
else
  echo "SKIP gui-x11 (install xvfb to test the bundle on a real X11 display: apt-get install xvfb xauth)"
fi

echo "bundle: $(du -sh "$ROOT/dist/annotator" | cut -f1), $(find "$ROOT/dist/annotator" -type f | wc -l) files"
if [ "$failures" = 0 ]; then
  echo "smoke test: PASS"
else
  echo "smoke test: FAIL ($failures step(s))"
  exit 1
fi
