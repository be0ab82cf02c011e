"""Documents remember the S3 event sequencer they were last changed by, and are filtered by tag.

S3 delivers notifications at least once and unordered; the `sequencer` of an event orders the events of one key.
The vectorizer ignores an event older than the one that last changed the document (a late `ObjectCreated` after
the object was deleted, or a late `ObjectRemoved` after it was uploaded again).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "document",
        sa.Column("s3_sequencer", sa.String(length=64), nullable=True, comment="S3 event sequencer of the last change"),
    )
    op.create_index("ix_document_tags", "document", ["tags"], unique=False, postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_document_tags", table_name="document")
    op.drop_column("document", "s3_sequencer")
