"""Datasource lookups and the seed-file loader (grafana-api.md §8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from dashkit.emulator import load_datasources


def test_list_is_sorted_case_insensitively_with_list_fields(api) -> None:
    listed = api.get("/api/datasources").json()
    assert [ds["name"] for ds in listed] == ["Loki", "Prometheus", "Tempo"]
    prom = listed[1]
    assert (prom["uid"], prom["type"], prom["isDefault"], prom["orgId"]) == ("prom-local", "prometheus", True, 1)
    assert {"id", "typeName", "access", "url", "jsonData", "readOnly"} <= set(prom)


def test_lookup_by_uid_and_by_escaped_name(emulator_factory) -> None:
    emu = emulator_factory(
        datasources=[
            {"uid": "b", "name": "b metrics", "type": "prometheus"},
            {"uid": "a", "name": "A/Logs", "type": "loki", "secureJsonData": {"password": "s3cret"}},
        ]
    )
    headers = {"Authorization": "Bearer admin-token"}
    by_name = requests.get(emu.url + "/api/datasources/name/A%2FLogs", headers=headers, timeout=5)
    assert by_name.status_code == 200 and by_name.json()["uid"] == "a"
    assert by_name.json()["secureJsonFields"] == {"password": True}
    assert "s3cret" not in by_name.text
    by_uid = requests.get(emu.url + "/api/datasources/uid/b", headers=headers, timeout=5).json()
    assert by_uid["name"] == "b metrics"
    listed = requests.get(emu.url + "/api/datasources", headers=headers, timeout=5).json()
    assert [ds["name"] for ds in listed] == ["A/Logs", "b metrics"]


def test_unknown_datasource_is_404(api) -> None:
    for path in ("/api/datasources/uid/nope", "/api/datasources/name/Nope"):
        response = api.get(path)
        assert (response.status_code, response.json()) == (404, {"message": "Data source not found"})


def test_load_datasources_reads_yaml_json_and_provisioning_files(tmp_path: Path) -> None:
    plain = tmp_path / "ds.yaml"
    plain.write_text("- name: Prom\n  type: prometheus\n  uid: p\n")
    assert load_datasources(plain) == [{"name": "Prom", "type": "prometheus", "uid": "p"}]
    provisioning = tmp_path / "prov.yml"
    provisioning.write_text("apiVersion: 1\ndatasources:\n  - name: Loki\n    type: loki\n")
    assert load_datasources(provisioning)[0]["name"] == "Loki"
    as_json = tmp_path / "ds.json"
    as_json.write_text(json.dumps([{"name": "T", "type": "tempo"}]))
    assert load_datasources(as_json)[0]["type"] == "tempo"
    broken = tmp_path / "broken.yaml"
    broken.write_text("- type: loki\n")
    with pytest.raises(ValueError, match="needs a 'name'"):
        load_datasources(broken)
