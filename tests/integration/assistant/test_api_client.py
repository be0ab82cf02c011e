"""The HTTP adapter against the real data API: its shapes match what the routes answer, errors map right."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from campusbot.assistant.api_client import (
    ApiConflict,
    ApiNotFound,
    ApiRejected,
    ApiUnavailable,
    HttpApiClient,
    NewStudent,
)


@pytest.fixture
def api(api_server: str) -> Iterator[HttpApiClient]:
    client = HttpApiClient(api_server)
    yield client
    client.close()


def test_recommendations(api: HttpApiClient) -> None:
    result = api.recommendations(field="med school", country="germany", limit=3)
    assert result.field_of_study == "Medicine" and result.country == "Germany"
    assert 1 <= len(result.data) <= 3
    assert all(r.university.country == "Germany" and r.program.tuition == 0 for r in result.data)
    assert all(r.reasons for r in result.data)


def test_recommendations_for_a_student_use_their_budget(api: HttpApiClient) -> None:
    ana = api.student_by_email("ana.garcia@example.edu")
    assert ana is not None
    result = api.recommendations(field="Computer Science", student_id=ana.id)
    assert result.student_id == ana.id and result.max_tuition == 15000
    with pytest.raises(ApiNotFound):
        api.recommendations(field="Computer Science", student_id=2_000_000_000)


def test_university_by_name_and_students(api: HttpApiClient) -> None:
    tum = api.university_by_name("Technical University of Munich")
    assert (tum.city, tum.world_rank) == ("Munich", 37)
    assert any(p.name == "MSc Computer Science" for p in tum.programs)
    with pytest.raises(ApiNotFound):
        api.university_by_name("No Such University Anywhere")
    with pytest.raises(ApiRejected):
        api.university_by_name("x")  # shorter than the route accepts
    ana = api.student_by_email("ANA.GARCIA@example.edu")
    assert ana is not None and api.student(ana.id).email == "ana.garcia@example.edu"
    assert api.student_by_email("nobody-at-all@example.edu") is None
    with pytest.raises(ApiNotFound):
        api.student(2_000_000_000)


def test_create_student_then_conflict_then_rejection(api: HttpApiClient, unique: str) -> None:
    new = NewStudent(
        first_name="Kai", last_name="Tanaka", email=f"kai.{unique}@example.edu", country="japan", field_of_study="cs"
    )
    created = api.create_student(new)
    assert (created.country, created.field_of_study) == ("Japan", "Computer Science")
    with pytest.raises(ApiConflict):
        api.create_student(new)
    with pytest.raises(ApiRejected) as caught:
        api.create_student(new.model_copy(update={"email": "not-an-email"}))
    assert caught.value.field == "email"


def test_opportunities(api: HttpApiClient) -> None:
    page = api.opportunities(field="Computer Science", city="Berlin")
    assert page.count >= 1
    assert {o.company_name for o in page.data} >= {"Northwind Analytics"}
    london = api.opportunities(industry="fintech", city="London", limit=50)
    assert "Thameside Capital" in {o.company_name for o in london.data}
    assert {o.industry for o in london.data} == {"Finance"}


def test_assist_answers_or_is_reported_missing(api: HttpApiClient) -> None:
    try:
        answer = api.assist("how do I apply for a student visa?", "it-session")
    except (ApiNotFound, ApiUnavailable):
        return  # POST /assist not served (yet) or failing: the fallback intent handles both
    assert isinstance(answer.answer, str)
    assert isinstance(answer.sources, list)
