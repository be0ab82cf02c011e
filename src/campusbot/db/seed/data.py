"""The seed data's record types and `build_seed`, the one public entry: core set first, then generated rows.

The records are plain values mirroring the tables in `campusbot.db.models` (field names are column names);
`campusbot.db.seed.load` writes them. Fields of study and industries come from the bot definition's slot
types FieldOfStudy and Industry (`load_vocabulary`), so the data and the bot speak the same words.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

DEFINITION = Path(__file__).resolve().parents[2] / "bot" / "definition.yaml"


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


def load_vocabulary() -> tuple[list[str], list[str]]:
    """The FieldOfStudy and Industry slot values of the bot definition: (fields, industries)."""
    definition: dict[str, Any] = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))
    values = {
        slot_type["name"]: [str(v["value"]) for v in slot_type["values"]] for slot_type in definition["slot_types"]
    }
    return values["FieldOfStudy"], values["Industry"]


def build_seed(
    seed: int = 20261125, *, universities: int = 220, students: int = 1200, companies: int = 170
) -> SeedData:
    """The core set followed by generated rows, `universities`/`students`/`companies` rows in all.

    Deterministic: the same seed gives equal data; another seed gives other generated rows (the core set
    never changes). Raises ValueError when a total is smaller than the core set or larger than the
    generator's name pools allow.
    """
    # Imported here: both modules import the record types above.
    from campusbot.db.seed import core, generate

    fields, industries = load_vocabulary()
    rng = random.Random(seed)
    generated_universities = generate.universities(
        rng,
        _extra(universities, core.UNIVERSITIES, "universities"),
        fields,
        taken_names={u.name for u in core.UNIVERSITIES},
        taken_ranks={u.world_rank for u in core.UNIVERSITIES if u.world_rank is not None},
    )
    generated_students = generate.students(
        rng,
        _extra(students, core.STUDENTS, "students"),
        fields,
        taken_emails={s.email for s in core.STUDENTS},
    )
    generated_companies = generate.companies(
        rng,
        _extra(companies, core.COMPANIES, "companies"),
        fields,
        industries,
        taken_names={c.name for c in core.COMPANIES},
        taken_emails={c.email for c in core.COMPANIES},
    )
    return SeedData(
        universities=core.UNIVERSITIES + generated_universities,
        students=core.STUDENTS + generated_students,
        companies=core.COMPANIES + generated_companies,
    )


def _extra(total: int, core_rows: tuple[object, ...], what: str) -> int:
    if total < len(core_rows):
        raise ValueError(f"{what}={total} is smaller than the core set ({len(core_rows)} rows)")
    return total - len(core_rows)
