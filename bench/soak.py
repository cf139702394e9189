"""The long safety runs: hundreds of kills, thousands of hostile and fuzzed files. Prints counts.

The same checks as ``tests/safety`` (which run short variants in CI), run long:

    .venv/bin/python bench/soak.py                  # everything (several minutes)
    .venv/bin/python bench/soak.py --only kill,fuzz --kills 500 --fuzz 20000 --seed 7

Exit status 1 if any promise was broken; the evidence is printed. Not part of
``make bench`` (its name does not start with ``bench_``): run it before a release.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "safety"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import corpus  # noqa: E402
import safety_harness as h  # noqa: E402

SECTIONS = ("kill", "window", "diskfull", "migration", "startup", "instances", "hostile",
            "fuzz", "offsets")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--kills", type=int, default=200, help="store kills (default 200)")
    parser.add_argument("--window-kills", type=int, default=25, help="window kills (default 25)")
    parser.add_argument("--migration-commits", type=int, default=300,
                        help="kills inside migration commits (plus every statement, 60 VM points)")
    parser.add_argument("--fuzz", type=int, default=5000, help="fuzz cases (default 5000)")
    parser.add_argument("--hostile-repeat", type=int, default=3)
    parser.add_argument("--offsets", type=int, default=1500, help="Hypothesis examples")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections of: {', '.join(SECTIONS)}")
    args = parser.parse_args()
    only = set(args.only.split(","))
    unknown = only - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    print(f"Safety soak, seed {args.seed} (rerun with --seed {args.seed})", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="annotator-soak-"))
    summary: list[str] = []
    broken: list[str] = []

    def section(name: str, title: str, run: Callable[[Path], str]) -> None:
        if name not in only:
            return
        print(f"\n== {title}", flush=True)
        started = time.monotonic()
        try:
            line = run(tmp / name)
        except AssertionError as e:
            broken.append(f"{title}: {e}")
            print(f"BROKEN: {e}", flush=True)
            summary.append(f"{title:<34} BROKEN")
            return
        except Exception:
            broken.append(f"{title}: {traceback.format_exc()}")
            print(traceback.format_exc(), flush=True)
            summary.append(f"{title:<34} ERROR")
            return
        seconds = time.monotonic() - started
        print(f"{line}  [{seconds:.0f} s]", flush=True)
        summary.append(f"{title:<34} {line}")

    def kill(work: Path) -> str:
        r = h.kill_soak(work, args.kills, seed=args.seed, log=print)
        return (f"kills survived: {r.kills}, acknowledged actions verified: {r.actions_verified} "
                f"({dict(r.ops)}); in-flight action committed whole {r.in_flight_committed}x, "
                f"absent {r.in_flight_absent}x; hot journals rolled back: {r.hot_journals}; "
                f"killed while starting: {r.killed_before_ready}; integrity_check ok every time")

    def window(work: Path) -> str:
        r = h.gui_kill(work, args.window_kills, seed=args.seed, log=print)
        return f"window kills survived: {r.kills}, shown spans found on disk: {r.spans_verified}"

    def diskfull(work: Path) -> str:
        r = h.disk_full_store(work / "store")
        r = h.disk_full_window(work / "window", r)
        return (f"writes refused at the size limit: {r.refused_writes} (each an AnnotatorError, "
                f"nothing shown as done), earlier actions intact: {r.acknowledged_before}, "
                f"saved again with room: {r.recovered}")

    def migration(work: Path) -> str:
        r = h.migration_kill(work, seed=args.seed, statements=None, vm_points=60,
                             commit_points=args.migration_commits, log=print)
        return (f"migration kills: {r.rounds} ({r.killed} killed mid-way, {r.completed} after it "
                f"finished; every one of {r.statements} statements, 60 VM points, "
                f"{args.migration_commits} moments inside commits); versions found "
                f"{dict(sorted(r.versions.items()))}, each with exactly its schema; "
                f"hot journals: {r.hot_journals}, header already new: {r.header_ahead}; "
                f"open_project finished every one")

    def hostile(work: Path) -> str:
        work.mkdir(parents=True)
        _base, made = corpus.build(work / "corpus",
                                   [c.name for c in corpus.cases() if not c.unprivileged])
        public = Path(tempfile.mkdtemp(prefix="annotator-soak-public-"))
        public.chmod(0o755)
        try:
            _, restricted = corpus.build(public, [c.name for c in corpus.cases() if c.unprivileged])
            r = h.run_hostile(made + restricted, work, repeat=args.hostile_repeat)
        finally:
            for entry in public.iterdir():
                if not entry.is_symlink():
                    entry.chmod(0o700)
            shutil.rmtree(public, ignore_errors=True)
        if r.failures:
            raise AssertionError("\n\n".join(r.failures))
        files = len(made) + len(restricted)
        return (f"hostile files: {files} ({r.checks} checks over {args.hostile_repeat} rounds); "
                f"refused by open_project {r.refused['own']}, by open_received "
                f"{r.refused['received']}; opened safely {dict(r.opened)} (of which a bad "
                f"document refused on reading {r.bad_read}); nothing ran, nothing written; "
                f"slowest {r.slowest:.2f} s")

    def startup(work: Path) -> str:
        work.mkdir(parents=True)
        base, made = corpus.build(work / "corpus", [c.name for c in corpus.cases()
                                                    if not c.unprivileged])
        r = h.run_startup(made, base, work)
        if r.failures:
            raise AssertionError("\n\n".join(r.failures))
        gaps = len(r.window_refusals) + len(r.escaped)
        return (f"start-up on {r.files} files: damaged kept aside and backup restored "
                f"{r.kept_aside_and_restored}, refused untouched {r.refused_untouched}, opened "
                f"{r.opened}; window gaps (AnnotatorError not shown as a message): {gaps}")

    def instances(work: Path) -> str:
        r = h.second_instance(work / "pair", adds=50)
        r = h.lock_race(work / "race", racers=8, actions=60, seed=args.seed, report=r)
        return (f"second instance: refused (also via a symlink), view read {r.reads_by_the_view} "
                f"times, {r.writes_acknowledged} writes kept; race: {r.racers} instances, "
                f"{r.lock_turns} lock turns, {r.raced_actions} actions, none lost, never two "
                f"writers")

    def fuzz(work: Path) -> str:
        r = h.fuzz(work, args.fuzz, seed=args.seed, log=print)
        if r.failures:
            raise AssertionError("\n\n".join(r.failures[:20]))
        return (f"fuzz cases run: {r.cases} in {r.seconds:.0f} s (seed {args.seed}, base "
                f"{r.base_sha256[:12]}); open_project {dict(r.own)}; open_received "
                f"{dict(r.received)}; no crash, traceback or hang")

    def offsets(work: Path) -> str:
        env = {**os.environ, "SOAK_OFFSET_EXAMPLES": str(args.offsets)}
        out = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-m", "stress", "-p", "no:cacheprovider",
             str(ROOT / "tests" / "safety" / "test_widget_offsets.py")],
            capture_output=True, text=True, env=env, cwd=ROOT,
        )
        if out.returncode != 0:
            raise AssertionError(out.stdout[-6000:] + out.stderr[-2000:])
        return f"offset property through the widget: {args.offsets} examples, all exact"

    runs: dict[str, tuple[str, Callable[[Path], Any]]] = {
        "kill": ("1. kill soak (store)", kill),
        "window": ("2. kills through the window", window),
        "diskfull": ("3. disk full", diskfull),
        "migration": ("4. migrations killed halfway", migration),
        "hostile": ("7. hostile files", hostile),
        "startup": ("5. damaged project at start-up", startup),
        "instances": ("6. a second instance", instances),
        "fuzz": ("8. mutation fuzzer", fuzz),
        "offsets": ("9. text and offsets", offsets),
    }
    try:
        for name in SECTIONS:
            title, run = runs[name]
            section(name, title, run)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n== Summary (seed {args.seed})")
    for line in summary:
        print(line)
    if broken:
        print(f"\n{len(broken)} section(s) BROKEN", file=sys.stderr)
        return 1
    print("\nNothing lost, nothing executed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
