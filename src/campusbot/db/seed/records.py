"""The seed's record types: plain values mirroring the tables in `campusbot.db.models` (field names are
column names). `data.build_seed` makes them (from `core` and `generate`), `load` writes them; every seed
module imports them from here, so the seed modules import in one direction only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class ProgramSeed:
    name: str
    field_of_study: str
    degree: str
    tuition: Decimal  # yearly, USD
    language: str
    duration_years: Decimal
    min_gpa: Decimal | None  # 0-4 scale


@dataclass(frozen=True, slots=True)
class UniversitySeed:
    name: str
    country: str
    city: str
    website: str | None
    world_rank: int | None
    founded_year: int | None
    acceptance_rate: Decimal | None  # 0-1
    description: str | None
    programs: tuple[ProgramSeed, ...]


@dataclass(frozen=True, slots=True)
class StudentSeed:
    first_name: str
    last_name: str
    email: str
    country: str
    field_of_study: str
    gpa: Decimal | None
    max_tuition: Decimal | None  # yearly, USD
    interests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OpportunitySeed:
    title: str
    kind: str  # internship | job
    field_of_study: str
    city: str
    country: str
    remote: bool
    salary: Decimal | None  # USD: monthly for internships, yearly for jobs
    description: str | None


@dataclass(frozen=True, slots=True)
class CompanySeed:
    name: str
    industry: str
    email: str
    website: str | None
    city: str
    country: str
    employees: int | None
    description: str | None
    opportunities: tuple[OpportunitySeed, ...]


@dataclass(frozen=True, slots=True)
class SeedData:
    universities: tuple[UniversitySeed, ...]
    students: tuple[StudentSeed, ...]
    companies: tuple[CompanySeed, ...]

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {
            "university": len(self.universities),
            "program": sum(len(u.programs) for u in self.universities),
            "student_registration": len(self.students),
            "company_registration": len(self.companies),
            "opportunity": sum(len(c.opportunities) for c in self.companies),
        }
