"""A fake data API for unit tests: in-memory rows shaped like the seed, and a record of every call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from campusbot.assistant.api_client import (
    ApiConflict,
    ApiNotFound,
    AssistAnswer,
    NewStudent,
    Opportunity,
    Page,
    Program,
    Recommendation,
    Recommendations,
    Student,
    TuitionSummary,
    University,
    UniversityDetail,
)

TUM = UniversityDetail(
    id=1,
    name="Technical University of Munich",
    country="Germany",
    city="Munich",
    website="https://www.tum.de",
    world_rank=37,
    founded_year=1868,
    programs=[
        Program(id=1, name="MSc Computer Science", field_of_study="Computer Science", degree="master", tuition=0),
        Program(
            id=2,
            name="BSc Mechanical Engineering",
            field_of_study="Mechanical Engineering",
            degree="bachelor",
            tuition=0,
        ),
    ],
)
TORONTO = UniversityDetail(
    id=2,
    name="University of Toronto",
    country="Canada",
    city="Toronto",
    world_rank=21,
    programs=[
        Program(id=3, name="BSc Computer Science", field_of_study="Computer Science", degree="bachelor", tuition=48000),
        Program(id=4, name="MSc Computer Science", field_of_study="Computer Science", degree="master", tuition=22000),
    ],
)


def _recommendation(
    name: str, city: str, country: str, rank: int, program: str, field: str, tuition: float
) -> Recommendation:
    return Recommendation(
        university=University(id=rank, name=name, country=country, city=city, world_rank=rank),
        program=Program(id=rank, name=program, field_of_study=field, degree="bachelor", tuition=tuition),
        score=1 / rank,
        reasons=[
            f"offers {program} (bachelor, German)",
            f"ranked #{rank} worldwide",
            "no tuition fees" if tuition == 0 else f"tuition ${tuition:,.0f}/year",
        ],
    )


CHARITE = "Charit\u00e9 \u2013 Universit\u00e4tsmedizin Berlin"
RECOMMENDABLE = [
    _recommendation("Heidelberg University", "Heidelberg", "Germany", 47, "Medicine (Staatsexamen)", "Medicine", 0),
    _recommendation(CHARITE, "Berlin", "Germany", 60, "Medicine", "Medicine", 0),
    _recommendation("LMU Munich", "Munich", "Germany", 59, "Human Medicine", "Medicine", 0),
    _recommendation("University of Toronto", "Toronto", "Canada", 21, "MD Program", "Medicine", 30000),
    _recommendation(
        "University of Toronto", "Toronto", "Canada", 21, "BSc Computer Science", "Computer Science", 48000
    ),
]

ANA = Student(
    id=1,
    first_name="Ana",
    last_name="García",
    email="ana.garcia@example.edu",
    country="Spain",
    field_of_study="Computer Science",
    gpa=3.7,
    max_tuition=15000,
    interests=["machine learning", "robotics"],
)
ANA_SUB = "0b8f5e2c-ana0-4f1e-9d2a-ana000000001"  # Ana's Cognito subject (her registration is linked to it)

OPENINGS = [
    Opportunity(
        id=1,
        title="Software Engineering Intern",
        kind="internship",
        field_of_study="Computer Science",
        city="Berlin",
        country="Germany",
        company_name="Northwind Analytics",
        industry="Software",
    ),
    Opportunity(
        id=2,
        title="Backend Engineer",
        kind="job",
        field_of_study="Computer Science",
        city="Berlin",
        country="Germany",
        remote=True,
        company_name="Northwind Analytics",
        industry="Software",
    ),
    Opportunity(
        id=3,
        title="Software Engineering Intern",
        kind="internship",
        field_of_study="Computer Science",
        city="Toronto",
        country="Canada",
        company_name="Lakeshore Software",
        industry="Software",
    ),
]


@dataclass
class FakeApi:
    """DataApi in memory; `failures[method] = exc` makes that method raise; `calls` records (method, kwargs)."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    failures: dict[str, Exception] = field(default_factory=dict)
    universities: list[UniversityDetail] = field(default_factory=lambda: [TUM, TORONTO])
    students: list[Student] = field(default_factory=lambda: [ANA])
    owners: dict[str, int] = field(default_factory=lambda: {ANA_SUB: ANA.id})  # Cognito sub → student id
    recommendable: list[Recommendation] = field(default_factory=lambda: list(RECOMMENDABLE))
    openings: list[Opportunity] = field(default_factory=lambda: list(OPENINGS))
    answer: AssistAnswer = field(
        default_factory=lambda: AssistAnswer(
            answer="Apply for a national visa at the German consulate.",
            answer_source="documents",
            sources=[{"title": "Visa guide", "s3_key": "docs/visa.pdf", "score": 0.83, "snippet": "national visa"}],
        )
    )

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def _call(self, method: str, /, **kwargs: Any) -> None:
        self.calls.append((method, kwargs))
        if method in self.failures:
            raise self.failures[method]

    def recommendations(
        self,
        *,
        field: str,
        country: str | None = None,
        max_tuition: float | None = None,
        student_id: int | None = None,
        limit: int = 3,
        region: str | None = None,
        order: str | None = None,
        degree: str | None = None,
    ) -> Recommendations:
        extra = {k: v for k, v in (("region", region), ("order", order), ("degree", degree)) if v is not None}
        self._call(
            "recommendations",
            field=field,
            country=country,
            max_tuition=max_tuition,
            student_id=student_id,
            limit=limit,
            **extra,
        )
        student = None
        if student_id is not None:
            student = next((s for s in self.students if s.id == student_id), None)
            if student is None:
                raise ApiNotFound(f"student {student_id} not found")
        budget = max_tuition if max_tuition is not None else (student.max_tuition if student else None)
        rows = [
            r
            for r in self.recommendable
            if r.program.field_of_study == field
            and (country is None or r.university.country.lower() == country.lower())
            and (budget is None or r.program.tuition <= budget)
        ]
        return Recommendations(
            field_of_study=field, country=country, max_tuition=budget, student_id=student_id, data=rows[:limit]
        )

    def tuition(self, *, country: str, field: str | None = None, degree: str | None = None) -> TuitionSummary:
        self._call("tuition", country=country, field=field, degree=degree)
        fees = [
            p.tuition
            for u in self.universities
            if u.country.lower() == country.lower()
            for p in u.programs
            if field is None or p.field_of_study == field
        ]
        return TuitionSummary(
            country=country,
            field_of_study=field,
            programs=len(fees),
            universities=len({u.id for u in self.universities if u.country.lower() == country.lower()}),
            lowest=min(fees) if fees else None,
            median=sorted(fees)[len(fees) // 2] if fees else None,
            highest=max(fees) if fees else None,
            tuition_free=sum(1 for f in fees if f == 0),
        )

    def university_by_name(self, name: str) -> UniversityDetail:
        self._call("university_by_name", name=name)
        for university in self.universities:
            if name.lower() in university.name.lower():
                return university
        raise ApiNotFound(f"university named {name!r} not found")

    def student(self, student_id: int) -> Student:
        self._call("student", student_id=student_id)
        for student in self.students:
            if student.id == student_id:
                return student
        raise ApiNotFound(f"student {student_id} not found")

    def student_by_email(self, email: str) -> Student | None:
        self._call("student_by_email", email=email)
        return next((s for s in self.students if s.email == email.lower()), None)

    def student_by_sub(self, sub: str) -> Student | None:
        self._call("student_by_sub", sub=sub)
        owned = self.owners.get(sub)
        return next((s for s in self.students if s.id == owned), None)

    def create_student(self, student: NewStudent) -> Student:
        self._call("create_student", student=student)
        if any(s.email == student.email for s in self.students):
            raise ApiConflict(f"email {student.email!r} already exists")
        if student.cognito_sub is not None and student.cognito_sub in self.owners:
            raise ApiConflict(f"cognito_sub {student.cognito_sub!r} already exists")
        created = Student(id=len(self.students) + 100, **student.model_dump(exclude={"cognito_sub"}))
        self.students.append(created)
        if student.cognito_sub is not None:
            self.owners[student.cognito_sub] = created.id
        return created

    def opportunities(
        self,
        *,
        field: str | None = None,
        industry: str | None = None,
        city: str | None = None,
        limit: int = 5,
        kind: str | None = None,
        remote: bool | None = None,
    ) -> Page[Opportunity]:
        extra = {k: v for k, v in (("kind", kind), ("remote", remote)) if v is not None}
        self._call("opportunities", field=field, industry=industry, city=city, limit=limit, **extra)
        rows = [
            o
            for o in self.openings
            if (field is None or o.field_of_study == field)
            and (industry is None or o.industry.lower() == industry.lower())
            and (city is None or o.city.lower() == city.lower())
            and (kind is None or o.kind == kind)
            and (remote is None or o.remote == remote)
        ]
        return Page[Opportunity](data=rows[:limit], count=len(rows))

    def assist(self, question: str, session_id: str, history: Any = ()) -> AssistAnswer:
        extra = {"history": list(history)} if history else {}
        self._call("assist", question=question, session_id=session_id, **extra)
        return self.answer


def answer(handler: Any, raw: dict[str, Any], api: Any) -> dict[str, Any]:
    """Run an intent handler on a raw event; the response must follow Lex V2's rules."""
    from campusbot.assistant.lex_events import LexEvent, response_problems

    response: dict[str, Any] = handler(LexEvent.parse(raw), api)
    assert response_problems(response) == [], response_problems(response)
    return response


def text(response: dict[str, Any]) -> str:
    return "\n".join(m["content"] for m in response.get("messages", []))


def action(response: dict[str, Any]) -> str:
    return str(response["sessionState"]["dialogAction"]["type"])


def elicited(response: dict[str, Any]) -> str | None:
    return response["sessionState"]["dialogAction"].get("slotToElicit")


def intent_state(response: dict[str, Any]) -> str:
    return str(response["sessionState"]["intent"]["state"])


def owned(response: dict[str, Any]) -> tuple[str, str]:
    attrs = response["sessionState"]["sessionAttributes"]
    return attrs["campusbot.answer_source"], attrs["campusbot.sources"]
