"""Text out of uploaded documents (txt, md, html, pdf, docx), headings kept.

Every extractor turns bytes into `Block`s: headings (level 1-6) and paragraphs (level 0), in reading order;
`Extracted.sections()` groups paragraphs under their heading path ("Admissions > Deadlines"), which the chunker
keeps on every chunk. Anything that cannot give text (an unknown type, a broken or encrypted file, binary junk,
an empty file, a file over the size limit) raises `ExtractionError` with a reason a person can act on.

Memory stays bounded: the input is at most `max_bytes` (checked before anything is parsed), DOCX XML is parsed
incrementally with each element dropped once read, PDF pages are read one at a time, and extraction stops once
`max_chars` of text were collected (the result says it was truncated).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Literal
from xml.etree import ElementTree

Kind = Literal["txt", "md", "html", "pdf", "docx"]

EXTENSIONS: dict[str, Kind] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
CONTENT_TYPES: dict[str, Kind] = {
    "text/plain": "txt",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
MEDIA_TYPES: dict[Kind, str] = {
    "txt": "text/plain",
    "md": "text/markdown",
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
SUPPORTED = ".txt, .md, .html, .pdf and .docx"
# DOCX parts are compressed: refuse XML that would expand past this many bytes (zip bombs).
DOCX_MAX_XML_BYTES = 200 * 1024 * 1024


class ExtractionError(Exception):
    """The document gives no text; `reason` says why in words a person can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Block:
    text: str
    level: int = 0  # 0 = paragraph, 1..6 = heading level


@dataclass(frozen=True)
class Section:
    headings: tuple[str, ...]
    paragraphs: tuple[str, ...]

    @property
    def heading(self) -> str | None:
        return " > ".join(self.headings) or None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class Extracted:
    kind: Kind
    title: str | None
    blocks: list[Block] = field(default_factory=list)
    truncated: bool = False

    @property
    def chars(self) -> int:
        return sum(len(block.text) for block in self.blocks)

    def sections(self) -> list[Section]:
        """Paragraphs grouped under their heading path; headings with no text of their own are dropped."""
        sections: list[Section] = []
        stack: list[tuple[int, str]] = []
        paragraphs: list[str] = []

        def flush() -> None:
            if paragraphs:
                sections.append(Section(tuple(text for _, text in stack), tuple(paragraphs)))
                paragraphs.clear()

        for block in self.blocks:
            if block.level == 0:
                paragraphs.append(block.text)
                continue
            flush()
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.text))
        flush()
        return sections


def detect_kind(filename: str, content_type: str | None = None, head: bytes = b"") -> Kind:
    """The document type from its extension, else its content type, else its first bytes."""
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    media = (content_type or "").split(";")[0].strip().lower()
    if media in CONTENT_TYPES:
        return CONTENT_TYPES[media]
    if head.startswith(b"%PDF-"):
        return "pdf"
    described = f"'{suffix}'" if suffix else "without an extension"
    if media and media != "application/octet-stream":
        described += f" ({media})"
    raise ExtractionError(f"unsupported file type {described}: campusbot reads {SUPPORTED}")


def extract(
    data: bytes,
    filename: str,
    content_type: str | None = None,
    *,
    max_bytes: int = 20 * 1024 * 1024,
    max_chars: int = 2_000_000,
) -> Extracted:
    """Text and headings of one document; ExtractionError when it has none to give."""
    if len(data) > max_bytes:
        raise ExtractionError(f"file is {_size(len(data))}; the limit is {_size(max_bytes)}")
    if not data or data.isspace():
        raise ExtractionError("empty file: there is no text to index")
    kind = detect_kind(filename, content_type, data[:8])
    limit = _Limit(max_chars)
    if kind == "pdf":
        title, blocks = _pdf(data, limit)
    elif kind == "docx":
        title, blocks = _docx(data, limit)
    else:
        text = decode_text(data, kind)
        if kind == "html":
            title, blocks = _html(text, limit)
        elif kind == "md":
            title, blocks = _markdown(text, limit)
        else:
            title, blocks = None, list(limit.take(_text_blocks(list(_paragraphs(text)))))
    if not any(block.level == 0 for block in blocks):
        raise ExtractionError(_no_text_reason(kind))
    title = title or next((block.text for block in blocks if block.level == 1), None) or title_from_key(filename)
    return Extracted(kind=kind, title=_clean(title)[:300], blocks=blocks, truncated=limit.truncated)


def title_from_key(key: str) -> str:
    """A readable title from an S3 key: "guides/visa_notes-2026.pdf" → "Visa notes 2026"."""
    stem = PurePosixPath(key).stem or key
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    return (words[:1].upper() + words[1:]) if words else key


def decode_text(data: bytes, kind: str = "txt") -> str:
    """Bytes of a text document as str: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252.

    Binary content (NUL bytes, or many control characters) is refused instead of being indexed as garbage.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ExtractionError(f"not a valid UTF-16 {kind} file: {exc.reason}") from None
    sample = data[:8192]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    if b"\x00" in sample or controls > len(sample) * 0.02:
        raise ExtractionError(f"binary content, not a {kind} document (it contains control bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# ---------------------------------------------------------------------------------------------------------
# Plain text and Markdown


def _paragraphs(text: str) -> Iterator[str]:
    for part in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        cleaned = _clean(part, keep_newlines=True)
        if cleaned:
            yield cleaned


def _text_blocks(paragraphs: list[str]) -> Iterator[Block]:
    """Plain text has no markup; two conventions are read as headings when text follows them: a first line in
    capitals ("WORKING WHILE STUDYING", level 1) and a short line of its own ending in a colon (level 2)."""
    for index, paragraph in enumerate(paragraphs):
        followed = index + 1 < len(paragraphs)
        single = "\n" not in paragraph and len(paragraph) <= 80
        if followed and single and index == 0 and paragraph.isupper():
            yield Block(paragraph[:1] + paragraph[1:].lower(), 1)
        elif followed and single and paragraph.endswith(":") and len(paragraph) > 1:
            yield Block(paragraph[:-1].strip(), 2)
        else:
            yield Block(paragraph)


_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _markdown(text: str, limit: _Limit) -> tuple[str | None, list[Block]]:
    text = _COMMENT.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    title: str | None = None
    if lines and lines[0].strip() == "---":  # YAML front matter: keep its title, skip the rest
        for index in range(1, min(len(lines), 200)):
            if lines[index].strip() in ("---", "..."):
                for meta in lines[1:index]:
                    key, _, value = meta.partition(":")
                    if key.strip().lower() == "title" and value.strip():
                        title = value.strip().strip("\"'")
                lines = lines[index + 1 :]
                break

    def blocks() -> Iterator[Block]:
        paragraph: list[str] = []
        fenced = False

        def flush() -> Iterator[Block]:
            body = _clean(_md_inline("\n".join(paragraph)), keep_newlines=True)
            paragraph.clear()
            if body:
                yield Block(body)

        for index, line in enumerate(lines):
            if _FENCE.match(line):
                fenced = not fenced
                continue
            if fenced:
                paragraph.append(line)
                continue
            heading = _ATX.match(line)
            if heading:
                yield from flush()
                if heading.group(2).strip():
                    yield Block(_clean(_md_inline(heading.group(2))), len(heading.group(1)))
                continue
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if line.strip() and _SETEXT.match(following) and not _TABLE_RULE.match(line) and not paragraph:
                yield from flush()
                yield Block(_clean(_md_inline(line)), 1 if following.strip().startswith("=") else 2)
                continue
            if _SETEXT.match(line) and index > 0 and lines[index - 1].strip() and not paragraph:
                continue  # the underline of the setext heading just emitted
            if _TABLE_RULE.match(line):
                continue
            if not line.strip():
                yield from flush()
                continue
            paragraph.append(line)
        yield from flush()

    return title, list(limit.take(blocks()))


def _md_inline(text: str) -> str:
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    return _EMPHASIS.sub("", text)


# ---------------------------------------------------------------------------------------------------------
# HTML

_SKIP = {"script", "style", "noscript", "template", "svg", "nav", "iframe", "object", "canvas"}
_BLOCK = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre", "ul", "ol",
    "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "form", "figure", "figcaption", "address", "hr",
    "details", "summary", "body",
}  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _HtmlBlocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title: str | None = None
        self._buffer: list[str] = []
        self._skip = 0
        self._heading = 0
        self._in_title = False
        self._title: list[str] = []
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in _HEADINGS:
            self._flush()
            self._heading = _HEADINGS[tag]
        elif tag == "br":
            self._buffer.append("\n")
        elif tag in ("td", "th"):
            self._buffer.append(" | ")
        elif tag in _BLOCK:
            self._flush()
            if tag == "li":
                self._buffer.append("- ")
            elif tag == "pre":
                self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._buffer.append("\n")
        elif tag == "hr":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
            self.title = _clean("".join(self._title)) or None
        elif tag in _HEADINGS:
            self._flush()
            self._heading = 0
        elif tag in _BLOCK:
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self._title.append(data)
            return
        self._buffer.append(data if self._pre else re.sub(r"\s+", " ", data))

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        text = _clean("".join(self._buffer).strip(" |"), keep_newlines=True)
        self._buffer.clear()
        if not text:
            return
        if self._heading:
            self.blocks.append(Block(_clean(text), self._heading))
        else:
            self.blocks.append(Block(text))


def _html(text: str, limit: _Limit) -> tuple[str | None, list[Block]]:
    parser = _HtmlBlocks()
    for start in range(0, len(text), 65536):
        parser.feed(text[start : start + 65536])
        if sum(len(block.text) for block in parser.blocks) > limit.max_chars:
            break
    parser.close()
    return parser.title, list(limit.take(parser.blocks))


# ---------------------------------------------------------------------------------------------------------
# PDF (pypdf: pure Python, reads the outline for headings)


def _pdf(data: bytes, limit: _Limit) -> tuple[str | None, list[Block]]:
    if b"%PDF-" not in data[:1024]:
        raise ExtractionError("not a PDF file (no %PDF header)")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted PDF: upload a copy without a password")
        pages = len(reader.pages)
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError) as exc:
        raise ExtractionError(f"broken PDF: {_short(exc)}") from None
    if pages == 0:
        raise ExtractionError("broken PDF: it has no pages")
    outline = _pdf_outline(reader)
    title = _pdf_title(reader)

    def blocks() -> Iterator[Block]:
        failures = 0
        for number in range(pages):
            try:
                text = reader.pages[number].extract_text() or ""
            except Exception:  # one unreadable page (bad font, bad stream) should not lose the others
                failures += 1
                continue
            yield from _pdf_page_blocks(text, [(level, name) for page, level, name in outline if page == number])
        if failures == pages:
            raise ExtractionError("broken PDF: no page could be read")

    try:
        return title, list(limit.take(blocks()))
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise ExtractionError(f"broken PDF: {_short(exc)}") from None


def _pdf_outline(reader: object) -> list[tuple[int, int, str]]:
    """(page index, level, title) of every outline entry (bookmark), in order; [] when there is none."""
    from pypdf import PdfReader

    assert isinstance(reader, PdfReader)
    found: list[tuple[int, int, str]] = []

    def walk(items: Iterable[object], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)  # type: ignore[arg-type]
                title = _clean(str(getattr(item, "title", "") or ""))
            except Exception:  # a dangling bookmark: skip it
                continue
            if title and page is not None and page >= 0:
                found.append((page, min(level, 6), title))

    try:
        walk(reader.outline, 1)
    except Exception:  # a broken outline is not a broken document
        return []
    return found


def _pdf_title(reader: object) -> str | None:
    try:
        metadata = getattr(reader, "metadata", None)
        title = metadata.title if metadata is not None else None
    except Exception:  # broken info dictionary
        return None
    return _clean(str(title)) or None if title else None


def _pdf_page_blocks(text: str, headings: list[tuple[int, str]]) -> Iterator[Block]:
    """One page's paragraphs, split where the outline's headings for this page appear in its text."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    cursor = 0
    for level, name in headings:
        wanted = _fold(name)
        at = next((i for i in range(cursor, len(lines)) if _fold(lines[i]).startswith(wanted)), None)
        if at is None:  # the bookmark's words are not on the page: the heading starts where we are
            yield Block(name, level)
            continue
        yield from _pdf_paragraphs(lines[cursor:at])
        yield Block(name, level)
        rest = lines[at].strip()[len(name) :].strip() if _fold(lines[at]) != wanted else ""
        lines[at] = rest
        cursor = at if rest else at + 1
    yield from _pdf_paragraphs(lines[cursor:])


def _pdf_paragraphs(lines: list[str]) -> Iterator[Block]:
    joined = re.sub(r"([a-z])-\n([a-z])", r"\1\2", "\n".join(lines))  # words hyphenated across lines
    for paragraph in _paragraphs(joined):
        yield Block(paragraph)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


# ---------------------------------------------------------------------------------------------------------
# DOCX (the standard library: a ZIP of WordprocessingML parts, parsed incrementally)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def _docx(data: bytes, limit: _Limit) -> tuple[str | None, list[Block]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExtractionError("not a DOCX file (not a ZIP archive; legacy .doc is not supported)") from None
    with archive:
        names = set(archive.namelist())
        if "word/document.xml" not in names:
            raise ExtractionError("not a Word document (the archive has no word/document.xml)")
        for name in ("word/document.xml", "word/styles.xml", "docProps/core.xml"):
            if name in names and archive.getinfo(name).file_size > DOCX_MAX_XML_BYTES:
                raise ExtractionError(f"DOCX part {name} expands to {_size(archive.getinfo(name).file_size)}")
        try:
            styles = _docx_styles(archive.read("word/styles.xml")) if "word/styles.xml" in names else {}
            title = _docx_title(archive.read("docProps/core.xml")) if "docProps/core.xml" in names else None
            with archive.open("word/document.xml") as stream:
                blocks = list(limit.take(_docx_blocks(stream, styles)))
            if any(block.level == _DOCX_TITLE for block in blocks):  # the Title style sits above Heading 1
                blocks = [_docx_title_shift(block) for block in blocks]
        except ElementTree.ParseError as exc:
            raise ExtractionError(f"broken DOCX: invalid XML ({exc})") from None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:  # CRC errors, truncated members
            raise ExtractionError(f"broken DOCX: {_short(exc)}") from None
    return title, blocks


_DOCX_TITLE = 99  # marks paragraphs in the Title style until the levels are known


def _docx_title_shift(block: Block) -> Block:
    if block.level == _DOCX_TITLE:
        return Block(block.text, 1)
    return Block(block.text, min(block.level + 1, 6)) if block.level else block


def _docx_styles(xml: bytes) -> dict[str, int]:
    """styleId → heading level (1-6) for paragraph styles that are headings, following `basedOn`."""
    root = ElementTree.fromstring(xml)
    direct: dict[str, int] = {}
    based_on: dict[str, str] = {}
    for style in root.iter(f"{_W}style"):
        style_id = style.get(f"{_W}styleId") or ""
        name_el = style.find(f"{_W}name")
        name = (name_el.get(f"{_W}val") if name_el is not None else "") or ""
        level = _heading_level_from_name(name) or _heading_level_from_name(style_id)
        outline = style.find(f"{_W}pPr/{_W}outlineLvl")
        if level is None and outline is not None:
            value = outline.get(f"{_W}val", "9")
            if value.isdigit() and int(value) < 6:
                level = int(value) + 1
        if level is not None:
            direct[style_id] = level
        parent = style.find(f"{_W}basedOn")
        if parent is not None and parent.get(f"{_W}val"):
            based_on[style_id] = parent.get(f"{_W}val", "")
    levels = dict(direct)
    for style_id in based_on:
        seen, current = set(), style_id
        while current not in levels and current in based_on and current not in seen:
            seen.add(current)
            current = based_on[current]
        if current in levels and style_id not in levels:
            levels[style_id] = levels[current]
    return levels


def _heading_level_from_name(name: str) -> int | None:
    folded = name.strip().lower().replace(" ", "")
    if folded == "title":
        return _DOCX_TITLE
    match = re.fullmatch(r"heading([1-6])", folded)
    return int(match.group(1)) if match else None


def _docx_title(xml: bytes) -> str | None:
    element = ElementTree.fromstring(xml).find(_DC_TITLE)
    return _clean(element.text or "") or None if element is not None else None


def _docx_blocks(stream: io.BufferedIOBase | object, styles: dict[str, int]) -> Iterator[Block]:
    table_depth = 0
    row: list[str] = []
    cell: list[str] = []
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):  # type: ignore[arg-type]
        tag = element.tag
        if event == "start":
            if tag == f"{_W}tbl":
                table_depth += 1
            continue
        if tag == f"{_W}p":
            text, level, listed = _docx_paragraph(element, styles)
            element.clear()
            if not text:
                continue
            if table_depth:
                cell.append(text)
            elif level:
                yield Block(_clean(text), level)
            else:
                yield Block(("- " if listed else "") + text)
        elif tag == f"{_W}tc":
            row.append(" ".join(cell))
            cell.clear()
            element.clear()
        elif tag == f"{_W}tr":
            line = " | ".join(part for part in row if part)
            row.clear()
            element.clear()
            if line:
                yield Block(line)
        elif tag == f"{_W}tbl":
            table_depth = max(0, table_depth - 1)
            element.clear()
        elif tag == f"{_W}body":
            element.clear()


def _docx_paragraph(paragraph: ElementTree.Element, styles: dict[str, int]) -> tuple[str, int, bool]:
    parts: list[str] = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif node.tag == f"{_W}noBreakHyphen":
            parts.append("-")
    style = paragraph.find(f"{_W}pPr/{_W}pStyle")
    level = styles.get(style.get(f"{_W}val", "") if style is not None else "", 0)
    outline = paragraph.find(f"{_W}pPr/{_W}outlineLvl")
    if outline is not None and outline.get(f"{_W}val", "9").isdigit() and int(outline.get(f"{_W}val", "9")) < 6:
        level = int(outline.get(f"{_W}val", "9")) + 1
    listed = paragraph.find(f"{_W}pPr/{_W}numPr") is not None
    return _clean("".join(parts), keep_newlines=True), level, listed


# ---------------------------------------------------------------------------------------------------------
# Shared helpers


class _Limit:
    """Stops a block stream once `max_chars` of text went through; remembers that it cut."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.used = 0
        self.truncated = False

    def take(self, blocks: Iterable[Block]) -> Iterator[Block]:
        for block in blocks:
            room = self.max_chars - self.used
            if room <= 0:
                self.truncated = True
                return
            if len(block.text) > room:
                self.truncated = True
                yield Block(block.text[:room], block.level)
                self.used = self.max_chars
                return
            self.used += len(block.text)
            yield block


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _clean(text: str, *, keep_newlines: bool = False) -> str:
    text = _CONTROL.sub(" ", text.replace("\u00ad", ""))
    if keep_newlines:
        lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n"))
        return "\n".join(line for line in lines if line)
    return re.sub(r"\s+", " ", text).strip()


def _no_text_reason(kind: Kind) -> str:
    if kind == "pdf":
        return "no extractable text in this PDF (a scanned image? OCR is not supported)"
    return f"no text found in this {kind} document"


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."
