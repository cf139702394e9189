"""Reading article files: decoding, normalisation, metadata, and the refusals."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.model import DocumentMeta, normalize_text
from annotator.io.articles import (
    MAX_ARTICLE_BYTES,
    document_id_for,
    html_to_article,
    load_article,
    read_article,
)
from annotator.resources import sample_article


def _error(path: Path) -> str:
    with pytest.raises(AnnotatorError) as info:
        read_article(path)
    message = str(info.value)
    assert path.name in message
    assert "\n" not in message
    return message


# ---- the sample and plain text ------------------------------------------------


def test_sample_seed_title_source_and_whole_text() -> None:
    path = sample_article()
    doc = read_article(path)
    assert doc.meta.title == "Trump reveals where ceasefire talks with Putin stand"
    assert doc.meta.source == "Mail Online"
    assert doc.text == normalize_text(path.read_text(encoding="utf-8"))
    assert doc.text.startswith("Trump reveals where ceasefire talks")  # headline kept
    assert doc.id == "000-8780c45163dbb04d"
    assert doc.status == "todo"


def test_sample_matches_fixture_text(tmp_path: Path, sample_text: str) -> None:
    copy = tmp_path / "ceasefire.txt"
    shutil.copyfile(sample_article(), copy)
    assert read_article(copy).text == sample_text


@pytest.mark.parametrize(
    ("byline", "source"),
    [
        ("by · Mail Online", "Mail Online"),
        ("by Jane Doe · The Guardian", "The Guardian"),
        ("By Jane Doe", None),
        ("BY JANE DOE", None),
    ],
)
def test_byline_gives_title_and_source(tmp_path: Path, byline: str, source: str | None) -> None:
    path = tmp_path / "a.txt"
    path.write_text(f"A headline\n\n{byline}\n\nBody text.\n", encoding="utf-8")
    doc = read_article(path)
    assert doc.meta.title == "A headline"
    assert doc.meta.source == source
    assert doc.text == f"A headline\n\n{byline}\n\nBody text.\n"


def test_byron_is_not_a_byline(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Title\n\nByron wrote poems.\n", encoding="utf-8")
    assert read_article(path).meta == DocumentMeta(title="Title")


def test_long_first_line_falls_back_to_stem(tmp_path: Path) -> None:
    path = tmp_path / "my-story.txt"
    path.write_text("x" * 300 + "\n\nmore\n", encoding="utf-8")
    doc = read_article(path)
    assert doc.meta.title == "my-story"
    assert doc.meta.source is None


def test_first_nonempty_short_line_is_title(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text("\n\n  Just a title  \nand text right after\n", encoding="utf-8")
    assert read_article(path).meta.title == "Just a title"


def test_crlf_and_lone_cr_normalised(tmp_path: Path) -> None:
    path = tmp_path / "w.txt"
    path.write_bytes(b"Title\r\n\r\nOne\rTwo\r\nThree\n")
    doc = read_article(path)
    assert doc.text == "Title\n\nOne\nTwo\nThree\n"
    assert doc.meta.title == "Title"


def test_nothing_else_is_normalised(tmp_path: Path) -> None:
    text = "Caf\u0065\u0301 \u00a0no-break\u2028sep \u200fRTL \u05e9\u05dc\u05d5\u05dd \U0001f600\ttab\n"
    path = tmp_path / "u.txt"
    path.write_bytes(("\ufeff" + text).encode("utf-8"))
    assert read_article(path).text == text


# ---- encodings -----------------------------------------------------------------------


def test_cp1252_detected(tmp_path: Path) -> None:
    text = (
        "Caf\u00e9 soci\u00e9t\u00e9: \u201cna\u00efve\u201d r\u00e9sum\u00e9 \u2014 5 \u20ac.\n"
        * 3
    )
    path = tmp_path / "old.txt"
    path.write_bytes(text.encode("cp1252"))
    loaded = load_article(path)
    assert loaded.document.text == text
    assert loaded.encoding == "cp1252"


def test_cp1252_smart_quotes_only(tmp_path: Path) -> None:
    text = "He said \u201cthe deal is done\u201d \u2014 and that\u2019s final.\n"
    path = tmp_path / "q.txt"
    path.write_bytes(text.encode("cp1252"))
    assert read_article(path).text == text


def test_latin1_western_text(tmp_path: Path) -> None:
    text = "Le gar\u00e7on a mang\u00e9 \u00e0 l'h\u00f4tel. D\u00e9j\u00e0 vu.\n"
    path = tmp_path / "l.txt"
    path.write_bytes(text.encode("latin-1"))
    assert read_article(path).text == text


def test_cyrillic_cp1251_detected(tmp_path: Path) -> None:
    text = "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430? " * 4
    path = tmp_path / "ru.txt"
    path.write_bytes(text.encode("cp1251"))
    assert read_article(path).text == text


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path: Path, codec: str) -> None:
    text = "Title\r\n\r\nGr\u00fc\u00dfe \U0001f600 \u05e9\u05dc\u05d5\u05dd\r\n"
    path = tmp_path / "wide.txt"
    bom = {"utf-16-be": b"\xfe\xff"}.get(codec, b"")
    path.write_bytes(bom + text.encode(codec))
    doc = read_article(path)
    assert doc.text == normalize_text(text)
    assert not doc.text.startswith("\ufeff")


def test_utf8_bom_dropped(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_bytes(b"\xef\xbb\xbfHello\n")
    assert read_article(path).text == "Hello\n"


def test_mostly_utf8_with_bad_bytes_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes("caf\u00e9 na\u00efve \u00fcber ".encode() * 10 + b"\xff\xfe\xfa")
    assert "UTF-8" in _error(path)


# ---- refusals ---------------------------------------------------------------------------


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary" in _error(path)


def test_control_bytes_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "ctl.txt"
    path.write_bytes(bytes(b % 31 + 1 for b in range(3000)))
    assert "binary" in _error(path)


def test_undeterminable_encoding(tmp_path: Path) -> None:
    path = tmp_path / "mystery.txt"
    # bytes cp1252 leaves undefined, in a pattern no encoding reads as text
    path.write_bytes(bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xFF, 0xFE, 0x80] * 40))
    message = _error(path)
    assert "not UTF-8" in message
    assert "UTF-8" in message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in _error(path)


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_bytes(b" \r\n\t\n  \n")
    assert "empty" in _error(path)


def test_directory(tmp_path: Path) -> None:
    path = tmp_path / "folder.txt"
    path.mkdir()
    assert "folder" in _error(path)


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "nope.txt")


def test_too_large_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(MAX_ARTICLE_BYTES + 1)  # sparse: costs no disk
    message = _error(path)
    assert "too large" in message
    assert str(MAX_ARTICLE_BYTES + 1) in message
    assert "20 MB" in message


def test_file_at_the_limit_is_not_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    line = b"All work and no play makes Jack a dull boy.\n"
    path.write_bytes(line * (MAX_ARTICLE_BYTES // len(line)))
    assert read_article(path).text.startswith("All work")


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"%PDF-1.4")
    message = _error(path)
    assert "unsupported" in message
    assert ".pdf" in message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("hidden\n", encoding="utf-8")
    path.chmod(0)
    try:
        assert "permission" in _error(path)
    finally:
        path.chmod(0o644)


# ---- markdown ---------------------------------------------------------------------------


def test_markdown_heading_title_text_kept(tmp_path: Path) -> None:
    source = "# Ceasefire talks ##\r\n\r\nSome *markdown* text.\r\n"
    path = tmp_path / "story.md"
    path.write_bytes(source.encode())
    doc = read_article(path)
    assert doc.meta.title == "Ceasefire talks"
    assert doc.text == normalize_text(source)


def test_markdown_without_heading(tmp_path: Path) -> None:
    path = tmp_path / "note.markdown"
    path.write_text("Plain first line\n\nbody\n", encoding="utf-8")
    assert read_article(path).meta.title == "Plain first line"


# ---- HTML -------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Page title | Site</title>
<meta property="og:title" content="OG &amp; title">
<meta property="og:site_name" content="Daily Example">
<meta property="og:url" content="https://example.com/og">
<link rel="canonical" href="https://example.com/story">
<meta property="article:published_time" content="2025-03-14T09:00:00Z">
<style>body { color: red }</style>
<script>var x = "<p>not text</p>";</script>
</head>
<body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article>
  <h1>Headline   here</h1>
  <p>First &amp; foremost,   the    <b>bold</b> claim&nbsp;stands.</p>
  <p>Second<br>line after a break</p>
  <script>alert("no")</script>
  <ul><li>one</li><li>two</li></ul>
  <blockquote>&ldquo;Quoted&rdquo; &#8212; &#x1F600;</blockquote>
</article>
<aside><article><p>Related: tiny</p></article></aside>
<footer>Copyright</footer>
</body></html>
"""


def test_html_main_text_by_trafilatura_with_page_metadata(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = read_article(path)
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[0] == "Headline here"
    assert "First & foremost, the bold claim stands." in paragraphs  # trafilatura: NBSP -> space
    assert "\u201cQuoted\u201d \u2014 \U0001f600" in paragraphs
    for boilerplate in ("Home", "Copyright", "not text", "alert", "Related: tiny"):
        assert boilerplate not in doc.text
    assert doc.meta.title == "OG & title"  # the page's own tags win over trafilatura's guesses
    assert doc.meta.source == "Daily Example"
    assert doc.meta.url == "https://example.com/story"
    assert doc.meta.published == "2025-03-14T09:00:00Z"


def test_html_falls_back_to_the_stdlib_reduction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import annotator.io.articles as articles

    monkeypatch.setattr(articles, "_trafilatura", lambda html: None)  # finds nothing
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = read_article(path)
    assert doc.text == (
        "Headline here\n\n"
        "First & foremost, the bold claim\u00a0stands.\n\n"
        "Second\n\nline after a break\n\n"
        "one\n\ntwo\n\n"
        "\u201cQuoted\u201d \u2014 \U0001f600"
    )
    assert doc.meta.title == "OG & title"
    assert doc.meta.source == "Daily Example"
    assert doc.meta.url == "https://example.com/story"
    assert doc.meta.published == "2025-03-14T09:00:00Z"


def test_html_without_article_title_from_title_tag() -> None:
    html = (
        "<html><head><title> The   title </title><noscript>enable js</noscript></head>"
        "<body><div>One</div><div>Two <span>joined</span></div>"
        '<time datetime="2024-01-02">Jan 2</time><template><p>x</p></template></body></html>'
    )
    text, meta = html_to_article(html)
    assert text == "One\n\nTwo joined\n\nJan 2"
    assert meta.title == "The title"
    assert meta.published == "2024-01-02"
    assert meta.source is None


def test_html_main_preferred_and_h1_title() -> None:
    html = "<body><header>Menu</header><main><h1>Big news</h1><p>Body</p></main><p>x</p></body>"
    text, meta = html_to_article(html)
    assert text == "Big news\n\nBody"
    assert meta.title == "Big news"


def test_html_og_url_when_no_canonical() -> None:
    _, meta = html_to_article('<meta property="og:url" content="https://e.com/a"><p>t</p>')
    assert meta.url == "https://e.com/a"


def test_html_declared_charset(tmp_path: Path) -> None:
    html = '<html><head><meta charset="windows-1252"></head><body><p>Caf\u00e9 \u201cok\u201d</p></body></html>'
    path = tmp_path / "old.htm"
    path.write_bytes(html.encode("cp1252"))
    assert read_article(path).text == "Caf\u00e9 \u201cok\u201d"


def test_html_without_text(tmp_path: Path) -> None:
    path = tmp_path / "script-only.html"
    path.write_text("<html><script>x()</script></html>", encoding="utf-8")
    assert "no readable text" in _error(path)


# ---- ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ceasefire Talks.txt", "ceasefire-talks"),
        ("000_8780c45163dbb04d.txt", "000-8780c45163dbb04d"),
        ("Caf\u00e9 \u00e9t\u00e9!!.md", "cafe-ete"),
        ("\u05e9\u05dc\u05d5\u05dd.txt", "document"),
        ("___.html", "document"),
        ("a" * 100 + ".txt", "a" * 60),
        ("x" * 59 + "-yyy.txt", "x" * 59),
    ],
)
def test_document_id_for(name: str, expected: str) -> None:
    assert document_id_for(Path(name)) == expected


BYLINE_PAGE = """<!doctype html><html><head><title>Talks resume</title>
<meta name="author" content="Jane Doe">
<meta property="article:author" content="https://www.facebook.com/janedoe">
</head><body><article><h1>Talks resume</h1>
<p>Negotiators met in Moscow on Thursday, officials confirmed, and said the talks would go on.</p>
<p>The minister said the ceasefire talks would resume next week, after a pause of several days.</p>
</article></body></html>
"""


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta name="author" content="Jane Doe">', "Jane Doe"),  # the page's own tag
        ('<meta property="article:author" content="https://www.facebook.com/janedoe">', None),  # a link
        ('<meta property="article:author" content="Sam Lee">', "Sam Lee"),
    ],
)
def test_html_byline_from_the_page_tags(tmp_path: Path, head: str, expected: str | None) -> None:
    page = BYLINE_PAGE.replace('<meta name="author" content="Jane Doe">\n', "").replace(
        '<meta property="article:author" content="https://www.facebook.com/janedoe">\n', ""
    ).replace("</title>", "</title>" + head)
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    assert read_article(path).meta.author == expected


def test_html_byline_found_in_the_text_by_trafilatura(tmp_path: Path) -> None:
    page = BYLINE_PAGE.replace('<meta name="author" content="Jane Doe">\n', "").replace(
        "<h1>Talks resume</h1>", '<h1>Talks resume</h1><p class="byline">By John Smith</p>'
    )
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    assert read_article(path).meta.author == "John Smith"


def test_the_byline_is_stored_and_exported(tmp_path: Path) -> None:
    import csv
    import json

    from annotator.io.export import export_project
    from annotator.io.importer import import_paths
    from annotator.resources import default_scheme
    from annotator.store import open_project

    path = tmp_path / "page.html"
    path.write_text(BYLINE_PAGE, encoding="utf-8")
    with open_project(tmp_path / "p.annotator", create=True, owner="alice", scheme=default_scheme()) as p:
        import_paths(p, [path])
    with open_project(tmp_path / "p.annotator") as p:
        (doc_id,) = p.document_ids()
        assert p.document(doc_id).meta.author == "Jane Doe"
        export_project(p, "jsonl", tmp_path / "out.jsonl")
        export_project(p, "documents-csv", tmp_path / "docs.csv")
    line = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert line["meta"]["author"] == "Jane Doe"
    with open(tmp_path / "docs.csv", encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["author"] == "Jane Doe"
