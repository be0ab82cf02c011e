from __future__ import annotations

import httpx


def company(unique: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": f"Acme {unique}",
        "industry": "tech",
        "email": f"jobs.{unique}@example.com",
        "city": "Berlin",
        "country": "Germany",
        "employees": 40,
        "opportunities": [
            {
                "title": "Data Intern",
                "kind": "internship",
                "field_of_study": "Data Science",
                "city": "Berlin",
                "country": "Germany",
                "salary": 1800,
            }
        ],
    }
    body.update(overrides)
    return body


async def test_company_lifecycle_with_opportunities(client: httpx.AsyncClient, unique: str) -> None:
    created = await client.post("/companies", json=company(unique))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["industry"] == "Software" and len(body["opportunities"]) == 1

    opportunity = await client.post(
        f"/companies/{body['id']}/opportunities",
        json={
            "title": "Backend Engineer",
            "kind": "job",
            "field_of_study": "Computer Science",
            "city": "Remote",
            "country": "Germany",
            "remote": True,
            "salary": 70000,
        },
    )
    assert opportunity.status_code == 201
    opportunity_id = opportunity.json()["id"]
    changed = await client.patch(f"/companies/{body['id']}/opportunities/{opportunity_id}", json={"salary": 72000})
    assert changed.json()["salary"] == 72000
    assert (await client.get(f"/companies/{body['id']}")).json()["opportunities"][-1]["salary"] == 72000

    renamed = await client.patch(f"/companies/{body['id']}", json={"name": f"Acme Renamed {unique}"})
    assert renamed.json()["name"] == f"Acme Renamed {unique}"
    assert (await client.delete(f"/companies/{body['id']}/opportunities/{opportunity_id}")).status_code == 204
    assert (await client.delete(f"/companies/{body['id']}")).status_code == 204
    assert (await client.get(f"/companies/{body['id']}")).status_code == 404
    assert (await client.get(f"/companies/{body['id']}/opportunities/{opportunity_id}")).status_code == 404


async def test_duplicate_company_and_opportunity_are_409(client: httpx.AsyncClient, unique: str) -> None:
    created = (await client.post("/companies", json=company(unique))).json()
    assert (
        await client.post("/companies", json=company(unique, email=f"other.{unique}@example.com"))
    ).status_code == 409
    duplicate = created["opportunities"][0] | {}
    for key in ("id", "company_id"):
        duplicate.pop(key)
    response = await client.post(f"/companies/{created['id']}/opportunities", json=duplicate)
    assert response.status_code == 409


async def test_opportunity_of_another_company_is_404(client: httpx.AsyncClient, unique: str) -> None:
    first = (await client.post("/companies", json=company(unique))).json()
    second = (await client.post("/companies", json=company(unique + "b", email=f"b.{unique}@example.com"))).json()
    opportunity_id = first["opportunities"][0]["id"]
    assert (await client.get(f"/companies/{second['id']}/opportunities/{opportunity_id}")).status_code == 404
    assert (await client.delete(f"/companies/{second['id']}/opportunities/{opportunity_id}")).status_code == 404


async def test_list_filters_by_industry_synonym_and_city(client: httpx.AsyncClient) -> None:
    body = (await client.get("/companies", params={"industry": "fintech", "limit": 100})).json()
    assert body["count"] > 0 and all(c["industry"] == "Finance" for c in body["data"])


async def test_invalid_company_is_422(client: httpx.AsyncClient, unique: str) -> None:
    assert (await client.post("/companies", json=company(unique, employees=0))).status_code == 422
    bad_kind = company(
        unique, opportunities=[{"title": "T", "kind": "gig", "field_of_study": "Law", "city": "X", "country": "Y"}]
    )
    assert (await client.post("/companies", json=bad_kind)).status_code == 422
