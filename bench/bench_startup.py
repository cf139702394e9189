"""Cold start to an interactive window, against a bare PySide6 window with one QTextEdit.

Target (issue 2): at most 2x the bare window, started the same way (a fresh
Python process each time). Both are measured in the same run, alternating,
and the median of several runs is compared.

    .venv/bin/python bench/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QTextEdit
app = QApplication(sys.argv)
w = QTextEdit()
w.setPlainText(open(sys.argv[1], encoding="utf-8").read())
w.resize(1360, 860)
w.show()
def ready():
    print(f"ready {time.perf_counter():.6f}", flush=True)
    w.close()
QTimer.singleShot(0, ready)
app.exec()
"""


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    end = time.perf_counter()
    if out.returncode != 0 or "ready" not in out.stdout:
        raise SystemExit(f"start failed: {cmd}\n{out.stdout}\n{out.stderr}")
    return end - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Both start from compiled bytecode, as any install does (pip and PyInstaller compile
    # .pyc files): a PYTHONDONTWRITEBYTECODE environment would otherwise make every start
    # of ours compile our sources again while PySide6 comes precompiled.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    import annotator

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(annotator.__file__).parent)],
        check=True,
    )
    sample = ROOT / "seeds" / "000_8780c45163dbb04d.txt"
    with tempfile.TemporaryDirectory() as tmp:
        env["ANNOTATOR_DATA_DIR"] = tmp
        env["ANNOTATOR_CONFIG_DIR"] = tmp
        env["ANNOTATOR_QUIT_WHEN_READY"] = "1"
        project = Path(tmp) / "default.annotator"
        subprocess.run(
            [sys.executable, "-m", "annotator", "import", str(project), str(sample)],
            env=env, check=True, capture_output=True,
        )
        ours_cmd = [sys.executable, "-m", "annotator"]
        bare_cmd = [sys.executable, "-c", BARE, str(sample)]
        timed(ours_cmd, env)  # warm the OS file cache for both
        timed(bare_cmd, env)
        ours, bare = [], []
        for _ in range(args.runs):
            bare.append(timed(bare_cmd, env))
            ours.append(timed(ours_cmd, env))
    o, b = statistics.median(ours), statistics.median(bare)
    ratio = o / b
    print(f"bare PySide6 QTextEdit window : {b * 1000:7.1f} ms (median of {args.runs})")
    print(f"Annotator main window         : {o * 1000:7.1f} ms (median of {args.runs})")
    print(f"ratio                         : {ratio:5.2f}x  (target <= 2.00x) {'ok' if ratio <= 2 else 'SLOW'}")


if __name__ == "__main__":
    main()
