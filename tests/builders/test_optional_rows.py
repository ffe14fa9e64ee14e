"""A project without tempo (or loki): service_dashboard says which option leaves the row out, and the alerts that
link to the dashboard's panels build without either."""


def test_missing_tempo_names_the_option_that_removes_the_traces_row(project, dashkit):
    project.write("dashboards/orders.py", """\
        from dashkit.builders import service_dashboard

        dashboard = service_dashboard("orders")
        """)
    failed = dashkit("build")
    assert failed.code == 3
    assert "dashboards/orders.py:3" in failed.err and "unknown logical datasource 'tempo'" in failed.err
    assert "pass traces_datasource=None to leave that row out, or map 'tempo'" in failed.err

    project.write("dashboards/orders.py", """\
        from dashkit.builders import service_dashboard

        dashboard = service_dashboard("orders", traces_datasource=None)
        """)
    built = dashkit("build")
    assert built.code == 0, built.text
    rows = [p["title"] for p in _built(project, "orders-golden-signals")["panels"] if p["type"] == "row"]
    assert "Logs" in rows and "Traces" not in rows


def test_missing_loki_names_logs_datasource(project, dashkit):
    project.config()
    (project.root / "dashkit.yaml").write_text(
        (project.root / "dashkit.yaml").read_text().replace("      loki: {name: Loki}\n", ""))
    project.write("dashboards/orders.py", """\
        from dashkit.builders import service_dashboard

        dashboard = service_dashboard("orders", traces_datasource=None)
        """)
    failed = dashkit("build")
    assert failed.code == 3 and "unknown logical datasource 'loki'" in failed.err
    assert "pass logs_datasource=None to leave that row out" in failed.err


def test_service_alerts_build_in_a_project_without_tempo(project, dashkit):
    project.write("alerts/orders.py", """\
        from dashkit.builders import service_alerts

        rule_groups = [service_alerts("orders")]
        """)
    project.write("dashboards/orders.py", """\
        from dashkit.builders import service_dashboard

        dashboard = service_dashboard("orders", traces_datasource=None)
        """)
    built = dashkit("build")
    assert built.code == 0, built.text
    panels = {p["title"]: p["id"] for row in _built(project, "orders-golden-signals")["panels"]
              for p in (row, *row.get("panels", []))}
    rules = _rule_group(project)["rules"]
    linked = {r["title"]: int(r["annotations"]["__panelId__"]) for r in rules}
    assert linked["HighErrorRate"] == panels["Error rate"] and linked["HighCPUUsage"] == panels["CPU usage / limit"]


def _built(project, uid: str) -> dict:
    import json

    (path,) = (project.root / "build" / "dashboards").rglob(f"{uid}.json")
    return json.loads(path.read_text())


def _rule_group(project) -> dict:
    import json

    (path,) = (project.root / "build" / "alerts").rglob("orders-golden-signals.json")
    return json.loads(path.read_text())
