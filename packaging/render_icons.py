"""Render the app icon from resources/icons/annotator.svg to every format the packages need.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py [--preview OUT.png]

Writes (all committed, regenerate after editing the SVG):

* ``resources/icons/hicolor/<N>x<N>/apps/io.github.annotator.Annotator.png`` for
  N in 16, 32, 48, 64, 128, 256, 512 (the freedesktop icon theme layout);
* ``resources/icons/hicolor/scalable/apps/io.github.annotator.Annotator.svg``: a copy
  of the SVG, so the whole ``hicolor`` folder installs as it is;
* ``packaging/annotator.ico``: Windows, PNG-compressed entries 16 to 256 px;
* ``packaging/annotator.icns``: macOS, PNG entries 16 to 1024 px (1x and 2x).

Uses PySide6's QtSvg (in PySide6-Essentials), so nothing beyond the app's own
dependencies is needed. The ICO and ICNS containers are written here byte by
byte: both are a small header, a directory and the PNG payloads.
``--preview`` also writes a contact sheet (every size on light and dark
backgrounds, small sizes magnified) to look at.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "io.github.annotator.Annotator"
SVG = ROOT / "resources" / "icons" / "annotator.svg"
# Hand-hinted variant for the smallest size: the big drawing's 12-unit strokes blur at 16 px.
SMALL_SVG = ROOT / "resources" / "icons" / "annotator-16.svg"
SMALL_MAX = 16
HICOLOR = ROOT / "resources" / "icons" / "hicolor"
ICO = ROOT / "packaging" / "annotator.ico"
ICNS = ROOT / "packaging" / "annotator.icns"

PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS OSType -> pixel size. ic11..ic14 and ic10 are the @2x ("retina") variants.
ICNS_TYPES = (
    ("ic11", 32),  # 16@2x
    ("ic12", 64),  # 32@2x
    ("ic07", 128),
    ("ic13", 256),  # 128@2x
    ("ic08", 256),
    ("ic14", 512),  # 256@2x
    ("ic09", 512),
    ("ic10", 1024),  # 512@2x
)


class Renderers:
    """The SVG drawing to use for a pixel size."""

    def __init__(self) -> None:
        self.big = _load(SVG)
        self.small = _load(SMALL_SVG)

    def render(self, size: int) -> QImage:
        return render(self.small if size <= SMALL_MAX else self.big, size)


def _load(path: Path) -> QSvgRenderer:
    renderer = QSvgRenderer(str(path))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {path} is not a valid SVG for QtSvg")
    return renderer


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG", 100 - 9 * 10):  # quality 10 -> zlib level 9
        raise SystemExit("render_icons: could not encode PNG")
    buf.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """ICONDIR + ICONDIRENTRY per image + PNG payloads (PNG entries: Windows Vista and later)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, payload = b"", b""
    for n in sizes:
        data = pngs[n]
        dim = 0 if n >= 256 else n  # 0 means 256
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset + len(payload))
        payload += data
    return header + entries + payload


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """'icns' + total length, then (OSType, length incl. 8-byte header, PNG) per entry."""
    body = b"".join(
        kind.encode("ascii") + struct.pack(">I", 8 + len(pngs[n])) + pngs[n]
        for kind, n in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def preview(renderers: Renderers, out: Path) -> None:
    sizes = (16, 24, 32, 48, 64, 128, 256)
    pad, zoom = 16, 4
    width = pad + sum(max(n, 64) + pad for n in sizes) + 256 + pad
    height = 2 * (256 + 2 * pad) + 2 * (16 * zoom + 32 * zoom + 3 * pad)
    sheet = QImage(width, height, QImage.Format.Format_ARGB32)
    sheet.fill(QColor("#ffffff"))
    p = QPainter(sheet)
    y = 0
    for bg in ("#f4f5f7", "#2b2f36"):
        p.fillRect(0, y, width, 256 + 2 * pad, QColor(bg))
        x = pad
        for n in sizes:
            p.drawImage(x, y + pad + 256 - n, renderers.render(n))
            x += max(n, 64) + pad
        y += 256 + 2 * pad
    for bg in ("#f4f5f7", "#2b2f36"):  # 16 and 32 px magnified, pixel for pixel
        h = 32 * zoom + 2 * pad
        p.fillRect(0, y, width, h, QColor(bg))
        x = pad
        for n in (16, 32):
            img = renderers.render(n).scaled(n * zoom, n * zoom)  # nearest neighbour
            p.drawImage(x, y + pad, img)
            x += n * zoom + pad
        y += h
    p.end()
    sheet.save(str(out))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--preview", type=Path, metavar="OUT.png", help="also write a contact sheet")
    ns = ap.parse_args(argv)
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderers = Renderers()
    needed = set(PNG_SIZES) | set(ICO_SIZES) | {n for _, n in ICNS_TYPES}
    pngs = {n: png_bytes(renderers.render(n)) for n in sorted(needed)}
    for n in PNG_SIZES:
        path = HICOLOR / f"{n}x{n}" / "apps" / f"{APP_ID}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pngs[n])
        print(f"wrote {path.relative_to(ROOT)} ({len(pngs[n])} bytes)")
    scalable = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes(SVG.read_bytes())
    print(f"wrote {scalable.relative_to(ROOT)}")
    ICO.write_bytes(ico_bytes({n: pngs[n] for n in ICO_SIZES}))
    print(f"wrote {ICO.relative_to(ROOT)} ({ICO.stat().st_size} bytes, sizes {ICO_SIZES})")
    ICNS.write_bytes(icns_bytes(pngs))
    print(
        f"wrote {ICNS.relative_to(ROOT)} ({ICNS.stat().st_size} bytes, {[k for k, _ in ICNS_TYPES]})"
    )
    if ns.preview:
        preview(renderers, ns.preview)
        print(f"wrote {ns.preview}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
