"""Reading article files (.txt, .md/.markdown, .html/.htm, .docx) into ``Document``s.

This module owns decoding (UTF-8 first, UTF-16/32 with a byte-order mark, then
a confident charset_normalizer guess), the single text normalisation
(``normalize_text``: line endings to ``\\n``, BOM dropped), the small
heuristics that find a title and a source, and HTML: the main text is
extracted with trafilatura (boilerplate such as menus, related links and
footers left out), its metadata merged with what the stdlib reduction
(``html_to_article``) reads from the page's head; when trafilatura finds no
text (or is missing), ``html_to_article`` gives the text too. Word files go
through ``docx_reader`` (zip-bomb check first). Every problem is an
``AnnotatorError`` whose one-line message starts with the file name.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, DocumentMeta, normalize_text

#: Larger article files are refused (20 MiB).
MAX_ARTICLE_BYTES = 20 * 1024 * 1024
#: Extension -> kind of article file.
ARTICLE_SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
}
#: A title line must be shorter than this.
MAX_TITLE_CHARS = 200
#: Encodings accepted from charset_normalizer (never EBCDIC, DOS or BOM-less UTF-16/32).
_DETECTABLE = frozenset(
    {"cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258"}
    | {"latin_1", "iso8859_15"}
    | {f"iso8859_{n}" for n in range(2, 17) if n != 12}
    | {"koi8_r", "koi8_u", "cp874", "tis_620"}
    | {"cp932", "shift_jis", "euc_jp", "gb2312", "gbk", "gb18030", "big5", "euc_kr", "cp949"}
)
_MAX_CHAOS = 0.1
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Bytes never found in text (C0 controls other than tab, newlines, form feed, escape).
_CONTROL_BYTES = frozenset(range(0x01, 0x09)) | (frozenset(range(0x0E, 0x20)) - {0x1B})
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_BYLINE = re.compile(r"^by(?=[\s\u00b7:]|$)", re.IGNORECASE)
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_MD_HEADING = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_HTML_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)


@dataclass(frozen=True)
class LoadedArticle:
    """An article read from disk, with the encoding its bytes were decoded from."""

    document: Document
    encoding: str


# ---- public entry points ------------------------------------------------


def read_article(path: str | Path) -> Document:
    """Read one article file into a ``Document`` (id from the file name, status "todo")."""
    return load_article(path).document


def load_article(path: str | Path) -> LoadedArticle:
    """Like ``read_article``, also saying which encoding the file was in."""
    path = Path(path)
    name = str(path)
    kind = _kind_of(path)
    raw = _read_bytes(path)
    if kind == "docx":
        from annotator.io.docx_reader import read_docx

        text, meta = read_docx(raw, name, path.stem)
        if not text.strip():
            raise AnnotatorError(f"{name}: the Word document has no text")
        return LoadedArticle(Document(id=document_id_for(path), text=text, meta=meta), "docx")
    declared = _declared_charset(raw) if kind == "html" else None
    decoded, encoding = decode_article_bytes(raw, name, declared=declared)
    text = normalize_text(decoded)
    if kind == "html":
        text, meta = extract_html(text)
        if not text.strip():
            raise AnnotatorError(f"{name}: the HTML has no readable text")
    elif kind == "markdown":
        meta = markdown_meta(text, path.stem)
    else:
        meta = plain_text_meta(text, path.stem)
    if not text.strip():
        raise AnnotatorError(f"{name}: the file is empty (only whitespace)")
    return LoadedArticle(Document(id=document_id_for(path), text=text, meta=meta), encoding)


def document_id_for(path: str | Path) -> str:
    """A document id from the file stem: lowercase ``[a-z0-9-]``, at most 60 characters."""
    stem = Path(path).stem
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_JUNK.sub("-", ascii_stem.lower()).strip("-")[:60].rstrip("-")
    return slug or "document"


def is_article_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() in ARTICLE_SUFFIXES


# ---- reading and decoding ----------------------------------------------


def _kind_of(path: Path) -> str:
    name = str(path)
    if not path.exists():
        raise AnnotatorError(f"{name}: no such file")
    if path.is_dir():
        raise AnnotatorError(f"{name}: is a folder, not an article file")
    kind = ARTICLE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(ARTICLE_SUFFIXES)
        what = f"'{path.suffix}'" if path.suffix else "without an extension"
        raise AnnotatorError(f"{name}: unsupported file type {what} (supported: {supported})")
    return kind


def _read_bytes(path: Path) -> bytes:
    name = str(path)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise AnnotatorError(f"{name}: not a regular file")
        if st.st_size > MAX_ARTICLE_BYTES:
            raise AnnotatorError(f"{name}: {_too_large(st.st_size)}")
        with open(path, "rb") as f:
            raw = f.read(MAX_ARTICLE_BYTES + 1)
    except AnnotatorError:
        raise
    except FileNotFoundError:
        raise AnnotatorError(f"{name}: no such file") from None
    except PermissionError:
        raise AnnotatorError(f"{name}: cannot read the file (permission denied)") from None
    except OSError as e:
        raise AnnotatorError(f"{name}: cannot read the file ({e.strerror or e})") from None
    if len(raw) > MAX_ARTICLE_BYTES:  # grew while we looked
        raise AnnotatorError(f"{name}: {_too_large(len(raw))}")
    if not raw:
        raise AnnotatorError(f"{name}: the file is empty")
    return raw


def _too_large(size: int) -> str:
    limit_mb = MAX_ARTICLE_BYTES / (1024 * 1024)
    return (
        f"the file is too large ({size / (1024 * 1024):.1f} MB, {size} bytes; "
        f"the limit is {limit_mb:.0f} MB, {MAX_ARTICLE_BYTES} bytes)"
    )


def _declared_charset(raw: bytes) -> str | None:
    m = _HTML_CHARSET.search(raw[:4096])
    if not m:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def decode_article_bytes(raw: bytes, name: str, *, declared: str | None = None) -> tuple[str, str]:
    """Decode an article's bytes; return the text (BOM dropped) and the encoding used.

    UTF-8 (with or without BOM) first, then UTF-16/32 with a BOM, then the
    charset an HTML file declares, then a confident guess. Binary data and
    text in an encoding that cannot be determined are refused.
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return _decode_with_bom(raw, codec, name)
    if b"\x00" in raw:
        raise AnnotatorError(f"{name}: contains binary data (NUL bytes), not text")
    if len(raw.translate(None, _NOT_CONTROL)) > len(raw) // 100:
        raise AnnotatorError(f"{name}: contains binary data (control bytes), not text")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        _refuse_mixed_utf8(raw, e, name)
    if declared and declared not in ("utf-8", "utf-16", "utf-32"):
        try:
            return raw.decode(declared), declared
        except UnicodeDecodeError:
            pass
    guess = _guess_encoding(raw)
    if guess is None:
        raise AnnotatorError(
            f"{name}: not UTF-8, and its encoding could not be determined; "
            "save it as UTF-8 and import it again"
        )
    text, encoding = guess
    if "\x00" in text:
        raise AnnotatorError(f"{name}: contains binary data (NUL characters), not text")
    return text, encoding


def _decode_with_bom(raw: bytes, codec: str, name: str) -> tuple[str, str]:
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as e:
        label = codec.replace("-sig", "")
        raise AnnotatorError(
            f"{name}: starts with a {label.upper()} byte-order mark but is not valid {label.upper()} "
            f"(at byte {e.start})"
        ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise AnnotatorError(f"{name}: contains binary data (NUL characters), not text")
    return text, codec.replace("-sig", "")


def _refuse_mixed_utf8(raw: bytes, e: UnicodeDecodeError, name: str) -> None:
    """A file that is mostly valid UTF-8 with a few bad bytes is damaged, not another encoding."""
    lenient = raw.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    good = len(lenient) - len(lenient.encode("ascii", "ignore")) - bad
    if good > bad:
        raise AnnotatorError(
            f"{name}: mostly UTF-8 but with {bad} invalid byte(s) (first at byte {e.start}); "
            "repair the file or save it as UTF-8 again"
        )


def _cp1252_plausible(raw: bytes) -> str | None:
    """The cp1252 reading of ``raw`` if it decodes; Western text is almost always cp1252."""
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _guess_encoding(raw: bytes) -> tuple[str, str] | None:
    """A confident guess (text, encoding), preferring cp1252 whenever it is as good a reading."""
    from charset_normalizer import from_bytes  # imported lazily: only non-UTF-8 files need it

    western = _cp1252_plausible(raw)
    if western is not None and not any(m.group().isalpha() for m in _NON_ASCII.finditer(western)):
        # only punctuation outside ASCII (smart quotes, dashes, euro): Word-era English text
        return western, "cp1252"
    matches = [m for m in from_bytes(raw) if m.encoding in _DETECTABLE and m.chaos <= _MAX_CHAOS]
    if not matches:
        return (western, "cp1252") if western is not None else None
    best = matches[0]
    text = str(best)
    if western is not None:
        if text == western:
            return western, "cp1252"
        as_good = [
            m
            for m in matches
            if m.encoding in ("cp1252", "latin_1", "iso8859_15") and m.chaos <= best.chaos + 0.01
        ]
        if as_good and as_good[0].coherence >= best.coherence - 0.05:
            return western, "cp1252"
    return text, best.encoding


# ---- metadata of plain text and markdown ---------------------------------


def _short(line: str) -> bool:
    return 0 < len(line) < MAX_TITLE_CHARS


def plain_text_meta(text: str, stem: str) -> DocumentMeta:
    """Title (and source) of a plain-text article.

    ``Title``, a blank line, then a byline such as ``by · Mail Online`` or
    ``By Jane Doe`` gives the title and the source (what follows ``·``).
    Otherwise the title is the first non-empty line if short, else the file stem.
    """
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return DocumentMeta(title=stem)
    title = lines[first].strip()
    if _short(title) and len(lines) > first + 2 and not lines[first + 1].strip():
        byline = lines[first + 2].strip()
        if _short(byline) and _BYLINE.match(byline):
            _, dot, after = byline.partition("\u00b7")
            source = after.strip() if dot else ""
            return DocumentMeta(title=title, source=source or None)
    return DocumentMeta(title=title if _short(title) else stem)


def markdown_meta(text: str, stem: str) -> DocumentMeta:
    """Title of a markdown article: its leading ``# heading``, else as for plain text."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    m = _MD_HEADING.match(first)
    if m and _short(m.group(1).strip()):
        return DocumentMeta(title=m.group(1).strip())
    return plain_text_meta(text, stem)


# ---- HTML -----------------------------------------------------------------

_SKIP = frozenset(
    {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "canvas"}
)
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main",
        "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})  # fmt: skip
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def _collapse(s: str) -> str:
    """Collapse HTML white space only: a no-break space is text and stays."""
    return _HTML_SPACE.sub(" ", s).strip(" ")


class _Extractor(HTMLParser):
    """One pass over the HTML: paragraphs (with their <article>/<main>) and metadata."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip: list[str] = []
        self.buf: list[str] = []
        self.buf_pre = False
        self.pre = 0
        #: (text, index of the outermost <article>, index of the outermost <main>)
        self.paragraphs: list[tuple[str, int | None, int | None]] = []
        self.article_depth = self.main_depth = 0
        self.articles = self.mains = 0
        self.props: dict[str, str] = {}
        self.title: list[str] | None = None
        self.in_title = False
        self.h1: list[str] | None = None
        self.in_h1 = False
        self.canonical: str | None = None
        self.time: str | None = None

    # -- tags
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in ("meta", "link"):
            self._head_tag(tag, a)
            return
        if tag == "body" and "head" in self.skip:  # an unclosed <head>
            del self.skip[self.skip.index("head") :]
        if tag == "title" and self.title is None and "svg" not in self.skip:
            self.title, self.in_title = [], True
        if tag in _SKIP and tag not in _VOID:
            self.skip.append(tag)
            return
        if self.skip:
            return
        self._open(tag, a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in self.skip:
            del self.skip[len(self.skip) - 1 - self.skip[::-1].index(tag) :]
            return
        if self.skip:
            return
        if tag in _BLOCK:
            self._flush()
        if tag == "pre" and self.pre:
            self.pre -= 1
        if tag == "h1":
            self.in_h1 = False
        if tag == "article" and self.article_depth:
            self.article_depth -= 1
        if tag == "main" and self.main_depth:
            self.main_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.in_title and self.title is not None:
            self.title.append(data)
        if self.skip:
            return
        self.buf.append(data)
        if self.pre:
            self.buf_pre = True
        if self.in_h1 and self.h1 is not None:
            self.h1.append(data)

    # -- helpers
    def _open(self, tag: str, a: dict[str, str]) -> None:
        if tag in _BLOCK:
            self._flush()
        if tag in ("td", "th"):
            self.buf.append(" ")
        if tag == "article":
            self.articles += self.article_depth == 0
            self.article_depth += 1
        elif tag == "main":
            self.mains += self.main_depth == 0
            self.main_depth += 1
        elif tag == "pre":
            self.pre += 1
        elif tag == "h1" and self.h1 is None:
            self.h1, self.in_h1 = [], True
        elif tag == "time" and self.time is None and a.get("datetime", "").strip():
            self.time = a["datetime"].strip()

    def _head_tag(self, tag: str, a: dict[str, str]) -> None:
        if tag == "link":
            rels = a.get("rel", "").lower().split()
            if "canonical" in rels and a.get("href", "").strip() and self.canonical is None:
                self.canonical = a["href"].strip()
            return
        key = (a.get("property") or a.get("name") or "").strip().lower()
        content = _collapse(a.get("content", ""))
        if key and content and key not in self.props:
            self.props[key] = content

    def _flush(self) -> None:
        text = "".join(self.buf)
        text = text.strip("\n").rstrip() if self.buf_pre else _collapse(text)
        if text.strip():
            article = self.articles if self.article_depth else None
            main = self.mains if self.main_depth else None
            self.paragraphs.append((text, article, main))
        self.buf.clear()
        self.buf_pre = False

    # -- results
    def text(self) -> str:
        """The paragraphs of the largest <article>, else of the largest <main>, else all."""
        for container in (
            [(p[0], p[1]) for p in self.paragraphs],
            [(p[0], p[2]) for p in self.paragraphs],
        ):
            sizes: dict[int, int] = {}
            for text, idx in container:
                if idx is not None:
                    sizes[idx] = sizes.get(idx, 0) + len(text)
            if sizes:
                best = max(sizes, key=lambda i: (sizes[i], -i))
                return "\n\n".join(text for text, idx in container if idx == best)
        return "\n\n".join(p[0] for p in self.paragraphs)

    def meta(self) -> DocumentMeta:
        title = (
            self.props.get("og:title")
            or _collapse("".join(self.title or []))
            or _collapse("".join(self.h1 or []))
            or None
        )
        return DocumentMeta(
            title=title,
            source=self.props.get("og:site_name") or None,
            url=self.canonical or self.props.get("og:url") or None,
            published=self.props.get("article:published_time") or self.time or None,
            author=_byline(self.props.get("author")) or _byline(self.props.get("article:author")),
        )


def _byline(value: str | None) -> str | None:
    """A byline from a meta tag: a name, not a link to a profile page."""
    if not value or "://" in value or value.startswith("www."):
        return None
    return value

def extract_html(html: str) -> tuple[str, DocumentMeta]:
    """Main text and metadata of a page: trafilatura's text, else ``html_to_article``'s.

    Metadata: each field from the page's own tags when present (og:title,
    og:site_name, the canonical link, article:published_time, the author meta
    tag: exact, as the stdlib reduction reads them), else trafilatura's (title,
    site name, url, date, author). Paragraphs are separated by a blank line, as everywhere.
    Trafilatura normalises white space (a no-break space becomes a space).
    """
    text, meta = html_to_article(html)
    extracted = _trafilatura(html)
    if extracted is None:
        return text, meta
    body, t_meta = extracted
    merged = DocumentMeta(
        title=meta.title or t_meta.title,
        source=meta.source or t_meta.source,
        url=meta.url or t_meta.url,
        published=meta.published or t_meta.published,
        author=meta.author or _byline(t_meta.author),
    )
    return body, merged


def _trafilatura(html: str) -> tuple[str, DocumentMeta] | None:
    try:
        import trafilatura
    except ImportError:  # without it (or a broken install) the stdlib reduction serves
        return None
    try:
        found = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True, favor_recall=True
        )
    except Exception:  # a page trafilatura chokes on: fall back, never fail the import
        return None
    body = getattr(found, "text", None) if found is not None else None
    if not isinstance(body, str) or not body.strip():
        return None
    lines = [line.strip() for line in normalize_text(body).split("\n")]
    text = "\n\n".join(line for line in lines if line)

    def field(name: str) -> str | None:
        value = getattr(found, name, None)
        return value.strip() or None if isinstance(value, str) else None

    return text, DocumentMeta(
        title=field("title"),
        source=field("sitename"),
        url=field("url"),
        published=field("date"),
        author=field("author"),
    )


def html_to_article(html: str) -> tuple[str, DocumentMeta]:
    """Reduce an HTML page to readable text (paragraphs separated by a blank line) and metadata.

    Scripts, styles and the head are dropped; block elements end paragraphs;
    white space inside a paragraph is collapsed (no-break spaces kept);
    entities are decoded. When the page has an ``<article>`` (or ``<main>``),
    only the largest one is kept. Title: og:title, <title>, first <h1>; source:
    og:site_name; url: canonical link, og:url; published:
    article:published_time, first <time datetime>; author (the byline): the
    ``author`` meta tag, ``article:author`` unless it is a link.
    """
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.text(), parser.meta()
