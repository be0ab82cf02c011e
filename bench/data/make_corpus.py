"""Write the retrieval corpus (bench/data/corpus/) and the sample documents (samples/documents/) from
corpus_source.py, each in the format its file name says. Deterministic: running it again changes nothing.

    .venv/bin/python bench/data/make_corpus.py
"""

from __future__ import annotations

import html
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(REPO), str(HERE)]

from corpus_source import DOCS, Doc  # noqa: E402
from tests.fixtures.documents import make_docx, make_pdf  # noqa: E402

CORPUS = HERE / "corpus"
SAMPLES = REPO / "samples" / "documents"


def render(doc: Doc) -> bytes:
    suffix = Path(doc.key).suffix
    if suffix == ".md":
        parts = [f"# {doc.title}\n"]
        for heading, paragraphs in doc.sections:
            parts.append(f"## {heading}\n")
            parts.extend(paragraph + "\n" for paragraph in paragraphs)
        return "\n".join(parts).encode()
    if suffix == ".html":
        body = [f"<h1>{html.escape(doc.title)}</h1>"]
        for heading, paragraphs in doc.sections:
            body.append(f"<h2>{html.escape(heading)}</h2>")
            body.extend(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
        page = (
            f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(doc.title)}</title>'
            '</head>\n<body><nav><a href="/">campusbot</a></nav><main>\n'
            + "\n".join(body)
            + "\n</main></body></html>\n"
        )
        return page.encode()
    if suffix == ".txt":
        parts = [doc.title.upper(), ""]
        for heading, paragraphs in doc.sections:
            parts.extend([heading + ":", *paragraphs, ""])
        return "\n".join(parts).replace(":\n", ":\n\n").encode()
    blocks: list[tuple[object, str]] = [(1, doc.title)] if suffix == ".pdf" else [("title", doc.title)]
    for heading, paragraphs in doc.sections:
        blocks.append((2 if suffix == ".pdf" else 1, heading))
        blocks.extend((0, paragraph) for paragraph in paragraphs)
    if suffix == ".pdf":
        return make_pdf(blocks, title=doc.title)
    if suffix == ".docx":
        return make_docx(blocks, title=doc.title)
    raise SystemExit(f"unknown format of {doc.key}")


def main() -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    SAMPLES.mkdir(parents=True, exist_ok=True)
    for doc in DOCS:
        (CORPUS / doc.key).write_bytes(render(doc))
        if doc.sample:
            shutil.copyfile(CORPUS / doc.key, SAMPLES / doc.key)
    print(f"{len(DOCS)} documents in {CORPUS.relative_to(REPO)}, {sum(d.sample for d in DOCS)} in samples/documents")


if __name__ == "__main__":
    main()
