"""The data model (SQLAlchemy 2, typed). Alembic migrations own the schema; these classes mirror it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from campusbot.settings import get_settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DEGREES = ("bachelor", "master", "phd")
OPPORTUNITY_KINDS = ("internship", "job")
DOCUMENT_STATUSES = ("pending", "indexed", "failed", "deleted")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class University(Timestamped, Base):
    __tablename__ = "university"
    __table_args__ = (
        CheckConstraint("world_rank IS NULL OR world_rank > 0", name="world_rank_positive"),
        CheckConstraint("founded_year IS NULL OR founded_year BETWEEN 1000 AND 2100", name="founded_year_range"),
        CheckConstraint("acceptance_rate IS NULL OR acceptance_rate BETWEEN 0 AND 1", name="acceptance_rate"),
        Index("ix_university_country", "country"),
        Index("ix_university_city", "city"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str] = mapped_column(String(80))
    city: Mapped[str] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(300))
    world_rank: Mapped[int | None]
    founded_year: Mapped[int | None]
    acceptance_rate: Mapped[Decimal | None] = mapped_column(Numeric(4, 3))
    description: Mapped[str | None] = mapped_column(Text)

    programs: Mapped[list[Program]] = relationship(
        back_populates="university", cascade="all, delete-orphan", passive_deletes=True, order_by="Program.id"
    )


class Program(Timestamped, Base):
    __tablename__ = "program"
    __table_args__ = (
        UniqueConstraint("university_id", "name", "degree", name="uq_program_university_name_degree"),
        CheckConstraint("degree IN ('bachelor', 'master', 'phd')", name="degree_known"),
        CheckConstraint("tuition >= 0 AND tuition <= 200000", name="tuition_range"),
        CheckConstraint("min_gpa IS NULL OR (min_gpa >= 0 AND min_gpa <= 4)", name="min_gpa_range"),
        CheckConstraint("duration_years > 0 AND duration_years <= 8", name="duration_range"),
        Index("ix_program_field_tuition", "field_of_study", "tuition"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    university_id: Mapped[int] = mapped_column(ForeignKey("university.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    field_of_study: Mapped[str] = mapped_column(String(80))
    degree: Mapped[str] = mapped_column(String(20))
    tuition: Mapped[Decimal] = mapped_column(Numeric(10, 2), comment="yearly tuition in USD")
    language: Mapped[str] = mapped_column(String(40))
    duration_years: Mapped[Decimal] = mapped_column(Numeric(3, 1))
    min_gpa: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))

    university: Mapped[University] = relationship(back_populates="programs")


class StudentRegistration(Timestamped, Base):
    __tablename__ = "student_registration"
    __table_args__ = (
        CheckConstraint("gpa IS NULL OR (gpa >= 0 AND gpa <= 4)", name="gpa_range"),
        CheckConstraint("max_tuition IS NULL OR max_tuition >= 0", name="max_tuition_positive"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("position('@' in email) > 1", name="email_has_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    country: Mapped[str] = mapped_column(String(80))
    field_of_study: Mapped[str] = mapped_column(String(80), index=True)
    gpa: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    max_tuition: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    interests: Mapped[list[str]] = mapped_column(ARRAY(String(80)), server_default="{}")
    # the Cognito user who registered (migration 0003); None for registrations made without signing in
    cognito_sub: Mapped[str | None] = mapped_column(String(128), unique=True, comment="Cognito subject of the owner")


class CompanyRegistration(Timestamped, Base):
    __tablename__ = "company_registration"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("employees IS NULL OR employees > 0", name="employees_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    industry: Mapped[str] = mapped_column(String(80), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    website: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(80))
    employees: Mapped[int | None]
    description: Mapped[str | None] = mapped_column(Text)

    opportunities: Mapped[list[Opportunity]] = relationship(
        back_populates="company",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Opportunity.id",
    )


class Opportunity(Timestamped, Base):
    __tablename__ = "opportunity"
    __table_args__ = (
        UniqueConstraint("company_id", "title", "city", name="uq_opportunity_company_title_city"),
        CheckConstraint("kind IN ('internship', 'job')", name="kind_known"),
        CheckConstraint("salary IS NULL OR salary >= 0", name="salary_positive"),
        Index("ix_opportunity_field_city", "field_of_study", "city"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company_registration.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    field_of_study: Mapped[str] = mapped_column(String(80))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(80))
    remote: Mapped[bool] = mapped_column(server_default="false")
    salary: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), comment="yearly (jobs) or monthly (internships) USD")
    description: Mapped[str | None] = mapped_column(Text)

    company: Mapped[CompanyRegistration] = relationship(back_populates="opportunities")


class Document(Timestamped, Base):
    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("s3_bucket", "s3_key", name="uq_document_s3_bucket_key"),
        CheckConstraint("status IN ('pending', 'indexed', 'failed', 'deleted')", name="status_known"),
        CheckConstraint("size_bytes >= 0", name="size_positive"),
        Index("ix_document_tags", "tags", postgresql_using="gin"),  # 0002
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    s3_bucket: Mapped[str] = mapped_column(String(63))
    s3_key: Mapped[str] = mapped_column(String(1024))
    title: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str | None] = mapped_column(String(120))
    etag: Mapped[str | None] = mapped_column(String(80))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(server_default="0")
    status: Mapped[str] = mapped_column(String(20), server_default="pending")
    error: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(60)), server_default="{}")
    chunk_count: Mapped[int] = mapped_column(server_default="0")
    indexed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    s3_sequencer: Mapped[str | None] = mapped_column(String(64), comment="S3 event sequencer of the last change")
    served_etag: Mapped[str | None] = mapped_column(String(80), comment="S3 ETag of the version the chunks are of")
    served_content_hash: Mapped[str | None] = mapped_column(
        String(64), comment="SHA-256 of the version the chunks are of"
    )

    chunks: Mapped[list[DocumentChunk]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )


class DocumentChunk(Base):
    __tablename__ = "document_chunk"
    __table_args__ = (
        UniqueConstraint("document_id", "ordinal", name="uq_document_chunk_document_ordinal"),
        CheckConstraint("ordinal >= 0", name="ordinal_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int]
    heading: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    token_count: Mapped[int] = mapped_column(server_default="0")
    embedding: Mapped[list[float]] = mapped_column(Vector(get_settings().embedding_dimensions))
    tsv: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed("to_tsvector('english', coalesce(heading, '') || ' ' || content)", persisted=True),
    )

    document: Mapped[Document] = relationship(back_populates="chunks")
