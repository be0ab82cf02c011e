"""`build_seed`, the seed's one public entry: core set first, then generated rows.

The records (`campusbot.db.seed.records`, re-exported here) are plain values mirroring the tables in
`campusbot.db.models`; `campusbot.db.seed.load` writes them. Fields of study and industries come from the
bot definition's slot types FieldOfStudy and Industry (`load_vocabulary`), so the data and the bot speak
the same words.
"""

from __future__ import annotations

import random

from campusbot.bot.vocabulary import vocabulary
from campusbot.db.seed import core, generate
from campusbot.db.seed.records import CompanySeed, OpportunitySeed, ProgramSeed, SeedData, StudentSeed, UniversitySeed

# The record types are re-exported: `from campusbot.db.seed.data import SeedData, build_seed` keeps working.
__all__ = [
    "CompanySeed",
    "OpportunitySeed",
    "ProgramSeed",
    "SeedData",
    "StudentSeed",
    "UniversitySeed",
    "build_seed",
    "load_vocabulary",
]


def load_vocabulary() -> tuple[list[str], list[str]]:
    """The FieldOfStudy and Industry slot values of the bot definition: (fields, industries)."""
    values = vocabulary().values
    return list(values["FieldOfStudy"]), list(values["Industry"])


def build_seed(
    seed: int = 20261125, *, universities: int = 220, students: int = 1200, companies: int = 170
) -> SeedData:
    """The core set followed by generated rows, `universities`/`students`/`companies` rows in all.

    Deterministic: the same seed gives equal data; another seed gives other generated rows (the core set
    never changes). Raises ValueError when a total is smaller than the core set or larger than the
    generator's name pools allow.
    """
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
