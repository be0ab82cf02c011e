from __future__ import annotations

import httpx
import pytest


def student(unique: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "first_name": "Zoë",
        "last_name": "Tester",
        "email": f"Zoe.{unique}@Example.edu",
        "country": "usa",
        "field_of_study": "cs",
        "gpa": 3.4,
        "max_tuition": 20000,
        "interests": ["robotics"],
    }
    body.update(overrides)
    return body


async def test_register_normalises_email_field_and_country(client: httpx.AsyncClient, unique: str) -> None:
    response = await client.post("/students", json=student(unique))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["email"] == f"zoe.{unique}@example.edu"
    assert created["field_of_study"] == "Computer Science"
    assert created["country"] == "United States"
    assert (await client.get(f"/students/{created['id']}")).json() == created


async def test_duplicate_email_is_409_whatever_the_case(client: httpx.AsyncClient, unique: str) -> None:
    assert (await client.post("/students", json=student(unique))).status_code == 201
    again = await client.post("/students", json=student(unique, email=f"ZOE.{unique}@EXAMPLE.EDU"))
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]


async def test_list_filters(client: httpx.AsyncClient) -> None:
    body = (await client.get("/students", params={"field": "Computer Science", "limit": 100})).json()
    assert body["count"] > 0 and all(s["field_of_study"] == "Computer Science" for s in body["data"])
    by_email = (await client.get("/students", params={"email": "ANA.GARCIA@example.edu"})).json()
    assert by_email["count"] == 1 and by_email["data"][0]["first_name"] == "Ana"
    by_name = (await client.get("/students", params={"q": "garcía"})).json()
    assert any(s["email"] == "ana.garcia@example.edu" for s in by_name["data"])


async def test_update_and_delete(client: httpx.AsyncClient, unique: str) -> None:
    created = (await client.post("/students", json=student(unique))).json()
    updated = await client.patch(f"/students/{created['id']}", json={"gpa": 3.9, "field_of_study": "maths"})
    assert updated.json()["gpa"] == 3.9 and updated.json()["field_of_study"] == "Mathematics"
    assert (await client.delete(f"/students/{created['id']}")).status_code == 204
    assert (await client.get(f"/students/{created['id']}")).status_code == 404


async def test_changing_email_to_a_taken_one_is_409(client: httpx.AsyncClient, unique: str) -> None:
    created = (await client.post("/students", json=student(unique))).json()
    response = await client.patch(f"/students/{created['id']}", json={"email": "ana.garcia@example.edu"})
    assert response.status_code == 409
    assert (await client.get(f"/students/{created['id']}")).json()["email"] == created["email"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"gpa": 4.5},
        {"gpa": -1},
        {"email": "not-an-email"},
        {"max_tuition": -1},
        {"first_name": "  "},
        {"interests": ["x"] * 21},
        {"first_name": "a" * 81},
    ],
)
async def test_invalid_registrations_are_422(
    client: httpx.AsyncClient, unique: str, overrides: dict[str, object]
) -> None:
    response = await client.post("/students", json=student(unique, **overrides))
    assert response.status_code == 422, response.text


async def test_a_registration_is_linked_to_one_cognito_subject(client: httpx.AsyncClient, unique: str) -> None:
    """Migration 0003: student_registration.cognito_sub, unique; GET /students?cognito_sub= finds the owner's."""
    sub = f"5e0c0000-{unique}"
    created = await client.post("/students", json=student(unique, cognito_sub=sub))
    assert created.status_code == 201, created.text
    assert created.json()["cognito_sub"] == sub
    found = (await client.get("/students", params={"cognito_sub": sub})).json()
    assert [s["id"] for s in found["data"]] == [created.json()["id"]]
    again = await client.post("/students", json=student(f"{unique}-2", cognito_sub=sub))
    assert again.status_code == 409
    assert "cognito_sub" in again.json()["detail"]
    assert (await client.get("/students", params={"cognito_sub": f"nobody-{unique}"})).json()["data"] == []
    bad = await client.post("/students", json=student(f"{unique}-3", cognito_sub="not a sub!"))
    assert bad.status_code == 422
