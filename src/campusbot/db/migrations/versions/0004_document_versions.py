"""Documents name the version their chunks come from, so a version that fails to index never removes good knowledge.

A document's `etag`/`content_hash` are those of the newest version the vectorizer saw; `served_etag` and
`served_content_hash` are those of the version whose chunks answer (the last one indexed). A failed new version
leaves the document `failed` with its reason while the served version's chunks keep answering; a later good
version replaces them; a deletion removes them.

Revision ID: 0004_document_versions
Revises: 0002 (on the h-resilience branch; after the merge of issue 12 it revises 0003_student_identity)
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_document_versions"
down_revision: str | None = "0003_student_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "document",
        sa.Column(
            "served_etag", sa.String(length=80), nullable=True, comment="S3 ETag of the version the chunks are of"
        ),
    )
    op.add_column(
        "document",
        sa.Column(
            "served_content_hash",
            sa.String(length=64),
            nullable=True,
            comment="SHA-256 of the version the chunks are of",
        ),
    )
    # documents indexed before this revision serve the version they name
    op.execute("UPDATE document SET served_etag = etag, served_content_hash = content_hash WHERE status = 'indexed'")


def downgrade() -> None:
    op.drop_column("document", "served_content_hash")
    op.drop_column("document", "served_etag")
