"""The scoring rules on plain objects (no database): what each reason promises, and the order."""

from __future__ import annotations

from decimal import Decimal

from campusbot.db.models import StudentRegistration
from campusbot.services.recommendations import ProgramView, UniversityView, _score


def university(rank: int | None, country: str = "Germany") -> UniversityView:
    return UniversityView(
        id=rank or 9999,
        name=f"U{rank}",
        country=country,
        city="City",
        website=None,
        world_rank=rank,
        founded_year=None,
        acceptance_rate=None,
        description="strong in robotics",
    )


def program(tuition: int, min_gpa: float | None = None) -> ProgramView:
    return ProgramView(
        id=1,
        university_id=1,
        name="MSc Computer Science",
        field_of_study="Computer Science",
        degree="master",
        tuition=Decimal(tuition),
        language="English",
        duration_years=Decimal(2),
        min_gpa=Decimal(str(min_gpa)) if min_gpa is not None else None,
    )


def student(gpa: float | None, interests: list[str], country: str = "Spain") -> StudentRegistration:
    return StudentRegistration(
        id=1,
        first_name="A",
        last_name="B",
        email="a@b.c",
        country=country,
        field_of_study="Computer Science",
        gpa=Decimal(str(gpa)) if gpa else None,
        max_tuition=None,
        interests=interests,
    )


def test_better_rank_and_lower_tuition_score_higher() -> None:
    top = _score(university(10), program(0), None, None, None)
    mid = _score(university(300), program(0), None, None, None)
    costly = _score(university(10), program(50000), None, None, None)
    assert top.score > mid.score and top.score > costly.score
    assert "no tuition fees" in top.reasons and "ranked #10 worldwide" in top.reasons


def test_budget_reason_and_country_reason() -> None:
    ranked = _score(university(50), program(12000), None, 15000.0, "Germany")
    assert "tuition $12,000/year, within your budget of $15,000" in ranked.reasons
    assert any("as you asked" in reason for reason in ranked.reasons)


def test_gpa_below_minimum_is_a_stretch_and_lowers_the_score() -> None:
    meets = _score(university(50), program(1000, 3.0), student(3.6, []), None, None)
    stretch = _score(university(50), program(1000, 3.0), student(2.5, []), None, None)
    assert meets.score > stretch.score
    assert any("meets the usual minimum" in r for r in meets.reasons)
    assert any("a stretch" in r for r in stretch.reasons)


def test_interests_and_home_country_are_reasons() -> None:
    ranked = _score(university(50, country="Spain"), program(1000), student(3.5, ["robotics", "poetry"]), None, None)
    assert "matches your interest in robotics" in ranked.reasons
    assert "in your home country" in ranked.reasons
