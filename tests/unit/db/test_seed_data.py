"""The seed data: deterministic, large and varied enough, unique on natural keys, within the schema's
constraints, in the bot definition's vocabulary, and keeping the core set's promises."""

from __future__ import annotations

import dataclasses
import random
import statistics
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from campusbot.db.seed import core
from campusbot.db.seed.data import SeedData, StudentSeed, build_seed, load_vocabulary

DEFINITION = Path(__file__).resolve().parents[3] / "src" / "campusbot" / "bot" / "definition.yaml"
FIELDS, INDUSTRIES = load_vocabulary()


@pytest.fixture(scope="module")
def seed() -> SeedData:
    return build_seed()


def violations(data: SeedData) -> list[str]:
    """Every value that the tables' CHECK constraints, column sizes or the vocabularies would reject."""
    problems: list[str] = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            problems.append(what)

    def scale(value: Decimal, places: int, digits: int) -> bool:  # fits Numeric(digits, places) unrounded
        exponent = value.as_tuple().exponent
        return isinstance(exponent, int) and -exponent <= places and abs(value) < Decimal(10) ** (digits - places)

    def text(value: str | None, size: int) -> bool:
        return value is None or (0 < len(value) <= size and value == value.strip())

    for u in data.universities:
        where = f"university {u.name!r}"
        check(text(u.name, 200) and text(u.country, 80) and text(u.city, 120), f"{where}: name/country/city")
        check(text(u.website, 300) and (u.website is None or u.website.startswith("https://")), f"{where}: website")
        check(u.world_rank is None or 1 <= u.world_rank <= 1500, f"{where}: world_rank {u.world_rank}")
        check(u.founded_year is None or 1000 <= u.founded_year <= 2100, f"{where}: founded {u.founded_year}")
        rate = u.acceptance_rate
        check(rate is None or (0 <= rate <= 1 and scale(rate, 3, 4)), f"{where}: acceptance_rate {rate}")
        check(4 <= len(u.programs) <= 12 or u in core.UNIVERSITIES, f"{where}: {len(u.programs)} programs")
        check(len(u.programs) >= 3, f"{where}: fewer than 3 programs")
        for p in u.programs:
            what = f"{where} program {p.name!r}"
            check(text(p.name, 200) and text(p.language, 40), f"{what}: name/language")
            check(p.field_of_study in FIELDS, f"{what}: field {p.field_of_study!r}")
            check(p.degree in ("bachelor", "master", "phd"), f"{what}: degree {p.degree!r}")
            check(0 <= p.tuition <= 200000 and scale(p.tuition, 2, 10), f"{what}: tuition {p.tuition}")
            check(0 < p.duration_years <= 8 and scale(p.duration_years, 1, 3), f"{what}: duration {p.duration_years}")
            check(p.min_gpa is None or (0 <= p.min_gpa <= 4 and scale(p.min_gpa, 2, 3)), f"{what}: min_gpa")
    for s in data.students:
        where = f"student {s.email!r}"
        check(text(s.first_name, 80) and text(s.last_name, 80) and text(s.country, 80), f"{where}: names")
        check(text(s.email, 254) and s.email == s.email.lower() and s.email.find("@") > 0, f"{where}: email")
        check(s.email.split("@")[1] in ("example.edu", "example.org"), f"{where}: email domain")
        check(s.field_of_study in FIELDS, f"{where}: field {s.field_of_study!r}")
        check(s.gpa is None or (0 <= s.gpa <= 4 and scale(s.gpa, 2, 3)), f"{where}: gpa {s.gpa}")
        check(s.max_tuition is None or (s.max_tuition >= 0 and scale(s.max_tuition, 2, 10)), f"{where}: max_tuition")
        check(1 <= len(s.interests) <= 3 and all(text(i, 80) for i in s.interests), f"{where}: interests")
        check(len(set(s.interests)) == len(s.interests), f"{where}: repeated interests")
    for c in data.companies:
        where = f"company {c.name!r}"
        check(text(c.name, 200) and text(c.city, 120) and text(c.country, 80), f"{where}: name/city/country")
        check(c.industry in INDUSTRIES, f"{where}: industry {c.industry!r}")
        check(text(c.email, 254) and c.email == c.email.lower() and c.email.endswith("@example.com"), f"{where}: email")
        check(text(c.website, 300), f"{where}: website")
        check(c.employees is None or c.employees > 0, f"{where}: employees {c.employees}")
        check(1 <= len(c.opportunities) <= 8, f"{where}: {len(c.opportunities)} opportunities")
        for o in c.opportunities:
            what = f"{where} opportunity {o.title!r}"
            check(text(o.title, 200) and text(o.city, 120) and text(o.country, 80), f"{what}: title/city/country")
            check(o.kind in ("internship", "job"), f"{what}: kind {o.kind!r}")
            check(o.field_of_study in FIELDS, f"{what}: field {o.field_of_study!r}")
            check(isinstance(o.remote, bool), f"{what}: remote")
            check(o.salary is None or (o.salary >= 0 and scale(o.salary, 2, 10)), f"{what}: salary {o.salary}")
    return problems


def duplicates(keys: list[object]) -> list[object]:
    return [key for key, count in Counter(keys).items() if count > 1]


# --- determinism, size, coverage -------------------------------------------------------------------------


def test_same_seed_gives_equal_data_and_other_seeds_other_generated_rows(seed: SeedData) -> None:
    assert build_seed() == seed
    assert build_seed(7) == build_seed(7)
    other = build_seed(7)
    assert other != seed
    n = len(core.UNIVERSITIES)
    assert other.universities[:n] == seed.universities[:n] == core.UNIVERSITIES
    assert other.universities[n:] != seed.universities[n:]
    assert other.students[len(core.STUDENTS) :] != seed.students[len(core.STUDENTS) :]
    assert other.companies[len(core.COMPANIES) :] != seed.companies[len(core.COMPANIES) :]


def test_the_global_random_generator_is_left_alone() -> None:
    random.seed(1)
    state = random.getstate()
    build_seed(3, universities=40, students=20, companies=20)
    assert random.getstate() == state


def test_default_counts_and_coverage(seed: SeedData) -> None:
    counts = seed.counts()
    assert counts["university"] == 220
    assert counts["student_registration"] == 1200
    assert counts["company_registration"] == 170
    assert counts["program"] == sum(len(u.programs) for u in seed.universities) >= 4 * 200
    assert counts["opportunity"] == sum(len(c.opportunities) for c in seed.companies) >= 170
    assert len({u.country for u in seed.universities}) >= 20
    assert len({c.country for c in seed.companies}) >= 10
    assert {p.field_of_study for u in seed.universities for p in u.programs} == set(FIELDS)
    assert {c.industry for c in seed.companies} == set(INDUSTRIES)
    assert {o.kind for c in seed.companies for o in c.opportunities} == {"internship", "job"}
    assert any(s.gpa is None for s in seed.students) and any(s.max_tuition is None for s in seed.students)
    assert len({u.world_rank for u in seed.universities} - {None}) > 100


def test_sizes_are_totals_including_the_core_set() -> None:
    data = build_seed(5, universities=40, students=20, companies=12)
    assert (len(data.universities), len(data.students), len(data.companies)) == (40, 20, 12)
    assert violations(data) == []
    with pytest.raises(ValueError, match="smaller than the core set"):
        build_seed(universities=len(core.UNIVERSITIES) - 1)
    with pytest.raises(ValueError, match="distinct names"):
        build_seed(universities=5000)


# --- uniqueness and constraints --------------------------------------------------------------------------


@pytest.mark.parametrize("seed_value", [20261125, 1, 2])
def test_natural_keys_are_unique(seed_value: int) -> None:
    data = build_seed(seed_value)
    assert duplicates([u.name for u in data.universities]) == []
    assert duplicates([(u.name, p.name, p.degree) for u in data.universities for p in u.programs]) == []
    assert duplicates([s.email for s in data.students]) == []
    assert duplicates([c.name for c in data.companies]) == []
    assert duplicates([c.email for c in data.companies]) == []
    assert duplicates([(c.name, o.title, o.city) for c in data.companies for o in c.opportunities]) == []
    assert duplicates([u.world_rank for u in data.universities if u.world_rank is not None]) == []


@pytest.mark.parametrize("seed_value", [20261125, 1, 2])
def test_every_value_satisfies_the_constraints_and_vocabularies(seed_value: int) -> None:
    assert violations(build_seed(seed_value)) == []


def test_the_constraint_check_catches_bad_values(seed: SeedData) -> None:
    university = seed.universities[-1]
    bad_program = dataclasses.replace(university.programs[0], tuition=Decimal(250000), degree="diploma")
    bad_university = dataclasses.replace(university, acceptance_rate=Decimal("1.5"), programs=(bad_program,) * 4)
    bad_student = dataclasses.replace(seed.students[-1], email="Someone.Else@Example.edu", field_of_study="Cooking")
    broken = dataclasses.replace(
        seed, universities=(bad_university,), students=(bad_student,), companies=seed.companies[:1]
    )
    found = "\n".join(violations(broken))
    for expected in ("acceptance_rate", "tuition 250000", "degree 'diploma'", ": email", "field 'Cooking'"):
        assert expected in found


def test_vocabulary_is_read_from_the_bot_definition() -> None:
    definition = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))
    types = {t["name"]: [v["value"] for v in t["values"]] for t in definition["slot_types"]}
    assert (types["FieldOfStudy"], types["Industry"]) == (FIELDS, INDUSTRIES)
    assert "Computer Science" in FIELDS and "Medicine" in FIELDS and "Software" in INDUSTRIES


def test_tuition_is_realistic_by_country(seed: SeedData) -> None:
    generated = seed.universities[len(core.UNIVERSITIES) :]

    def bachelor_tuitions(country: str) -> list[Decimal]:
        return [p.tuition for u in generated if u.country == country for p in u.programs if p.degree == "bachelor"]

    assert set(bachelor_tuitions("Germany")) == {Decimal(0)}
    assert statistics.median(bachelor_tuitions("United States")) > 20000
    assert statistics.median(bachelor_tuitions("United Kingdom")) > 15000
    assert statistics.median(bachelor_tuitions("France")) < 5000


# --- the core set's promises -----------------------------------------------------------------------------


def test_core_set_comes_first_whatever_the_seed() -> None:
    data = build_seed(99)
    assert data.universities[: len(core.UNIVERSITIES)] == core.UNIVERSITIES
    assert data.students[: len(core.STUDENTS)] == core.STUDENTS
    assert data.companies[: len(core.COMPANIES)] == core.COMPANIES


def test_core_has_every_university_the_bot_definition_names() -> None:
    definition = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))
    (names,) = [[v["value"] for v in t["values"]] for t in definition["slot_types"] if t["name"] == "UniversityName"]
    core_names = {u.name for u in core.UNIVERSITIES}
    assert set(names) <= core_names
    assert len(names) == 6 and len(core_names) >= 12


def test_core_university_promises() -> None:
    by_name = {u.name: u for u in core.UNIVERSITIES}
    tum = by_name["Technical University of Munich"]
    assert (tum.city, tum.country, tum.world_rank, tum.founded_year) == ("Munich", "Germany", 37, 1868)
    cs = [p for p in tum.programs if p.name == "MSc Computer Science"]
    assert [(p.field_of_study, p.degree, p.tuition, p.language) for p in cs] == [
        ("Computer Science", "master", Decimal(0), "English")
    ]
    for u in core.UNIVERSITIES:
        assert u.website and u.world_rank != 0 and u.founded_year and u.description
        assert 3 <= len(u.programs) <= 6
        assert len({p.field_of_study for p in u.programs}) >= 3

    def programs(field: str, country: str) -> list[str]:
        return [
            p.name for u in core.UNIVERSITIES if u.country == country for p in u.programs if p.field_of_study == field
        ]

    assert len(programs("Medicine", "Germany")) >= 2
    assert all(p.tuition == 0 for u in core.UNIVERSITIES if u.country == "Germany" for p in u.programs), (
        "German public universities charge no tuition"
    )
    assert programs("Computer Science", "Canada")
    assert programs("Data Science", "Singapore")
    assert {p.degree for u in core.UNIVERSITIES for p in u.programs} == {"bachelor", "master", "phd"}
    assert core.CHARITE in by_name and "\u2013" in core.CHARITE


def test_core_student_promises() -> None:
    by_email = {s.email: s for s in core.STUDENTS}
    assert by_email["ana.garcia@example.edu"] == StudentSeed(
        "Ana", "García", "ana.garcia@example.edu", "Spain", "Computer Science", Decimal("3.7"), Decimal(15000),
        ("machine learning", "robotics"),
    )  # fmt: skip
    assert all(email.endswith("@example.edu") for email in by_email)
    assert any(not (s.first_name + s.last_name).isascii() for s in core.STUDENTS)
    assert any(s.gpa is None for s in core.STUDENTS)
    assert 6 <= len(core.STUDENTS) <= 10


def test_core_company_promises() -> None:
    by_name = {c.name: c for c in core.COMPANIES}
    northwind = by_name["Northwind Analytics"]
    assert (northwind.industry, northwind.city, northwind.country) == ("Software", "Berlin", "Germany")
    assert northwind.email == "northwind.analytics@example.com"
    opportunities = [o for c in core.COMPANIES for o in c.opportunities]

    def offered(field: str, kind: str, city: str) -> bool:
        return any((o.field_of_study, o.kind, o.city) == (field, kind, city) for o in opportunities)

    assert offered("Computer Science", "internship", "Berlin")
    assert offered("Computer Science", "internship", "Toronto")
    assert offered("Finance", "job", "London")
    assert any(o.remote for o in opportunities)
    assert all(2 <= len(c.opportunities) <= 4 for c in core.COMPANIES)
    assert all(c.email.endswith("@example.com") for c in core.COMPANIES)
