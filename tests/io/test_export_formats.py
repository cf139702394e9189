"""Every export format, each file checked by an independent reader; filters, cards, progress, atomicity."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from formats_support import check_brat_folder, jsonl_objects, make_project, utf16_slice

from annotator import __version__
from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, DocumentMeta, Person, Relation, Span
from annotator.io.context import CsvOptions
from annotator.io.export import FORMATS, ExportCancelled, export_project
from annotator.io.jsonl import read_jsonl
from annotator.store import Project
from annotator.store.project import Record

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "seeds" / "demo" / "ceasefire-talks.jsonl"

EMOJI_TEXT = "Peskov \U0001f600 said: \u00abCaf\u0065\u0301\u00a0ok\u00bb.\r\nThen \U0001f1fa\U0001f1f8 Trump said no."


def _emoji_records() -> list[Record]:
    text = EMOJI_TEXT
    q = text.index("Caf")
    s = text.index("Peskov")
    t = text.index("Trump")
    n = text.index("no.")
    spans = (
        Span("q1", q, q + 8, "QUOTE", {"stance": "favor", "kind": "direct", "target": "ceasefire"}),
        Span("s1", s, s + 6, "SPEAKER", {"person": "Dmitri Peskov"}),
        Span("v1", text.index("said"), text.index("said") + 4, "CUE"),
        Span("s2", t, t + 5, "SPEAKER", {"person": "Donald Trump"}),
        Span("c1", t, n + 2, "CLAIM", {"checkworthy": "yes"}, fragments=((t, t + 5), (n, n + 2))),
    )
    rels = (
        Relation("SAID_BY", "q1", "s1"),
        Relation("CUED_BY", "q1", "v1"),
        Relation("SAID_BY", "c1", "s2"),
    )
    doc = Document(
        "emoji-doc",
        text,
        DocumentMeta(title="=SUM(A1) \U0001f600", source="Outlet", url="https://e.com/x", published="2025-03-14"),
        status="done",
        labels={"stance": "favor", "topic": "war"},
    )
    bob = Record(doc, "bob", tuple(s.with_(annotator="bob") for s in spans),
                 tuple(Relation(r.label, r.head, r.child, "bob") for r in rels))  # fmt: skip
    carol_span = Span("q9", q, q + 4, "QUOTE", {"stance": "against"}, annotator="carol")
    carol = Record(doc, "carol", (carol_span,), ())
    empty = Record(Document("plain-doc", "Nobody annotated this one.", DocumentMeta(title="Plain")), "", (), ())
    return [bob, carol, empty]


@pytest.fixture
def rich(tmp_path: Path) -> Project:
    """The demo article (annotator 'demo'), an emoji document by bob and carol, an empty one."""
    project = make_project(tmp_path / "rich.annotator", [*read_jsonl(DEMO), *_emoji_records()])
    project.replace_person("Dmitri Peskov", Person("Dmitri Peskov", "spokesman", "Kremlin"))
    yield project
    project.close()


def _card(out: Path) -> str:
    card = out / "README.md" if out.is_dir() else out.with_name(out.name + ".card.md")
    return card.read_text(encoding="utf-8")


def _check_card(out: Path, files: dict[str, Path]) -> str:
    card = _card(out)
    assert card.startswith("<!-- annotator:dataset-card -->")
    assert f"Annotator {__version__}" in card
    assert "news-attribution" in card
    for name, path in files.items():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"| `{name}` | {path.stat().st_size} | `{digest}` |" in card
    return card


# ---- jsonl ---------------------------------------------------------------------------------


def test_jsonl_export_reads_back_and_has_a_card(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    report = export_project(rich, "jsonl", out)
    assert (report.documents, report.records) == (3, 4)
    records = list(read_jsonl(out))
    assert [(r.document.id, r.annotator) for r in records] == [
        ("ceasefire-talks", "demo"), ("emoji-doc", "bob"), ("emoji-doc", "carol"), ("plain-doc", "alice"),
    ]  # fmt: skip
    card = _check_card(out, {"all.jsonl": out})
    assert "| label | bob | carol | demo | total |" in card
    assert "| QUOTE | 1 | 1 | 27 | 29 |" in card
    assert report.card == out.with_name("all.jsonl.card.md")


def test_raw_jsonl_writer_matches_the_record_writer(rich: Project, tmp_path: Path) -> None:
    from annotator.io.jsonl import write_jsonl

    fast, slow = tmp_path / "fast.jsonl", tmp_path / "slow.jsonl"
    export_project(rich, "jsonl", fast)
    write_jsonl(rich.records(), slow)
    assert fast.read_bytes() == slow.read_bytes()


# ---- filters ------------------------------------------------------------------------------------


def test_filters_by_status_annotator_and_label(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "f.jsonl"
    report = export_project(rich, "jsonl", out, statuses=["done"], annotators=["bob"], labels=["QUOTE", "SPEAKER"])
    records = list(read_jsonl(out))
    assert [(r.document.id, r.annotator) for r in records] == [("emoji-doc", "bob")]
    (rec,) = records
    assert {s.label for s in rec.spans} == {"QUOTE", "SPEAKER"}
    assert {(r.label, r.head, r.child) for r in rec.relations} == {("SAID_BY", "q1", "s1")}
    assert report.spans == 3
    card = _card(out)
    assert "statuses: done" in card and "annotators: bob" in card and "labels: QUOTE, SPEAKER" in card


def test_label_filter_keeps_an_annotator_with_nothing_left(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "cues.jsonl"
    export_project(rich, "jsonl", out, doc_ids=["emoji-doc"], labels=["CUE"])
    records = list(read_jsonl(out))
    assert [(r.annotator, len(r.spans)) for r in records] == [("bob", 1), ("carol", 0)]


def test_doc_ids_keep_their_order_and_unknown_ids_fail(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    export_project(rich, "jsonl", out, doc_ids=["plain-doc", "ceasefire-talks"])
    assert [r.document.id for r in read_jsonl(out)] == ["plain-doc", "ceasefire-talks"]
    with pytest.raises(AnnotatorError, match="'nope'"):
        export_project(rich, "jsonl", tmp_path / "x.jsonl", doc_ids=["nope"])
    with pytest.raises(AnnotatorError, match="unknown status"):
        export_project(rich, "jsonl", tmp_path / "x.jsonl", statuses=["finished"])


# ---- progress, cancel, atomic replacement -------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_cancel_leaves_the_old_output(rich: Project, tmp_path: Path, fmt: str) -> None:
    if fmt == "spacy":
        pytest.importorskip("spacy")
    spec = FORMATS[fmt]
    out = tmp_path / f"out{spec.suffix}"
    export_project(rich, fmt, out)
    before = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file() and "annotator" not in p.suffix}
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done == 0  # cancel after the first report

    with pytest.raises(ExportCancelled, match="nothing was written"):
        export_project(rich, fmt, out, progress=progress)
    after = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file() and "annotator" not in p.suffix}
    assert after == before  # no temporary file left, nothing changed
    assert calls[0] == (0, 3)


def test_progress_reports_start_and_end(rich: Project, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    export_project(rich, "csv", tmp_path / "x.csv", progress=lambda d, t: calls.append((d, t)) or True)
    assert calls[0] == (0, 3) and calls[-1] == (3, 3)


def test_folder_output_never_replaces_a_foreign_folder(rich: Project, tmp_path: Path) -> None:
    mine = tmp_path / "my-files"
    mine.mkdir()
    (mine / "thesis.txt").write_text("precious", encoding="utf-8")
    with pytest.raises(AnnotatorError, match="not an earlier Annotator export"):
        export_project(rich, "brat", mine)
    assert (mine / "thesis.txt").read_text(encoding="utf-8") == "precious"
    out = tmp_path / "brat"
    export_project(rich, "brat", out)
    (out / "stale.ann").write_text("", encoding="utf-8")
    export_project(rich, "brat", out)  # an earlier export: replaced as a whole
    assert not (out / "stale.ann").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_file_formats_refuse_a_folder_and_the_project(rich: Project, tmp_path: Path) -> None:
    with pytest.raises(AnnotatorError, match="is a folder"):
        export_project(rich, "csv", tmp_path)
    with pytest.raises(AnnotatorError, match="project file itself"):
        export_project(rich, "csv", rich.path)


# ---- CSV -----------------------------------------------------------------------------------------


def _rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def test_spans_csv_columns_speakers_and_sentences(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "spans.csv"
    export_project(rich, "csv", out, doc_ids=["emoji-doc"], annotators=["bob"])
    rows = _rows(out)
    assert [r["span_id"] for r in rows] == ["s1", "v1", "q1", "s2", "c1"]  # by start, then insertion
    q1 = next(r for r in rows if r["span_id"] == "q1")
    start, end = int(q1["start"]), int(q1["end"])
    assert q1["text"] == EMOJI_TEXT[start:end] == "Caf\u0065\u0301\u00a0ok"
    assert (q1["attr_stance"], q1["attr_kind"], q1["attr_target"]) == ("favor", "direct", "ceasefire")
    assert (q1["speaker_person"], q1["speaker_mention"]) == ("Dmitri Peskov", "Peskov")
    assert q1["sentence"] == "Peskov \U0001f600 said: \u00abCaf\u0065\u0301\u00a0ok\u00bb."
    c1 = next(r for r in rows if r["span_id"] == "c1")
    assert c1["fragments"] == f"{EMOJI_TEXT.index('Trump')}-{EMOJI_TEXT.index('Trump') + 5};" \
        f"{EMOJI_TEXT.index('no.')}-{EMOJI_TEXT.index('no.') + 2}"
    assert c1["text"] == "Trump \u2026 no"
    assert c1["title"] == "'=SUM(A1) \U0001f600"  # neutralised
    assert set(rows[0]) >= {"doc_id", "title", "annotator", "label", "other_attrs", "sentence"}


def test_csv_formula_guard_off_and_bom(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "raw.csv"
    export_project(rich, "csv", out, doc_ids=["emoji-doc"], csv_options=CsvOptions(guard_formulas=False, bom=True))
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = _rows(out, encoding="utf-8-sig")
    assert rows[0]["title"] == "=SUM(A1) \U0001f600"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(1)", "\tx", "\rx"])
def test_every_formula_trigger_is_neutralised(tmp_path: Path, cell: str) -> None:
    doc = Document("d", f"{cell} is text", DocumentMeta(title=cell))
    project = make_project(tmp_path / "p.annotator", [Record(doc, "", (Span("t1", 0, 3, "QUOTE"),), ())])
    out = tmp_path / "x.csv"
    export_project(project, "csv", out)
    (row,) = _rows(out)
    assert row["title"] == "'" + cell
    assert row["start"] == "0"  # numbers are not text: left alone
    project.close()


def test_quotes_csv_one_row_per_attributed_quote(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "quotes.csv"
    export_project(rich, "quotes-csv", out)
    rows = _rows(out)
    demo = [r for r in rows if r["doc_id"] == "ceasefire-talks"]
    assert {r["label"] for r in demo} == {"QUOTE", "CLAIM"}
    assert all(r["person"] for r in rows)
    q1 = next(r for r in rows if r["doc_id"] == "emoji-doc" and r["span_id"] == "q1")
    assert (q1["person"], q1["role"], q1["organisation"], q1["mention"], q1["cue"]) == (
        "Dmitri Peskov", "spokesman", "Kremlin", "Peskov", "said",
    )  # fmt: skip
    assert (q1["outlet"], q1["date"], q1["stance"], q1["kind"]) == ("Outlet", "2025-03-14", "favor", "direct")
    assert not any(r["annotator"] == "carol" for r in rows)  # carol's quote has no speaker


def test_documents_csv(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "docs.csv"
    export_project(rich, "documents-csv", out)
    rows = {r["doc_id"]: r for r in _rows(out)}
    emoji = rows["emoji-doc"]
    assert emoji["checksum"] == hashlib.sha256(EMOJI_TEXT.encode()).hexdigest()
    assert (emoji["label_stance"], emoji["label_topic"], emoji["status"]) == ("favor", "war", "done")
    assert (emoji["spans"], emoji["count_QUOTE"], emoji["count_CLAIM"]) == ("6", "2", "1")
    assert emoji["annotators"] == "bob | carol"
    assert rows["plain-doc"]["spans"] == "0"


# ---- brat ------------------------------------------------------------------------------------------


def test_brat_files_follow_brats_rules(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    report = export_project(rich, "brat", out)
    parsed = check_brat_folder(out)
    assert set(parsed) == {"demo/ceasefire-talks.ann", "bob/emoji-doc.ann", "carol/emoji-doc.ann", "alice/plain-doc.ann"}
    bob = parsed["bob/emoji-doc.ann"]
    assert bob["text"] == EMOJI_TEXT  # \r\n kept
    lines = bob["lines"]
    assert any(line.endswith("\tstance T3 favor") or " favor" in line for line in lines if line.startswith("A"))
    assert any(line.startswith("R") and "SAID_BY Arg1:" in line for line in lines)
    (event,) = [e for e in bob["events"].values() if any(a.startswith("Cue:") for a in e)]
    assert event[0].startswith("Attribution:") and event[-1].startswith("Content:")
    labels = {label for label, _ in bob["t"].values()}
    assert labels == {"QUOTE", "SPEAKER", "CUE", "CLAIM", "Attribution"}
    claim = next(p for label, p in bob["t"].values() if label == "CLAIM")
    assert len(claim) == 2  # discontinuous: two stretches
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert "SAID_BY Arg1:QUOTE|CLAIM, Arg2:SPEAKER" in conf
    assert "Attribution Source*:SPEAKER, Cue*:CUE, Content:QUOTE|CLAIM" in conf
    assert "stance Arg:" in conf
    _check_card(out, {f: out / f for f in report.files})


def test_brat_offsets_are_code_points_of_the_txt(tmp_path: Path) -> None:
    text = "\U0001f600\U0001f600 Trump"
    doc = Document("e", text)
    project = make_project(tmp_path / "p.annotator", [Record(doc, "", (Span("s1", 3, 8, "SPEAKER"),), ())])
    out = tmp_path / "b"
    export_project(project, "brat", out)
    assert (out / "e.ann").read_text(encoding="utf-8").startswith("T1\tSPEAKER 3 8\tTrump\n")
    project.close()


def test_brat_splits_spans_at_line_breaks(tmp_path: Path) -> None:
    text = "First line\nsecond line"
    project = make_project(tmp_path / "p.annotator", [Record(Document("d", text), "", (Span("q1", 6, 17, "QUOTE"),), ())])
    out = tmp_path / "b"
    export_project(project, "brat", out)
    assert "T1\tQUOTE 6 10;11 17\tline second" in (out / "d.ann").read_text(encoding="utf-8")
    project.close()


# ---- Label Studio ---------------------------------------------------------------------------------


def test_label_studio_tasks_and_config(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "tasks.json"
    report = export_project(rich, "label-studio", out)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(tasks, list) and len(tasks) == 3
    emoji = next(t for t in tasks if t["data"]["doc_id"] == "emoji-doc")
    text = emoji["data"]["text"]
    assert emoji["meta"]["annotator"]["annotators"] == ["bob", "carol"]
    bob = emoji["annotations"][0]["result"]
    regions = [r for r in bob if r["type"] == "labels"]
    for r in regions:
        v = r["value"]
        assert text[v["start"] : v["end"]] == v["text"]  # code points, as Label Studio counts
        assert r["from_name"] == "label" and r["to_name"] == "text"
    assert {r["id"] for r in regions} == {"q1", "s1", "v1", "s2", "c1", "c1::2"}
    rel = [r for r in bob if r["type"] == "relation"]
    assert {"from_id": "q1", "to_id": "s1", "type": "relation", "direction": "right", "labels": ["SAID_BY"]} in rel
    choices = [r for r in bob if r["type"] == "choices" and r.get("from_name") == "stance"]
    assert choices[0]["value"]["choices"] == ["favor"] and choices[0]["id"] == "q1"
    person = [r for r in bob if r.get("from_name") == "person"]
    assert person[0]["type"] == "textarea" and person[0]["value"]["text"] == ["Dmitri Peskov"]
    config = ET.parse(tmp_path / "tasks.label-config.xml").getroot()
    assert config.tag == "View"
    labels = config.find("Labels")
    assert labels is not None and labels.get("name") == "label" and labels.get("toName") == "text"
    assert {lab.get("value") for lab in labels} >= {"QUOTE", "SPEAKER", "CUE", "CLAIM"}
    assert config.find("Text").get("value") == "$text"  # type: ignore[union-attr]
    assert {r.get("value") for r in config.find("Relations")} == {"SAID_BY", "CUED_BY"}  # type: ignore[union-attr]
    names = {el.get("name") for el in config.iter() if el.get("name")}
    assert {"stance", "person", "doc_stance", "doc_topic"} <= names
    assert report.files == ["tasks.json", "tasks.label-config.xml"]


# ---- doccano ------------------------------------------------------------------------------------------


def test_doccano_offsets_are_utf16(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "d.jsonl"
    report = export_project(rich, "doccano", out, doc_ids=["emoji-doc"])
    lines = jsonl_objects(out)
    assert [(line["doc_id"], line["annotator"]) for line in lines] == [("emoji-doc", "bob"), ("emoji-doc", "carol")]
    bob = lines[0]
    for e in bob["entities"]:
        assert set(e) == {"id", "label", "start_offset", "end_offset"}
    texts = {utf16_slice(bob["text"], e["start_offset"], e["end_offset"]) for e in bob["entities"]}
    assert {"Caf\u0065\u0301\u00a0ok", "Peskov", "said", "Trump", "no"} == texts
    ids = {e["id"] for e in bob["entities"]}
    assert all(r["from_id"] in ids and r["to_id"] in ids for r in bob["relations"])
    assert {r["type"] for r in bob["relations"]} == {"SAID_BY", "CUED_BY"}
    assert report.warnings and "discontinuous" in report.warnings[0]


# ---- INCEpTION ------------------------------------------------------------------------------------------


def test_inception_xmi_loads_with_cassis(rich: Project, tmp_path: Path) -> None:
    cassis = pytest.importorskip("cassis")
    out = tmp_path / "xmi"
    report = export_project(rich, "inception", out)
    assert "TypeSystem.xml" in report.files
    with open(out / "TypeSystem.xml", "rb") as f:
        ts = cassis.load_typesystem(f)
    with open(out / "emoji-doc" / "bob.xmi", "rb") as f:
        cas = cassis.load_cas_from_xmi(f, typesystem=ts)
    assert cas.sofa_string == EMOJI_TEXT
    quotes = list(cas.select("webanno.custom.QUOTE"))
    assert [(q.get_covered_text(), q.stance, q.spanId) for q in quotes] == [("Caf\u0065\u0301\u00a0ok", "favor", "q1")]
    claims = list(cas.select("webanno.custom.CLAIM"))
    assert sorted(c.get_covered_text() for c in claims) == ["Trump", "no"]
    assert {c.spanId for c in claims} == {"c1"}
    (said,) = [r for r in cas.select("webanno.custom.SAID_BY") if r.Governor.spanId == "q1"]
    assert said.Dependent.get_covered_text() == "Peskov"
    meta = next(iter(cas.select("de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData")))
    assert (meta.documentId, meta.documentTitle) == ("emoji-doc", "=SUM(A1) \U0001f600")
    # the file itself counts UTF-16 units: the quote starts after two emoji (two units each)
    raw = (out / "emoji-doc" / "bob.xmi").read_text(encoding="utf-8")
    start = EMOJI_TEXT.index("Caf")
    assert f'begin="{start + 1}"' in raw  # one astral character before it


def test_inception_zip_and_xml_invalid_documents(tmp_path: Path) -> None:
    pytest.importorskip("cassis")
    import zipfile

    docs = [
        Record(Document("ok", "Fine text"), "", (Span("t1", 0, 4, "QUOTE"),), ()),
        Record(Document("bad", "Vertical\x0btab"), "", (), ()),
    ]
    project = make_project(tmp_path / "p.annotator", docs)
    out = tmp_path / "corpus.zip"
    report = export_project(project, "inception", out)
    assert any("'bad'" in w and "U+000B" in w for w in report.warnings)
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
    assert names == {"ok/alice.xmi", "TypeSystem.xml", "README.md"}
    project.close()


# ---- spaCy ---------------------------------------------------------------------------------------------


def test_spacy_docbin_spans_cats_and_user_data(rich: Project, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = tmp_path / "corpus.spacy"
    report = export_project(rich, "spacy", out)
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert len(docs) == 4
    bob = next(d for d in docs if d.user_data["annotator"]["annotator"] == "bob")
    assert bob.text == EMOJI_TEXT
    texts = {(sp.label_, sp.text) for sp in bob.spans["sc"]}
    assert ("SPEAKER", "Peskov") in texts and ("CLAIM", "no") in texts
    assert bob.cats["stance=favor"] == 1.0 and bob.cats["stance=against"] == 0.0
    data = bob.user_data["annotator"]
    assert {r["label"] for r in data["relations"]} == {"SAID_BY", "CUED_BY"}
    q1 = next(s for s in data["spans"] if s["id"] == "q1")
    assert q1["attrs"]["stance"] == "favor"
    # carol's q9 "Cafe" stops before the combining accent, inside the token "Caf\u0065\u0301"
    start = EMOJI_TEXT.index("Caf")
    assert f"doc emoji-doc (carol) span q9 [{start},{start + 4}) does not align with tokens; expanded to [{start},{start + 5})" in report.warnings
    carol = next(d for d in docs if d.user_data["annotator"]["annotator"] == "carol")
    assert [sp.text for sp in carol.spans["sc"]] == ["Caf\u0065\u0301"]


def test_spacy_strict_alignment_leaves_out_and_reports(rich: Project, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = tmp_path / "strict.spacy"
    report = export_project(rich, "spacy", out, doc_ids=["emoji-doc"], alignment="strict")
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert "q9" not in {sp.id_ for sp in docs[1].spans["sc"]}
    assert any("left out of doc.spans" in w for w in report.warnings)


def test_spacy_missing_names_the_extra(rich: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_spacy(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "spacy" or name.startswith("spacy."):
            raise ImportError("No module named 'spacy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_spacy)
    out = tmp_path / "x.spacy"
    with pytest.raises(AnnotatorError, match=r"pip install 'annotator\[spacy\]'"):
        export_project(rich, "spacy", out)
    assert not out.exists()


def test_formats_registry_is_complete() -> None:
    assert set(FORMATS) == {
        "jsonl", "csv", "quotes-csv", "documents-csv", "brat", "label-studio", "doccano", "inception", "spacy",
    }  # fmt: skip
    for spec in FORMATS.values():
        assert spec.description and spec.offsets and spec.carries


def test_report_summary_and_int(rich: Project, tmp_path: Path) -> None:
    report = export_project(rich, "jsonl", tmp_path / "a.jsonl")
    assert int(report) == 4 and str(report) == "4"
    assert report.summary()[0].startswith("wrote 4 record(s): 3 document(s)")


def test_export_never_imports_qt(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from annotator.store import open_project\n"
        "from annotator.io.export import export_project\n"
        "from annotator.io.importer import import_paths\n"
        "from annotator.resources import default_scheme\n"
        f"p = open_project({str(tmp_path / 'q.annotator')!r}, create=True, scheme=default_scheme())\n"
        f"import_paths(p, [{str(DEMO)!r}])\n"
        "for fmt in ('jsonl', 'csv', 'brat', 'label-studio', 'doccano', 'inception'):\n"
        f"    export_project(p, fmt, {str(tmp_path)!r} + '/o-' + fmt)\n"
        "assert 'PySide6' not in sys.modules, 'PySide6 was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


_ = io
