"""Runbooks `dashkit build` writes have file names without spaces, and each rule's runbook_url points at its file."""

import json
from urllib.parse import urlsplit


def test_runbook_files_have_no_spaces_and_runbook_urls_point_at_them(grafana, project, dashkit):
    project.config(extra_env="runbooks: {base_url: https://runbooks.example.com/team-a}\n")
    project.write("alerts/payments/api.py", """\
        from dashkit.builders import alert_rule, rule_group

        rule_group = rule_group("api latency", [
            alert_rule("Slow checkout (p95)", "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))",
                       threshold=1, summary="slow"),
        ], folder="Team: Payments/API")
        """)
    built = dashkit("build")
    assert built.code == 0, built.text
    runbooks = sorted(p.relative_to(project.root / "build" / "runbooks").as_posix()
                      for p in (project.root / "build" / "runbooks").rglob("*.md"))
    assert runbooks == ["Team-Payments/API/api-latency/Slow-checkout-p95.md"]
    (group,) = (project.root / "build" / "alerts" / "grafana").rglob("*.json")
    url = json.loads(group.read_text())["rules"][0]["annotations"]["runbook_url"]
    assert url == "https://runbooks.example.com/team-a/Team-Payments/API/api-latency/Slow-checkout-p95.md"
    assert urlsplit(url).path.endswith(runbooks[0])

    synced = dashkit("sync", "--env", "local", "--yes")
    assert synced.code == 0, synced.text
    live = grafana.admin.get(f"{grafana.url}/api/v1/provisioning/alert-rules", timeout=5).json()
    assert [r["annotations"]["runbook_url"] for r in live] == [url]


def test_two_titles_that_would_share_a_runbook_fail_the_build(project, dashkit):
    project.write("alerts/api.py", """\
        from dashkit.builders import alert_rule, rule_group

        rule_group = rule_group("api", [
            alert_rule("High errors", "up == 0", threshold=0, summary="a"),
            alert_rule("High-errors", "up == 0", threshold=0, summary="b"),
        ])
        """)
    failed = dashkit("build")
    assert failed.code == 3
    assert "alerts 'High errors' and 'High-errors' of rule group 'api' would share one runbook file" in failed.err
