from __future__ import annotations

import httpx


async def test_ranked_for_a_field_with_reasons(client: httpx.AsyncClient) -> None:
    response = await client.get("/universities/recommendations", params={"field": "Computer Science", "limit": 10})
    assert response.status_code == 200
    body = response.json()
    assert body["field_of_study"] == "Computer Science"
    results = body["data"]
    assert len(results) == 10
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    assert len({r["university"]["id"] for r in results}) == 10, "one entry per university"
    for result in results:
        assert result["program"]["field_of_study"] == "Computer Science"
        assert result["reasons"] and result["reasons"][0].startswith("offers ")


async def test_synonyms_country_and_budget_are_honoured(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/universities/recommendations", params={"field": "med school", "country": "germany", "max_tuition": 3000}
    )
    body = response.json()
    assert body["field_of_study"] == "Medicine" and body["country"] == "Germany"
    assert len(body["data"]) >= 2
    for result in body["data"]:
        assert result["university"]["country"] == "Germany"
        assert result["program"]["tuition"] <= 3000
        assert any("as you asked" in reason for reason in result["reasons"])


async def test_a_students_gpa_and_interests_shape_the_ranking(client: httpx.AsyncClient) -> None:
    student = (await client.get("/students", params={"email": "ana.garcia@example.edu"})).json()["data"][0]
    response = await client.get(
        "/universities/recommendations", params={"field": student["field_of_study"], "student_id": student["id"]}
    )
    body = response.json()
    assert body["student_id"] == student["id"]
    reasons = [reason for result in body["data"] for reason in result["reasons"]]
    assert any("GPA" in reason for reason in reasons)
    if student["max_tuition"] is not None:
        assert all(r["program"]["tuition"] <= student["max_tuition"] for r in body["data"])


async def test_unknown_student_is_404_and_missing_field_is_422(client: httpx.AsyncClient) -> None:
    assert (
        await client.get("/universities/recommendations", params={"field": "Law", "student_id": 2**31 - 1})
    ).status_code == 404
    assert (await client.get("/universities/recommendations")).status_code == 422
    assert (await client.get("/universities/recommendations", params={"field": "Law", "limit": 51})).status_code == 422


async def test_nothing_matches_gives_an_empty_list(client: httpx.AsyncClient) -> None:
    response = await client.get("/universities/recommendations", params={"field": "Underwater Basket Weaving"})
    assert response.status_code == 200 and response.json()["data"] == []


async def test_a_region_is_its_countries_and_cheapest_comes_first(client: httpx.AsyncClient) -> None:
    """Issue 13: "the cheapest computer science master in europe"."""
    from campusbot.bot.vocabulary import regions

    params = {"field": "cs", "region": "europe", "order": "cheapest", "degree": "master", "limit": 10}
    body = (await client.get("/universities/recommendations", params=params)).json()
    assert body["region"] == "Europe" and body["order"] == "cheapest" and body["country"] is None
    assert body["data"], body
    assert all(r["university"]["country"] in regions()["Europe"] for r in body["data"])
    assert all(r["program"]["degree"] == "master" for r in body["data"])
    fees = [r["program"]["tuition"] for r in body["data"]]
    assert fees == sorted(fees)


async def test_best_ranked_first_and_a_country_wins_over_a_region(client: httpx.AsyncClient) -> None:
    params = {"field": "Medicine", "region": "Asia", "country": "Germany", "order": "best_ranked", "limit": 10}
    body = (await client.get("/universities/recommendations", params=params)).json()
    assert body["country"] == "Germany" and body["region"] is None
    ranks = [r["university"]["world_rank"] or 2000 for r in body["data"]]
    assert ranks == sorted(ranks) and all(r["university"]["country"] == "Germany" for r in body["data"])


async def test_unknown_region_or_order_is_rejected(client: httpx.AsyncClient) -> None:
    bad_region = await client.get("/universities/recommendations", params={"field": "Law", "region": "Mars"})
    assert bad_region.status_code == 422 and "unknown region" in bad_region.text
    bad_order = await client.get("/universities/recommendations", params={"field": "Law", "order": "random"})
    assert bad_order.status_code == 422


async def test_tuition_by_country_comes_from_the_programs(client: httpx.AsyncClient) -> None:
    """Issue 13: "how much does it cost to study in the netherlands" is answered from the database."""
    body = (await client.get("/universities/tuition", params={"country": "the netherlands"})).json()
    assert body["country"] == "Netherlands" and body["programs"] > 0 and body["universities"] > 0
    assert body["lowest"] <= body["median"] <= body["highest"]
    programs = (await client.get("/universities", params={"country": "Netherlands", "limit": 100})).json()["data"]
    assert len(programs) == body["universities"]
    cs = (await client.get("/universities/tuition", params={"country": "Netherlands", "field": "cs"})).json()
    assert cs["field_of_study"] == "Computer Science" and cs["programs"] <= body["programs"]
    nowhere = (await client.get("/universities/tuition", params={"country": "Atlantis"})).json()
    assert nowhere["programs"] == 0 and nowhere["lowest"] is None
