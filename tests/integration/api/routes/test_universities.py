from __future__ import annotations

import httpx
import pytest


async def test_list_is_paginated_with_a_total_count(client: httpx.AsyncClient) -> None:
    first = (await client.get("/universities", params={"limit": 5})).json()
    second = (await client.get("/universities", params={"limit": 5, "offset": 5})).json()
    assert first["count"] >= 200
    assert len(first["data"]) == 5 and len(second["data"]) == 5
    assert {u["id"] for u in first["data"]}.isdisjoint({u["id"] for u in second["data"]})


async def test_filters_by_country_field_and_budget(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/universities", params={"country": "Germany", "field": "med school", "max_tuition": 5000, "limit": 100}
    )
    body = response.json()
    assert response.status_code == 200 and body["count"] >= 2
    assert all(u["country"] == "Germany" for u in body["data"])
    for university in body["data"]:
        detail = (await client.get(f"/universities/{university['id']}")).json()
        assert any(p["field_of_study"] == "Medicine" and p["tuition"] <= 5000 for p in detail["programs"])


async def test_filters_by_city_and_text(client: httpx.AsyncClient) -> None:
    by_city = (await client.get("/universities", params={"city": "munich"})).json()
    assert any(u["name"] == "Technical University of Munich" for u in by_city["data"])
    by_text = (await client.get("/universities", params={"q": "zurich"})).json()
    assert any(u["name"] == "ETH Zurich" for u in by_text["data"])


async def test_text_query_takes_like_wildcards_literally(client: httpx.AsyncClient) -> None:
    response = await client.get("/universities", params={"q": "%_%"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


async def test_get_returns_programs(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/universities", params={"q": "Technical University of Munich"})).json()
    university = (await client.get(f"/universities/{listed['data'][0]['id']}")).json()
    assert university["name"] == "Technical University of Munich"
    assert university["programs"] and all(p["university_id"] == university["id"] for p in university["programs"])


async def test_by_name_finds_exact_and_partial_names(client: httpx.AsyncClient) -> None:
    exact = await client.get("/universities/by-name", params={"name": "eth zurich"})
    assert exact.status_code == 200 and exact.json()["name"] == "ETH Zurich"
    missing = await client.get("/universities/by-name", params={"name": "Hogwarts"})
    assert missing.status_code == 404
    assert "Hogwarts" in missing.json()["detail"]


async def test_create_update_delete_with_programs(client: httpx.AsyncClient, unique: str) -> None:
    body = {
        "name": f"Test University {unique}",
        "country": "Portugal",
        "city": "Lisbon",
        "world_rank": 901,
        "programs": [
            {
                "name": "MSc Data Science",
                "field_of_study": "Data Science",
                "degree": "master",
                "tuition": 3500,
                "language": "English",
                "duration_years": 2,
                "min_gpa": 3.0,
            }
        ],
    }
    created = await client.post("/universities", json=body)
    assert created.status_code == 201, created.text
    university = created.json()
    assert university["programs"][0]["name"] == "MSc Data Science"

    updated = await client.patch(f"/universities/{university['id']}", json={"city": "Porto", "world_rank": 850})
    assert updated.status_code == 200
    assert updated.json()["city"] == "Porto" and updated.json()["world_rank"] == 850
    assert updated.json()["name"] == body["name"]

    program = await client.post(
        f"/universities/{university['id']}/programs",
        json={
            "name": "BSc Physics",
            "field_of_study": "Physics",
            "degree": "bachelor",
            "tuition": 1000,
            "language": "Portuguese",
            "duration_years": 3,
        },
    )
    assert program.status_code == 201
    program_id = program.json()["id"]
    changed = await client.patch(f"/universities/{university['id']}/programs/{program_id}", json={"tuition": 1200})
    assert changed.json()["tuition"] == 1200
    assert (await client.delete(f"/universities/{university['id']}/programs/{program_id}")).status_code == 204
    assert (await client.get(f"/universities/{university['id']}/programs/{program_id}")).status_code == 404

    assert (await client.delete(f"/universities/{university['id']}")).status_code == 204
    assert (await client.get(f"/universities/{university['id']}")).status_code == 404


async def test_duplicate_name_is_a_409_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/universities", json={"name": "ETH Zurich", "country": "Switzerland", "city": "Zurich"}
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "ETH Zurich" in response.json()["detail"]


async def test_duplicate_program_is_a_409_and_nothing_is_half_written(client: httpx.AsyncClient, unique: str) -> None:
    program = {
        "name": "BSc Law",
        "field_of_study": "Law",
        "degree": "bachelor",
        "tuition": 0,
        "language": "German",
        "duration_years": 4,
    }
    response = await client.post(
        "/universities",
        json={"name": f"Dup University {unique}", "country": "Austria", "city": "Graz", "programs": [program, program]},
    )
    assert response.status_code == 409
    listed = (await client.get("/universities", params={"q": f"Dup University {unique}"})).json()
    assert listed["count"] == 0


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/universities", {"limit": 0}),
        ("/universities", {"limit": 101}),
        ("/universities", {"offset": -1}),
        ("/universities", {"max_tuition": -5}),
        ("/universities", {"max_tuition": "cheap"}),
        ("/universities", {"degree": "diploma"}),
        ("/universities/0", {}),
        ("/universities/99999999999", {}),
        ("/universities/abc", {}),
    ],
)
async def test_bad_parameters_are_422_problems(client: httpx.AsyncClient, path: str, params: dict[str, object]) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Invalid request" and problem["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "", "country": "X", "city": "Y"},
        {"name": "N", "country": "X", "city": "Y", "world_rank": 0},
        {"name": "N", "country": "X", "city": "Y", "acceptance_rate": 1.5},
        {"name": "N", "country": "X", "city": "Y", "website": "not a url"},
        {"name": "N\u0000", "country": "X", "city": "Y"},
        {"name": "N", "country": "X", "city": "Y", "programs": [{"name": "P"}]},
        {
            "name": "N",
            "country": "X",
            "city": "Y",
            "programs": [
                {
                    "name": "P",
                    "field_of_study": "Law",
                    "degree": "bachelor",
                    "tuition": 250000,
                    "language": "English",
                    "duration_years": 3,
                }
            ],
        },
    ],
)
async def test_invalid_bodies_are_422_with_the_field(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await client.post("/universities", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"]


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/universities", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


async def test_missing_rows_are_404_problems(client: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", "/universities/2147483647"),
        ("PATCH", "/universities/2147483647"),
        ("DELETE", "/universities/2147483647"),
        ("GET", "/universities/1/programs/2147483647"),
    ]:
        response = await client.request(method, path, json={} if method == "PATCH" else None)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["title"] == "Not found"


async def test_the_schema_not_the_database_refuses_what_the_database_would(
    client: httpx.AsyncClient, unique: str
) -> None:
    """Issue 15: `city: null` on PATCH and a duration that rounds to 0 are the schema's 422 naming the field; a value
    with more decimals than the column keeps is stored rounded, as the answer shows."""
    created = await client.post("/universities", json={"name": f"Bounds U {unique}", "country": "X", "city": "Y"})
    assert created.status_code == 201, created.text
    university_id = created.json()["id"]
    null_city = await client.patch(f"/universities/{university_id}", json={"city": None})
    assert null_city.status_code == 422 and null_city.json()["errors"][0]["loc"] == ["body", "city"], null_city.text
    assert "constraint" not in null_city.text
    program = {"name": "P", "field_of_study": "Law", "degree": "master", "tuition": 10.005, "language": "English"}
    too_short = await client.post(f"/universities/{university_id}/programs", json={**program, "duration_years": 0.04})
    assert too_short.status_code == 422 and too_short.json()["errors"][0]["loc"] == ["body", "duration_years"]
    rounded = await client.post(f"/universities/{university_id}/programs", json={**program, "duration_years": 1.25})
    assert rounded.status_code == 201, rounded.text
    assert rounded.json()["duration_years"] == 1.3 and rounded.json()["tuition"] == 10.01
    stored = await client.get(f"/universities/{university_id}/programs/{rounded.json()['id']}")
    assert stored.json()["duration_years"] == 1.3 and stored.json()["tuition"] == 10.01
    assert (await client.delete(f"/universities/{university_id}")).status_code == 204
