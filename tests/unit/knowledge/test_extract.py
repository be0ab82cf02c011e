"""Extraction: every supported format gives its text with the heading path; anything else a clear reason."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from tests.fixtures.documents import make_pdf

from campusbot.knowledge.extract import Block, ExtractionError, detect_kind, extract, title_from_key


def headings(data: bytes, name: str) -> list[tuple[str | None, str]]:
    return [(section.heading, section.text) for section in extract(data, name).sections()]


def test_markdown_keeps_heading_path_and_front_matter_title() -> None:
    text = (
        "---\ntitle: Aurora scholarship guide\nauthor: office\n---\n"
        "# Scholarships\n\nIntro paragraph with a [link](https://example.org) and **bold** text.\n\n"
        "## Deadlines\n\nApply by 14 February 2027.\n\n"
        "### Late applications\n\nNot accepted.\n\n"
        "## Amounts\n\n| Tier | EUR |\n|---|---|\n| Gold | 6000 |\n\n"
        "Setext heading\n==============\n\nBody under setext.\n"
    )
    extracted = extract(text.encode(), "guide.md")
    assert extracted.title == "Aurora scholarship guide"
    assert [(s.heading, s.text) for s in extracted.sections()] == [
        ("Scholarships", "Intro paragraph with a link and bold text."),
        ("Scholarships > Deadlines", "Apply by 14 February 2027."),
        ("Scholarships > Deadlines > Late applications", "Not accepted."),
        ("Scholarships > Amounts", "| Tier | EUR |\n| Gold | 6000 |"),
        ("Setext heading", "Body under setext."),
    ]


def test_markdown_code_fences_are_text_not_headings() -> None:
    text = "# Setup\n\n```\n# not a heading\nrun it\n```\n"
    assert headings(text.encode(), "setup.md") == [("Setup", "# not a heading\nrun it")]


def test_html_headings_paragraphs_lists_tables_and_no_scripts() -> None:
    page = """<!doctype html><html><head><title>Visa notes &amp; tips</title>
    <style>p { color: red }</style><script>var secret = "do not index";</script></head>
    <body><nav><a href="/">Home</a></nav>
    <h1>Student visa</h1><p>Book the appointment <b>early</b>.<br>Bring two photos.</p>
    <h2>Documents</h2><ul><li>Passport</li><li>Admission letter</li></ul>
    <table><tr><th>Fee</th><th>EUR</th></tr><tr><td>National visa</td><td>75</td></tr></table>
    <h2>Wait times</h2><div>About six weeks in autumn.</div></body></html>"""
    extracted = extract(page.encode(), "visa.html")
    assert extracted.title == "Visa notes & tips"
    assert [(s.heading, s.text) for s in extracted.sections()] == [
        ("Student visa", "Book the appointment early.\nBring two photos."),
        ("Student visa > Documents", "- Passport\n\n- Admission letter\n\nFee | EUR\n\nNational visa | 75"),
        ("Student visa > Wait times", "About six weeks in autumn."),
    ]
    assert "secret" not in " ".join(block.text for block in extracted.blocks)
    assert "Home" not in " ".join(block.text for block in extracted.blocks)


def test_pdf_outline_becomes_heading_path(sample_pdf: bytes) -> None:
    extracted = extract(sample_pdf, "scholarships.pdf")
    assert extracted.kind == "pdf"
    assert extracted.title == "Scholarship Guide 2027"
    assert headings(sample_pdf, "scholarships.pdf") == [
        ("Scholarship Guide", "The Aurora Merit Scholarship covers 60 percent of tuition for two years."),
        ("Scholarship Guide > Deadlines", "Applications close on 14 February 2027 at noon Central European Time."),
    ]


def test_pdf_over_several_pages_keeps_every_page() -> None:
    blocks = [(1, "Rules")] + [(0, f"Rule {n}: campusbot fact number {n} is kept.") for n in range(120)]
    extracted = extract(make_pdf(blocks), "rules.pdf")
    text = " ".join(block.text for block in extracted.blocks)
    assert "Rule 0:" in text and "Rule 119:" in text


def test_docx_heading_styles_lists_tables_and_core_title(sample_docx: bytes) -> None:
    extracted = extract(sample_docx, "handbook.docx")
    assert extracted.title == "Nordlicht Robotics intern handbook"
    assert [(s.heading, s.text) for s in extracted.sections()] == [
        (
            "Intern Handbook > Working hours",
            "Interns at Nordlicht Robotics work 32 hours a week. Fridays are for study.",
        ),
        (
            "Intern Handbook > Working hours > Remote days",
            "- Two remote days a week after the first month.\n\nBenefit | Amount\n\nMeal allowance | EUR 9 per day",
        ),
    ]


def test_plain_text_capital_first_line_and_colon_lines_are_headings() -> None:
    text = "WORKING WHILE STUDYING\n\nIntro line.\n\nMini-jobs:\n\nAt most 556 euros.\n\nNote: a colon inside.\n\nEnd:"
    assert headings(text.encode(), "work.txt") == [
        ("Working while studying", "Intro line."),
        ("Working while studying > Mini-jobs", "At most 556 euros.\n\nNote: a colon inside.\n\nEnd:"),
    ]
    assert extract(b"JUST A SHOUT", "shout.txt").blocks == [Block("JUST A SHOUT")]  # nothing follows: text


def test_plain_text_encodings() -> None:
    assert extract("Café fees: 5 €".encode("cp1252"), "notes.txt").blocks[0].text == "Café fees: 5 €"
    assert extract("\ufeffMünchen".encode(), "notes.txt").blocks[0].text == "München"
    assert extract("Zürich".encode("utf-16"), "notes.txt").blocks[0].text == "Zürich"


def test_title_falls_back_to_the_key() -> None:
    assert extract(b"just text", "guides/visa_notes-2026.txt").title == "Visa notes 2026"
    assert title_from_key("a/b/c.pdf") == "C"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\t\n", "empty file"),
        ("photo.png", b"\x89PNG\r\n\x1a\n....", "unsupported file type '.png'"),
        ("archive", b"PK\x03\x04 stuff", "unsupported file type without an extension"),
        ("junk.txt", os.urandom(4096) + b"\x00", "binary content"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", "broken PDF"),
        ("fake.pdf", b"hello, I am not a pdf", "not a PDF"),
        ("fake.docx", b"plain text pretending", "not a DOCX"),
        ("legacy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "not a DOCX"),
        ("headings-only.md", b"# One\n## Two\n", "no text found"),
    ],
)
def test_refusals_say_why(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(ExtractionError) as error:
        extract(data, name)
    assert reason in error.value.reason


def test_docx_without_document_part() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ExtractionError, match=r"no word/document\.xml"):
        extract(buffer.getvalue(), "odd.docx")


def test_truncated_docx_is_broken(sample_docx: bytes) -> None:
    with pytest.raises(ExtractionError, match="DOCX"):
        extract(sample_docx[: len(sample_docx) // 2], "cut.docx")


def test_pdf_without_text_is_explained() -> None:
    # a valid PDF whose only page draws nothing
    with pytest.raises(ExtractionError, match="no extractable text"):
        extract(make_pdf([(0, "")], outline=False), "scan.pdf")


def test_size_limit_is_checked_first() -> None:
    with pytest.raises(ExtractionError, match=r"file is 2\.0 KB; the limit is 1\.0 KB"):
        extract(b"a" * 2048, "big.txt", max_bytes=1024)


def test_text_is_cut_at_max_chars() -> None:
    data = "\n\n".join(f"Paragraph {n} " + "word " * 50 for n in range(100)).encode()
    extracted = extract(data, "long.txt", max_chars=1000)
    assert extracted.truncated
    assert extracted.chars == 1000


def test_detect_kind_uses_extension_then_content_type_then_magic() -> None:
    assert detect_kind("a.MD") == "md"
    assert detect_kind("upload", "text/html; charset=utf-8") == "html"
    assert detect_kind("upload", "application/octet-stream", b"%PDF-1.4") == "pdf"
    with pytest.raises(ExtractionError, match=r"\(image/jpeg\)"):
        detect_kind("upload", "image/jpeg")
