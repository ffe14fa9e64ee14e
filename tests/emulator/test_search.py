"""GET /api/search: filters, ordering, paging, hit shape (grafana-api.md §5; §11 item 14)."""

from __future__ import annotations

import pytest


@pytest.fixture
def library(api):
    """Folders `Ops` > `Nested`, and `apps`; dashboards at the root and in both top folders."""
    api.folder("Ops", "ops")
    api.folder("apps", "apps")
    api.folder("Nested", "nested", parent="ops")
    api.save({"title": "zeta", "uid": "zeta", "tags": ["prod", "web"]})
    api.save({"title": "Alpha", "uid": "alpha", "tags": ["prod"]})
    api.save({"title": "beta", "uid": "beta", "tags": ["web", "prod"]}, folderUid="ops")
    api.save({"title": "Gamma", "uid": "gamma"}, folderUid="apps")
    api.save({"title": "Deep", "uid": "deep"}, folderUid="nested")
    return api


def titles(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [hit["title"] for hit in response.json()]


def test_folders_first_then_dashboards_alphabetical_case_insensitive(library) -> None:
    assert titles(library.get("/api/search")) == [
        "apps",
        "Nested",
        "Ops",
        "Alpha",
        "beta",
        "Deep",
        "Gamma",
        "zeta",
    ]


def test_hit_shape_root_vs_foldered(library) -> None:
    hits = {hit["uid"]: hit for hit in library.get("/api/search").json()}
    root = hits["zeta"]
    assert not any(key.startswith("folder") for key in root)
    assert root["type"] == "dash-db" and root["url"] == "/d/zeta/zeta" and root["uri"] == "db/zeta"
    assert root["tags"] == ["prod", "web"]
    assert root["isStarred"] is False and isinstance(root["id"], int)
    assert hits["alpha"]["tags"] == ["prod"]
    assert hits["gamma"]["tags"] == []
    beta = hits["beta"]
    assert (beta["folderUid"], beta["folderTitle"], beta["folderUrl"]) == ("ops", "Ops", "/dashboards/f/ops/ops")
    assert beta["tags"] == ["prod", "web"]
    nested = hits["nested"]
    assert nested["type"] == "dash-folder" and (nested["folderUid"], nested["folderTitle"]) == ("ops", "Ops")
    assert not any(key.startswith("folder") for key in hits["ops"])


def test_type_filter_lists_folders_at_every_level(library) -> None:
    assert titles(library.get("/api/search", params={"type": "dash-folder"})) == ["apps", "Nested", "Ops"]
    assert titles(library.get("/api/search", params={"type": "dash-db"})) == ["Alpha", "beta", "Deep", "Gamma", "zeta"]


def test_query_tag_folder_and_uid_filters(library) -> None:
    assert titles(library.get("/api/search", params={"query": "ETA"})) == ["beta", "zeta"]
    assert titles(library.get("/api/search", params={"tag": ["prod", "web"]})) == ["beta", "zeta"]
    assert titles(library.get("/api/search", params={"tag": "prod"})) == ["Alpha", "beta", "zeta"]
    assert titles(library.get("/api/search", params={"folderUIDs": "ops"})) == ["Nested", "beta"]
    assert titles(library.get("/api/search", params={"folderUIDs": "general", "type": "dash-db"})) == ["Alpha", "zeta"]
    assert titles(library.get("/api/search", params={"folderUIDs": ["ops", "apps"], "type": "dash-db"})) == [
        "beta",
        "Gamma",
    ]
    assert titles(library.get("/api/search", params={"dashboardUIDs": ["zeta", "deep"]})) == ["Deep", "zeta"]


def test_uid_and_id_forms_together_are_400(library) -> None:
    response = library.get("/api/search", params={"folderUIDs": "ops", "folderIds": "1"})
    assert (response.status_code, response.json()["message"]) == (400, "search supports UIDs or IDs, not both")


def test_paging_is_one_based_and_limit_is_the_page_size(library) -> None:
    every = titles(library.get("/api/search"))
    pages = [titles(library.get("/api/search", params={"limit": 3, "page": page})) for page in (1, 2, 3, 4)]
    assert pages[0] == every[:3] and pages[1] == every[3:6] and pages[2] == every[6:] and pages[3] == []
    assert titles(library.get("/api/search", params={"limit": 3, "page": 0})) == every[:3]


def test_limit_above_5000_is_422(api) -> None:
    assert api.get("/api/search", params={"limit": 5000}).status_code == 200
    response = api.get("/api/search", params={"limit": 5001})
    assert response.status_code == 422
    assert response.json()["message"] == (
        "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit"
    )


def test_default_limit_is_1000(api) -> None:
    for index in range(1005):
        api.post("/__emulator/provisioned", json={"dashboard": {"title": f"d{index:04d}", "uid": f"d{index}"}})
    assert len(api.get("/api/search").json()) == 1000
    assert len(api.get("/api/search", params={"page": 2}).json()) == 5


def test_explicit_sort_mixes_folders_and_dashboards(library) -> None:
    assert titles(library.get("/api/search", params={"sort": "alpha-desc"}))[:3] == ["zeta", "Ops", "Nested"]
