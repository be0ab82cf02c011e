"""Initial schema: the catalogue (universities, programs), registrations, opportunities, documents.

The vector dimension of document_chunk.embedding is the migration's `embedding_dimensions` (campusbot.db.migrate),
else CAMPUSBOT_EMBEDDING_DIMENSIONS at migration time (256/512/1024 for Titan Text Embeddings V2, 1024 by default).

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

from campusbot.settings import get_settings

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "company_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_company_registration_email_lowercase")),
        sa.CheckConstraint(
            "employees IS NULL OR employees > 0", name=op.f("ck_company_registration_employees_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_registration")),
        sa.UniqueConstraint("email", name=op.f("uq_company_registration_email")),
        sa.UniqueConstraint("name", name=op.f("uq_company_registration_name")),
    )
    op.create_index(op.f("ix_company_registration_industry"), "company_registration", ["industry"], unique=False)
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("s3_bucket", sa.String(length=63), nullable=False),
        sa.Column("s3_key", sa.String(length=1024), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=True),
        sa.Column("etag", sa.String(length=80), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("size_bytes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.String(length=60)), server_default="{}", nullable=False),
        sa.Column("chunk_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'indexed', 'failed', 'deleted')", name=op.f("ck_document_status_known")
        ),
        sa.CheckConstraint("size_bytes >= 0", name=op.f("ck_document_size_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        sa.UniqueConstraint("s3_bucket", "s3_key", name="uq_document_s3_bucket_key"),
    )
    op.create_table(
        "student_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=False),
        sa.Column("field_of_study", sa.String(length=80), nullable=False),
        sa.Column("gpa", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("max_tuition", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("interests", postgresql.ARRAY(sa.String(length=80)), server_default="{}", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("position('@' in email) > 1", name=op.f("ck_student_registration_email_has_at")),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_student_registration_email_lowercase")),
        sa.CheckConstraint("gpa IS NULL OR (gpa >= 0 AND gpa <= 4)", name=op.f("ck_student_registration_gpa_range")),
        sa.CheckConstraint(
            "max_tuition IS NULL OR max_tuition >= 0",
            name=op.f("ck_student_registration_max_tuition_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student_registration")),
        sa.UniqueConstraint("email", name=op.f("uq_student_registration_email")),
    )
    op.create_index(
        op.f("ix_student_registration_field_of_study"),
        "student_registration",
        ["field_of_study"],
        unique=False,
    )
    op.create_table(
        "university",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("world_rank", sa.Integer(), nullable=True),
        sa.Column("founded_year", sa.Integer(), nullable=True),
        sa.Column("acceptance_rate", sa.Numeric(precision=4, scale=3), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "acceptance_rate IS NULL OR acceptance_rate BETWEEN 0 AND 1",
            name=op.f("ck_university_acceptance_rate"),
        ),
        sa.CheckConstraint(
            "founded_year IS NULL OR founded_year BETWEEN 1000 AND 2100",
            name=op.f("ck_university_founded_year_range"),
        ),
        sa.CheckConstraint("world_rank IS NULL OR world_rank > 0", name=op.f("ck_university_world_rank_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_university")),
        sa.UniqueConstraint("name", name=op.f("uq_university_name")),
    )
    op.create_index("ix_university_city", "university", ["city"], unique=False)
    op.create_index("ix_university_country", "university", ["country"], unique=False)
    op.create_table(
        "document_chunk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("heading", sa.Text(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("token_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("embedding", Vector(_embedding_dimensions()), nullable=False),
        sa.Column(
            "tsv",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('english', coalesce(heading, '') || ' ' || content)", persisted=True),
            nullable=False,
        ),
        sa.CheckConstraint("ordinal >= 0", name=op.f("ck_document_chunk_ordinal_positive")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_chunk_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_chunk")),
        sa.UniqueConstraint("document_id", "ordinal", name="uq_document_chunk_document_ordinal"),
    )
    op.create_index(op.f("ix_document_chunk_document_id"), "document_chunk", ["document_id"], unique=False)
    # Approximate nearest neighbours by cosine distance (pgvector HNSW), and full-text for hybrid search.
    op.execute(
        "CREATE INDEX ix_document_chunk_embedding_hnsw ON document_chunk "
        "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
    )
    op.create_index("ix_document_chunk_tsv", "document_chunk", ["tsv"], postgresql_using="gin")
    op.create_table(
        "opportunity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("field_of_study", sa.String(length=80), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=False),
        sa.Column("remote", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "salary",
            sa.Numeric(precision=10, scale=2),
            nullable=True,
            comment="yearly (jobs) or monthly (internships) USD",
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('internship', 'job')", name=op.f("ck_opportunity_kind_known")),
        sa.CheckConstraint("salary IS NULL OR salary >= 0", name=op.f("ck_opportunity_salary_positive")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company_registration.id"],
            name=op.f("fk_opportunity_company_id_company_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity")),
        sa.UniqueConstraint("company_id", "title", "city", name="uq_opportunity_company_title_city"),
    )
    op.create_index(op.f("ix_opportunity_company_id"), "opportunity", ["company_id"], unique=False)
    op.create_index("ix_opportunity_field_city", "opportunity", ["field_of_study", "city"], unique=False)
    op.create_table(
        "program",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("university_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("field_of_study", sa.String(length=80), nullable=False),
        sa.Column("degree", sa.String(length=20), nullable=False),
        sa.Column("tuition", sa.Numeric(precision=10, scale=2), nullable=False, comment="yearly tuition in USD"),
        sa.Column("language", sa.String(length=40), nullable=False),
        sa.Column("duration_years", sa.Numeric(precision=3, scale=1), nullable=False),
        sa.Column("min_gpa", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("degree IN ('bachelor', 'master', 'phd')", name=op.f("ck_program_degree_known")),
        sa.CheckConstraint("duration_years > 0 AND duration_years <= 8", name=op.f("ck_program_duration_range")),
        sa.CheckConstraint("min_gpa IS NULL OR (min_gpa >= 0 AND min_gpa <= 4)", name=op.f("ck_program_min_gpa_range")),
        sa.CheckConstraint("tuition >= 0 AND tuition <= 200000", name=op.f("ck_program_tuition_range")),
        sa.ForeignKeyConstraint(
            ["university_id"],
            ["university.id"],
            name=op.f("fk_program_university_id_university"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program")),
        sa.UniqueConstraint("university_id", "name", "degree", name="uq_program_university_name_degree"),
    )
    op.create_index("ix_program_field_tuition", "program", ["field_of_study", "tuition"], unique=False)
    op.create_index(op.f("ix_program_university_id"), "program", ["university_id"], unique=False)


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_index(op.f("ix_program_university_id"), table_name="program")
    op.drop_index("ix_program_field_tuition", table_name="program")
    op.drop_table("program")
    op.drop_index("ix_opportunity_field_city", table_name="opportunity")
    op.drop_index(op.f("ix_opportunity_company_id"), table_name="opportunity")
    op.drop_table("opportunity")
    op.drop_index("ix_document_chunk_tsv", table_name="document_chunk")
    op.drop_index("ix_document_chunk_embedding_hnsw", table_name="document_chunk")
    op.drop_index(op.f("ix_document_chunk_document_id"), table_name="document_chunk")
    op.drop_table("document_chunk")
    op.drop_index("ix_university_country", table_name="university")
    op.drop_index("ix_university_city", table_name="university")
    op.drop_table("university")
    op.drop_index(op.f("ix_student_registration_field_of_study"), table_name="student_registration")
    op.drop_table("student_registration")
    op.drop_table("document")
    op.drop_index(op.f("ix_company_registration_industry"), table_name="company_registration")
    op.drop_table("company_registration")
    op.execute("DROP EXTENSION IF EXISTS vector")


def _embedding_dimensions() -> int:
    dimensions = context.config.attributes.get("embedding_dimensions")
    return int(dimensions) if dimensions is not None else get_settings().embedding_dimensions
