"""Teams through `/api/teams` on 11, 12 and 13 (grafana-api.md §15.4)."""

from __future__ import annotations

import hashlib
from typing import Any


def avatar(text: str) -> str:
    return "/avatar/" + hashlib.md5(text.lower().encode()).hexdigest()


def create(api, name: str, email: str = "") -> dict[str, Any]:
    response = api.post("/api/teams", json={"name": name, "email": email})
    assert response.status_code == 200, response.text
    return response.json()


def search(api, **params: Any) -> dict[str, Any]:
    response = api.get("/api/teams/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def error(response) -> tuple[int, dict[str, Any]]:
    return response.status_code, response.json()


def test_create_answers_the_new_id_and_a_generated_uid(versioned) -> None:
    created = versioned.post("/api/teams", json={"name": "SRE", "email": "sre@example.com", "uid": "mine"}).json()
    assert list(created) == ["message", "teamId", "uid"] and created["message"] == "Team created"
    assert created["uid"] != "mine" and created["uid"][0].isalpha()
    assert create(versioned, "Platform")["teamId"] == created["teamId"] + 1


def test_create_refusals(versioned) -> None:
    create(versioned, "SRE")
    for body in ({}, {"name": ""}, {"name": 7}):
        assert error(versioned.post("/api/teams", json=body)) == (400, {"message": "bad request data"})
    assert error(versioned.post("/api/teams", json={"name": "SRE"})) == (
        409,
        {"message": "Team name taken", "traceID": ""},
    )
    assert create(versioned, "sre")["message"] == "Team created"  # an exact match only


def test_team_dto_and_its_avatar(versioned) -> None:
    created = create(versioned, "Site Reliability!", "SRE@Example.com")
    create(versioned, "No Mail #1")
    teams = {team["name"]: team for team in search(versioned)["teams"]}
    sre = teams["Site Reliability!"]
    extra = ["externalUID", "isProvisioned"] if versioned.major >= 12 else []
    assert list(sre) == [
        "id",
        "uid",
        "orgId",
        "name",
        "email",
        *extra,
        "avatarUrl",
        "memberCount",
        "permission",
        "accessControl",
    ]
    assert (sre["id"], sre["uid"], sre["orgId"], sre["email"]) == (
        created["teamId"],
        created["uid"],
        1,
        "SRE@Example.com",
    )
    assert (sre["memberCount"], sre["permission"], sre["accessControl"]) == (0, 0, None)  # created by a service account
    assert sre["avatarUrl"] == avatar("sre@example.com")
    assert teams["No Mail #1"]["avatarUrl"] == avatar("NoMail1@localhost")
    if versioned.major >= 12:
        assert (sre["externalUID"], sre["isProvisioned"]) == ("", False)


def test_a_user_who_creates_a_team_is_its_admin(versioned) -> None:
    admin_user = versioned.other(auth=("admin", "admin"))
    created = create(admin_user, "Owners")
    as_creator = admin_user.get(f"/api/teams/{created['teamId']}").json()
    assert (as_creator["memberCount"], as_creator["permission"]) == (1, 4)
    as_other = versioned.get(f"/api/teams/{created['teamId']}").json()
    assert (as_other["memberCount"], as_other["permission"]) == (1, 0)


def test_search_matches_orders_and_pages(versioned) -> None:
    for name in ("Payments", "Platform", "ops", "Observability"):
        create(versioned, name)
    everything = search(versioned)
    assert list(everything) == ["totalCount", "teams", "page", "perPage"]
    assert (everything["totalCount"], everything["page"], everything["perPage"]) == (4, 1, 1000)
    assert [t["name"] for t in everything["teams"]] == ["Observability", "Payments", "Platform", "ops"]
    assert [t["name"] for t in search(versioned, query="O")["teams"]] == ["Observability", "Platform", "ops"]
    assert [t["name"] for t in search(versioned, name="ops")["teams"]] == ["ops"]
    assert search(versioned, name="Ops")["teams"] == []
    paged = search(versioned, perpage=2, page=2)
    assert (paged["totalCount"], paged["page"], paged["perPage"]) == (4, 2, 2)
    assert [t["name"] for t in paged["teams"]] == ["Platform", "ops"]


def test_get_by_id_or_uid(versioned) -> None:
    created = create(versioned, "SRE")
    by_id = versioned.get(f"/api/teams/{created['teamId']}").json()
    assert versioned.get(f"/api/teams/{created['uid']}").json() == by_id and by_id["name"] == "SRE"
    assert error(versioned.get("/api/teams/999")) == (404, {"message": "Team not found", "traceID": ""})
    assert error(versioned.get("/api/teams/no-such-uid")) == (404, {"message": "Not found"})


def test_update(versioned) -> None:
    sre = create(versioned, "SRE", "sre@example.com")
    create(versioned, "Ops")
    path = f"/api/teams/{sre['teamId']}"
    assert versioned.put(path, json={"name": "", "email": "new@example.com"}).json() == {"message": "Team updated"}
    assert (versioned.get(path).json()["name"], versioned.get(path).json()["email"]) == ("SRE", "new@example.com")
    assert versioned.put(f"/api/teams/{sre['uid']}", json={"name": "Reliability"}).status_code == 200
    assert (versioned.get(path).json()["name"], versioned.get(path).json()["email"]) == ("Reliability", "")
    assert versioned.put(path, json={"name": "Reliability"}).status_code == 200  # its own name is not taken
    assert error(versioned.put(path, json={"name": "Ops"})) == (400, {"message": "Team name taken", "traceID": ""})
    missing = versioned.put("/api/teams/999", json={"name": "Ghost"})
    assert error(missing) == (500, {"message": "Failed to update Team", "traceID": ""})
    assert error(versioned.put("/api/teams/no-such-uid", json={"name": "Ghost"})) == (404, {"message": "Not found"})


def test_delete_takes_the_teams_permissions_along(versioned) -> None:
    sre = create(versioned, "SRE")
    versioned.folder("Ops", "ops")
    items = [{"teamId": sre["teamId"], "permission": 2}, {"role": "Viewer", "permission": 1}]
    assert versioned.post("/api/folders/ops/permissions", json={"items": items}).status_code == 200
    assert versioned.delete(f"/api/teams/{sre['uid']}").json() == {"message": "Team deleted"}
    assert [e["teamId"] for e in versioned.get("/api/folders/ops/permissions").json()] == [0]
    assert error(versioned.delete(f"/api/teams/{sre['teamId']}")) == (
        404,
        {"message": "Failed to delete Team. ID not found"},
    )
    assert search(versioned)["totalCount"] == 0


def test_teams_need_admin(versioned) -> None:
    editor = versioned.other("editor-token")
    response = editor.post("/api/teams", json={"name": "Mine"})
    assert response.status_code == 403 and response.json()["message"].endswith("teams:create")
    assert editor.get("/api/teams/search").status_code == 403
