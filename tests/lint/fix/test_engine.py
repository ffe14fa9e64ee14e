"""`dashkit lint --fix` as a user runs it: files fixed in place in their own layout, one line per fix, a summary, the
findings that remain; what it cannot or must not rewrite is said, never silently skipped."""

import json
import os
import shutil
from pathlib import Path

from conftest import CORPUS
from dashkit.lint.rules._examples import dashboard, panel
from dashkit.schema_v2 import classic_to_v2

NODES = CORPUS / "prometheus-operator+kube-prometheus" / "releases" / "v0.8.0" / "dashboards" / "nodes.json"
KEDA = "tests/lint/precision/files/keda/keda-dashboard.json"
RATE_5M = dashboard(panel(expr="sum(rate(http_requests_total[5m]))"))


def _copy(source, folder):
    folder.mkdir(parents=True, exist_ok=True)
    return shutil.copy(source, folder)


def _write(path, data, **dumps):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, **dumps) + "\n")
    return path


def test_a_legacy_dashboard_is_fixed_in_place_and_reported_fix_by_fix(project, dashkit):
    path = _copy(NODES, project.root / "in")
    original = Path(path).read_text()
    result = dashkit("lint", "--fix", str(path))
    lines = result.out.splitlines()
    assert lines[0] == str(path)
    assert lines[1:5] == [
        "  fixed DK107 rows: 4 legacy rows → the panel grid: 8 panels (no row shows a title: no row panels)",
        "  fixed DK101 uid: uid 'nodes' (from the title)",
        "  fixed DK105 panels[0]: graph → timeseries",
        "  fixed DK105 panels[1]: graph → timeseries"]
    assert "  fixed DK105 panels[3]: singlestat → gauge (its gauge was shown)" in lines
    assert "  fixed DK131 panels[0].targets[0].expr: rate() [$__interval] → [$__rate_interval]" in lines
    assert lines[17] == "16 fixes in 1 file; 9 findings left"
    remaining = "\n".join(lines[18:])  # the report of what remains: no DK101, DK105, DK131, rows
    assert "DK101" not in remaining and "DK105" not in remaining and "legacy rows" not in remaining
    assert "DK131" not in remaining
    assert "DK107 info: schemaVersion 14" in remaining
    text = Path(path).read_text()
    assert text.startswith('{\n    "__inputs"') == original.startswith('{\n    "__inputs"')
    fixed = json.loads(text)
    assert list(fixed)[:3] == list(json.loads(original))[:3]  # key order kept
    assert text.endswith("\n") == original.endswith("\n")
    again = dashkit("lint", "--fix", str(path))
    assert again.code == result.code
    assert Path(path).read_text() == text


def test_the_exit_status_is_the_one_of_the_findings_left(project, dashkit):
    path = _copy(KEDA, project.root / "in")
    result = dashkit("lint", "--fix", str(path))
    assert "4 fixes in 1 file; " in result.out
    plain = dashkit("lint", str(path))
    assert result.code == plain.code
    assert result.out.endswith(plain.out)


def test_a_file_with_nothing_to_fix_is_not_touched(project, dashkit):
    path = _write(project.root / "in" / "ok.json", dashboard(), indent=2)
    os.utime(path, (1_000_000_000, 1_000_000_000))
    result = dashkit("lint", "--fix", str(path))
    assert "0 fixes in 0 files; " in result.out
    assert path.stat().st_mtime == 1_000_000_000


def test_project_mode_is_refused_as_a_usage_error(dashkit):
    result = dashkit("lint", "--fix")
    assert result.code == 2
    assert "--fix rewrites JSON files; give paths" in result.err


def test_an_export_with_meta_is_fixed_inside_and_keeps_its_meta(project, dashkit):
    path = _write(project.root / "in" / "export.json", {"dashboard": RATE_5M, "meta": {"slug": "example"}},
                  indent="\t")
    result = dashkit("lint", "--fix", str(path))
    assert "  fixed DK131 dashboard.panels[0].targets[0].expr: rate() [5m] → [$__rate_interval]" in result.out
    fixed = json.loads(path.read_text())
    assert fixed["meta"] == {"slug": "example"} and path.read_text().startswith('{\n\t"dashboard"')
    assert fixed["dashboard"]["panels"][0]["targets"][0]["expr"] == "sum(rate(http_requests_total[$__rate_interval]))"


def test_yaml_and_dashboards_in_string_fields_are_not_rewritten_and_say_so(project, dashkit):
    config_map = project.write("in/cm.yaml", f"""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {{name: dashboards}}
        data:
          example.json: '{json.dumps(RATE_5M)}'
        """)
    operator = _write(project.root / "in" / "operator.json", {
        "apiVersion": "grafana.integreatly.org/v1beta1", "kind": "GrafanaDashboard", "metadata": {"name": "x"},
        "spec": {"json": json.dumps(RATE_5M)}}, indent=2)
    before = config_map.read_text(), operator.read_text()
    result = dashkit("lint", "--fix", str(project.root / "in"))
    assert f"{config_map}\n  not fixed: YAML is not rewritten (1 finding --fix handles)" in result.out
    assert "not fixed (spec.json): the dashboard is JSON text in a string field" in result.out
    assert (config_map.read_text(), operator.read_text()) == before


def test_a_symbolic_link_is_not_written_through(project, dashkit, tmp_path):
    outside = _write(tmp_path / "elsewhere" / "real.json", RATE_5M, indent=2)
    link = project.root / "in" / "linked.json"
    link.parent.mkdir()
    link.symlink_to(outside)
    before = outside.read_text()
    result = dashkit("lint", "--fix", str(project.root / "in"))
    assert f"not fixed: {link} is a symbolic link, which --fix does not write through" in result.out
    assert outside.read_text() == before and link.is_symlink()


def test_a_suppressed_finding_is_not_fixed(project, dashkit):
    data = dashboard(panel(expr="sum(rate(http_requests_total[5m]))", dashkitLint={"DK131": "a fixed 5m on purpose"}))
    path = _write(project.root / "in" / "d.json", data, indent=2)
    before = path.read_text()
    dashkit("lint", "--fix", str(path))
    assert path.read_text() == before


def test_select_limits_what_is_fixed(project, dashkit):
    path = _copy(NODES, project.root / "in")
    result = dashkit("lint", "--fix", "--select", "DK101", str(path))
    assert [line for line in result.out.splitlines() if line.startswith("  ")] == [
        "  fixed DK101 uid: uid 'nodes' (from the title)"]
    assert json.loads(Path(path).read_text())["rows"]


def test_machine_formats_keep_stdout_for_the_findings(project, dashkit):
    path = _copy(KEDA, project.root / "in")
    result = dashkit("lint", "--fix", "--format", "json", str(path))
    assert json.loads(result.out)["findings"] is not None
    assert "4 fixes in 1 file" in result.err


def test_a_schema_v2_dashboard_is_skipped_with_a_note(project, dashkit):
    v2 = classic_to_v2(RATE_5M)
    path = _write(project.root / "in" / "v2.json", v2, indent=2)
    before = path.read_text()
    result = dashkit("lint", "--fix", str(path))
    assert "not fixed: a schema v2 dashboard" in result.out
    assert path.read_text() == before


def test_a_fix_that_would_change_a_query_is_refused_and_the_file_left_as_it_was(project, dashkit, monkeypatch):
    from dashkit.lint.fix import engine
    from dashkit.lint.fix.registry import Fixed, Fixer

    def breaks_the_query(doc, findings, ctx):
        for finding in findings:
            doc.data["panels"][0]["targets"][0]["expr"] = "up"
            yield Fixed(finding.code, finding.location, "a bug")

    monkeypatch.setattr(engine, "all_fixers", lambda: [Fixer(("DK131",), breaks_the_query, 1)])
    path = _write(project.root / "in" / "d.json", RATE_5M, indent=2)
    before = path.read_text()
    result = dashkit("lint", "--fix", str(path))
    assert "not fixed: a fix changed a query, which --fix must never do; the file is left as it was" in result.out
    assert "0 fixes in 0 files" in result.out
    assert path.read_text() == before
