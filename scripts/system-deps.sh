#!/usr/bin/env bash
# Make sure Qt can start here: the offscreen platform (tests) and, when a display is
# present, the xcb platform (the app). Installs Debian's libraries only when they are
# missing and we may (root with apt-get); otherwise says which ones to install.
set -u
PY="${1:-.venv/bin/python}"
probe() {
  QT_QPA_PLATFORM="$1" "$PY" -c 'from PySide6.QtWidgets import QApplication; QApplication([])' >/dev/null 2>&1
}
base_pkgs="libegl1 libgl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0"
xcb_pkgs="libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1"
need=""
probe offscreen || need="$base_pkgs"
if [ -n "${DISPLAY:-}" ] && ! probe xcb; then need="$need $base_pkgs $xcb_pkgs"; fi
# the packaging tests validate the desktop files with the real freedesktop tools
for t in desktop-file-validate appstreamcli update-mime-database; do
  command -v "$t" >/dev/null || { need="$need desktop-file-utils appstream shared-mime-info"; break; }
done
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: $need"
  (apt-get install -y -q --no-install-recommends $need >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends $need >/dev/null; }) ||
    { echo "could not install: $need" >&2; exit 1; }
else
  echo "Missing system packages: install these Debian/Ubuntu packages (as root): $need" >&2
  exit 1
fi
