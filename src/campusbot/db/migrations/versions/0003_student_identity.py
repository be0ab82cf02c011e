"""A student registration belongs to the Cognito user who made it: `student_registration.cognito_sub`.

Nullable (registrations made before sign-in existed, and the seed data, belong to nobody) and unique (one
registration per signed-in user); the fulfillment answers a student's own profile by this subject only.

Revision ID: 0003_student_identity
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_student_identity"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "student_registration",
        sa.Column("cognito_sub", sa.String(length=128), nullable=True, comment="Cognito subject of the owner"),
    )
    op.create_unique_constraint("uq_student_registration_cognito_sub", "student_registration", ["cognito_sub"])


def downgrade() -> None:
    op.drop_constraint("uq_student_registration_cognito_sub", "student_registration", type_="unique")
    op.drop_column("student_registration", "cognito_sub")
