"""The command line: ``annotator [PATH...]`` opens the GUI; subcommands work headless.

Every subcommand calls the same core, store and io functions the GUI uses.
Errors are one line, ``annotator: error: ...`` on stderr, with a non-zero exit
status; never a traceback. Headless subcommands never import PySide6.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from annotator import __version__
from annotator.core.errors import AnnotatorError

PROG = "annotator"
SUBCOMMANDS = ("import", "export", "agree", "merge", "share", "stats", "suggest")

EPILOG = """\
commands:
  annotator                      open the GUI on your default project
  annotator PATH...              open a project file (.annotator), or import articles
                                 into the current project and open the GUI
  annotator import PROJECT FILE...   import articles or JSONL into PROJECT (created if missing)
  annotator export PROJECT --format FMT -o OUT     write PROJECT as a dataset (jsonl, csv,
                                                   quotes-csv, brat, spacy, inception...)
  annotator agree FILE FILE... [--json]            agreement between colleagues' files
  annotator merge FILE... -o OUT                   one project keeping every annotator apart
  annotator share PROJECT -o OUT                   a self-contained copy to send
  annotator stats PROJECT [--json]                 who is quoted, on which side
  annotator suggest PROJECT [--json] [--accept]    suggested quotes, speakers and cues

Run 'annotator COMMAND --help' for a command's options.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _gui_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Annotate quotes, speakers, claims and stance in news articles.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="project file to open, or article files to import into the current project",
    )
    return p


def _import_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=f"{PROG} import",
        description="Import articles (.txt, .md, .html, folders) or canonical JSONL into a project. "
        "Everything is checked first and written in one transaction: on any error nothing is imported.",
    )
    p.add_argument("project", metavar="PROJECT", help="project file (created if it does not exist)")
    p.add_argument("files", metavar="FILE", nargs="+", help="files or folders to import")
    p.add_argument("--annotator", metavar="NAME", help="record the annotations as NAME's")
    p.add_argument("--owner", metavar="NAME", help="owner name for a newly created project")
    return p


def _export_parser() -> argparse.ArgumentParser:
    from annotator.io.export import FORMATS

    formats = "\n".join(f"  {name:14} {spec.description}" for name, spec in FORMATS.items())
    p = _Parser(
        prog=f"{PROG} export",
        description="Write a project's documents and annotations as a dataset, with a dataset "
        "card beside it. Files are written atomically: an interrupted export leaves the old file.",
        epilog=f"formats:\n{formats}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("project", metavar="PROJECT", help="project file")
    p.add_argument("--format", "-f", required=True, choices=list(FORMATS), help="output format")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output file or folder")
    p.add_argument("--document", action="append", metavar="ID", help="only this document (repeatable)")
    p.add_argument(
        "--status", action="append", choices=["todo", "in_progress", "done"],
        help="only documents in this state (repeatable), e.g. --status done",
    )
    p.add_argument("--annotator", action="append", metavar="NAME", help="only NAME's annotations (repeatable)")
    p.add_argument("--label", action="append", metavar="LABEL", help="only spans of LABEL (repeatable)")
    p.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 byte-order mark (Excel)")
    p.add_argument(
        "--no-formula-guard", action="store_true",
        help="CSV: do not prefix cells starting with = + - @ tab CR with ' (formula injection guard)",
    )
    p.add_argument(
        "--alignment", choices=["expand", "contract", "strict"], default="expand",
        help="spaCy: how spans that do not fall on token boundaries are aligned (reported either way)",
    )
    return p


def _agree_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=f"{PROG} agree",
        description="Measure agreement between annotators across project files (opened read-only, "
        "never written). Documents are matched by the checksum of their text.",
    )
    p.add_argument("files", metavar="FILE", nargs="+", help="project files (.annotator)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    return p


def _merge_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=f"{PROG} merge",
        description="Combine project files into one new project that keeps every annotator's "
        "work apart (the same name in two files stays two annotators: 'alice', 'alice (2)').",
    )
    p.add_argument("files", metavar="FILE", nargs="+", help="project files to combine")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="new project file")
    return p


def _share_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=f"{PROG} share",
        description="Write a self-contained copy of a project for a colleague (VACUUM INTO: "
        "one file, no deleted data left inside).",
    )
    p.add_argument("project", metavar="PROJECT", help="project file")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="the copy to write")
    return p


def _stats_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=f"{PROG} stats",
        description="Most-quoted people and organisations, quotes per outlet, stance per target, "
        "claims, and progress by annotator: the numbers of the dashboard.",
    )
    p.add_argument("project", metavar="PROJECT", help="project file")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument("--annotator", metavar="NAME", help="count only NAME's annotations")
    return p


def _suggest_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=f"{PROG} suggest",
        description="Suggest quotes, cues and speakers (with SAID_BY links) for English news, "
        "offline. By default prints a summary and changes nothing; --json prints the suggestions "
        "as canonical JSONL records (one document per line); --accept adds them as annotations.",
    )
    p.add_argument("project", metavar="PROJECT", help="project file")
    p.add_argument("--json", action="store_true", help="print canonical JSONL records")
    p.add_argument("--accept", action="store_true", help="add the suggestions as annotations")
    p.add_argument("--document", action="append", metavar="ID", help="only this document (repeatable)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "import":
            return _cmd_import(_import_parser().parse_args(args[1:]))
        if args and args[0] == "export":
            return _cmd_export(_export_parser().parse_args(args[1:]))
        if args and args[0] == "agree":
            return _cmd_agree(_agree_parser().parse_args(args[1:]))
        if args and args[0] == "merge":
            return _cmd_merge(_merge_parser().parse_args(args[1:]))
        if args and args[0] == "suggest":
            return _cmd_suggest(_suggest_parser().parse_args(args[1:]))
        if args and args[0] == "stats":
            return _cmd_stats(_stats_parser().parse_args(args[1:]))
        if args and args[0] == "share":
            return _cmd_share(_share_parser().parse_args(args[1:]))
        ns = _gui_parser().parse_args(args)
        return _cmd_gui([Path(p) for p in ns.paths])
    except AnnotatorError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `annotator agree ... | head`: the reader left, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as e:  # a bug: one line for the user, the traceback only on request
        if os.environ.get("ANNOTATOR_DEBUG"):
            raise
        print(
            f"{PROG}: error: internal error ({type(e).__name__}: {e}); "
            "set ANNOTATOR_DEBUG=1 for details and please report it",
            file=sys.stderr,
        )
        return 70


def _cmd_import(ns: argparse.Namespace) -> int:
    from annotator.io.importer import import_paths
    from annotator.resources import default_scheme
    from annotator.store import open_project
    from annotator.store.lock import lock_path

    path = Path(ns.project)
    created = not path.exists()
    with open_project(path, create=True, owner=ns.owner, scheme=default_scheme()) as project:
        try:
            report = import_paths(project, [Path(f) for f in ns.files], annotator=ns.annotator)
        except BaseException:
            if created:  # nothing imported: no project left behind, nor its lock file
                project.close()
                path.unlink(missing_ok=True)
                lock_path(path).unlink(missing_ok=True)
            raise
    for line in report.summary():
        print(line)
    return 0


def _cmd_export(ns: argparse.Namespace) -> int:
    from annotator.io.context import CsvOptions
    from annotator.io.export import export_project
    from annotator.store import open_project

    with open_project(Path(ns.project), readonly=True) as project:  # exporting never writes
        report = export_project(
            project,
            ns.format,
            Path(ns.output),
            doc_ids=ns.document,
            statuses=ns.status,
            annotators=ns.annotator,
            labels=ns.label,
            csv_options=CsvOptions(guard_formulas=not ns.no_formula_guard, bom=ns.bom),
            alignment=ns.alignment,
        )
    for line in report.summary():
        print(line)
    return 0


def _cmd_agree(ns: argparse.Namespace) -> int:
    import json

    from annotator.io.review import agreement_report, format_table, load_files

    review = load_files([Path(f) for f in ns.files])
    for rejected in review.rejected:
        print(f"{PROG}: warning: {rejected.reason}", file=sys.stderr)
    if not review.files:
        raise AnnotatorError("no file could be read; nothing to compare")
    report = agreement_report(review)
    if ns.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, sort_keys=False))
    else:
        print(format_table(report))
    return 0


def _cmd_merge(ns: argparse.Namespace) -> int:
    from annotator.io.merge import merge_files

    report = merge_files([Path(f) for f in ns.files], Path(ns.output))
    for line in report.summary():
        print(line)
    return 0


def _cmd_share(ns: argparse.Namespace) -> int:
    from annotator.store import open_project
    from annotator.store.backup import share_copy

    with open_project(Path(ns.project), readonly=True) as project:
        out = share_copy(project, Path(ns.output))
    print(f"wrote {out}")
    return 0


def _cmd_stats(ns: argparse.Namespace) -> int:
    import json

    from annotator.core.stats import compute, format_stats
    from annotator.store import open_project
    from annotator.store.stats_queries import document_rows, quote_rows

    with open_project(Path(ns.project), readonly=True) as project:
        stats = compute(quote_rows(project, ns.annotator), document_rows(project))
    print(json.dumps(stats, ensure_ascii=False, indent=2) if ns.json else format_stats(stats))
    return 0


def _cmd_suggest(ns: argparse.Namespace) -> int:
    from annotator.core.commands import AcceptSuggestions
    from annotator.core.suggest import RuleSuggester
    from annotator.io.jsonl import dumps_record
    from annotator.store import open_project
    from annotator.store.project import Record

    suggester = RuleSuggester()
    with open_project(Path(ns.project), readonly=not ns.accept) as project:
        people = project.people()
        ids = ns.document or project.document_ids()
        total = 0
        for doc_id in ids:
            doc = project.document(doc_id)
            found = suggester.suggest(doc.text, people).without(project.spans(doc_id))
            if found.note:
                print(f"{PROG}: {doc_id}: {found.note}", file=sys.stderr)
            total += len(found.spans)
            if ns.json:
                record = Record(doc, f"suggester:{suggester.name}", tuple(found.spans), tuple(found.relations))
                print(dumps_record(record))
            if ns.accept and found.spans:
                with project.transaction():
                    project.execute(
                        AcceptSuggestions(
                            doc_id, found.spans, found.relations, f"suggested:{suggester.name}", project.owner
                        )
                    )
                    project.ensure_people(
                        str(s.attrs["person"]) for s in found.spans if s.attrs.get("person")
                    )
        if not ns.json:
            verb = "added" if ns.accept else "suggested (nothing changed; --accept adds them)"
            print(f"{total} annotation(s) {verb} in {len(ids)} document(s)")
    return 0


def _cmd_gui(paths: list[Path]) -> int:
    from annotator.app import run

    for path in paths:
        if not path.exists():
            raise AnnotatorError(f"{path}: no such file")
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and not os.environ.get("QT_QPA_PLATFORM")
    ):
        raise AnnotatorError(
            "no display to open the window on (DISPLAY is not set); run it on a desktop, "
            "or use a command such as 'annotator import' (see 'annotator --help')"
        )

    return run(paths)


if __name__ == "__main__":
    sys.exit(main())
