from __future__ import annotations

import httpx


async def test_search_by_field_and_city_returns_company_names(client: httpx.AsyncClient) -> None:
    response = await client.get("/opportunities", params={"field": "CS", "city": "Berlin", "limit": 50})
    body = response.json()
    assert response.status_code == 200 and body["count"] >= 1
    for item in body["data"]:
        assert item["field_of_study"] == "Computer Science" and item["city"] == "Berlin"
        assert item["company_name"] and item["industry"]


async def test_search_by_industry_kind_and_remote(client: httpx.AsyncClient) -> None:
    body = (await client.get("/opportunities", params={"industry": "Software", "kind": "internship"})).json()
    assert body["count"] > 0
    assert all(o["industry"] == "Software" and o["kind"] == "internship" for o in body["data"])
    remote = (await client.get("/opportunities", params={"remote": True})).json()
    assert remote["count"] > 0 and all(o["remote"] for o in remote["data"])


async def test_bad_kind_is_422(client: httpx.AsyncClient) -> None:
    assert (await client.get("/opportunities", params={"kind": "gig"})).status_code == 422
