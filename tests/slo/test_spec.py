"""SLO definitions: YAML and Python give the same model; every mistake is a clear error naming the key."""

import textwrap

import pytest

from dashkit.builders import BuilderError, events_sli, service_dashboard, slo, slo_row
from dashkit.builders.slo_alerts import slo_alert_rules
from dashkit.builders.slo_spec import SpecError, parse_document
from dashkit.slo.windows import windows_for

GOOD = {
    "version": "dashkit/v1", "service": "api",
    "slos": [{"name": "availability", "objective": 99.9, "sli": {"availability": {}}}],
}


def _with(**slo_fields):
    return {**GOOD, "slos": [{**GOOD["slos"][0], **slo_fields}]}


@pytest.mark.parametrize(
    ("document", "key", "words"),
    [
        (_with(objective=100), "slos[0].objective", "strictly between 0 and 100"),
        (_with(objective=0), "slos[0].objective", "strictly between 0 and 100"),
        (_with(objective=-1), "slos[0].objective", "strictly between 0 and 100"),
        (_with(objective=0.995), "slos[0].objective", "0.995 is a ratio, but objectives are percentages: "
                                                      "did you mean 99.5?"),
        (_with(objective=0.9999), "slos[0].objective", "did you mean 99.99?"),
        (_with(window="31d"), "slos[0].window", "unknown SLO window '31d'"),
        (_with(sli={"events": {"error_query": "sum(rate(errors_total[{{window}}]))"}}),
         "slos[0].sli.events.total_query", "is missing"),
        (_with(sli={"events": {"error_query": "sum(rate(errors_total[5m]))",
                               "total_query": "sum(rate(requests_total[{{window}}]))"}}),
         "slos[0].sli.events.error_query", "no window placeholder"),
        (_with(sli={"latency": {"threshold": 0.3}}), "slos[0].sli.latency.threshold", "not a bucket boundary"),
        (_with(sli={"plugin": {"id": "x"}}), "slos[0].sli.plugin", "not a supported SLI"),
        (_with(colour="red"), "slos[0].colour", "not a known key"),
        ({**GOOD, "version": "v2"}, "version", "must be one of"),
    ],
)
def test_invalid_specs_name_the_key(document, key, words):
    with pytest.raises(SpecError) as info:
        parse_document(document)
    assert info.value.key == key and words in str(info.value)


def test_yaml_and_python_give_the_same_slo():
    from_yaml = parse_document(_with(sli={"latency": {"threshold": 0.5}}, objective=99))[0]
    from_code = slo("api", "availability", 99, sli="latency", latency_threshold=0.5, alerts=False)
    assert from_yaml.sli == from_code.sli and from_yaml.error_budget == from_code.error_budget


def test_python_builder_errors_at_the_call():
    with pytest.raises(BuilderError, match="objective"):
        slo("api", "availability", 150)
    with pytest.raises(BuilderError, match="no window placeholder"):
        slo("api", "custom", 99, sli=events_sli("sum(rate(e[5m]))", "sum(rate(t[{{window}}]))"))


def test_windows_are_scaled_for_shorter_periods():
    first = windows_for("30d")[0]
    assert (first.factor, first.short, first.long) == (14.4, "5m", "1h")
    seven = windows_for("7d")
    assert [w.factor for w in seven] == [14.4, 6, 3, 1]
    assert (seven[0].short, seven[0].long) == ("1m", "14m") and seven[-1].long == "16h48m"


def test_slo_row_fits_in_the_service_dashboard():
    board = service_dashboard("api", extra_rows=[slo_row(slo("api", "availability", 99.9))])
    titles = [p["title"] for p in board["panels"]]
    assert "availability: 99.9% over 30d" in titles and "Error budget left" in titles


def test_a_bad_slo_file_fails_the_build_naming_file_and_key(project, dashkit):
    project.write("alerts/slo/api.yaml", textwrap.dedent("""\
        version: dashkit/v1
        service: api
        slos:
          - name: availability
            objective: 99.9
            window: 31d
            sli: {availability: {}}
        """))
    result = dashkit("build")
    assert result.code == 3
    assert "alerts/slo/api.yaml: slos[0].window: unknown SLO window '31d'" in result.err


SLO_AS_A_RATIO = """\
    version: dashkit/v1
    service: api
    slos:
      - name: availability
        objective: 0.995
        sli: {availability: {}}
        alerting: {name: ApiAvailabilityBudgetBurn}
    """


def test_an_objective_written_as_a_ratio_fails_build_and_lint_with_the_percentage(project, dashkit):
    project.write("alerts/slo/api.yaml", SLO_AS_A_RATIO)
    built = dashkit("build")
    assert built.code == 3 and not (project.root / "build").exists()
    assert "alerts/slo/api.yaml: slos[0].objective: 0.995 is a ratio" in built.err
    assert "did you mean 99.5?" in built.err
    linted = dashkit("lint", str(project.root / "alerts" / "slo" / "api.yaml"))
    assert linted.code == 1
    assert "slos[0].objective" in linted.out and "DK301 error" in linted.out and "did you mean 99.5?" in linted.out
    project.write("alerts/slo/api.yaml", SLO_AS_A_RATIO.replace("0.995", "99.5"))
    assert dashkit("build").code == 0
    rules = (project.root / "build" / "slo" / "prometheus" / "api.yml").read_text()
    assert "vector(0.995)" in rules and "0.00995" not in rules


def test_the_python_builder_refuses_a_ratio_too():
    with pytest.raises(BuilderError, match=r"did you mean 99\.9\?"):
        slo("api", "availability", 0.999)


@pytest.mark.parametrize("mode", ["recording", "direct"])
def test_grafana_alerts_in_both_modes_are_valid_promql(mode):
    import promql_parser

    rules = slo_alert_rules(slo("api", "availability", 99.9, grafana_mode=mode))
    assert [r.title for r in rules] == ["ApiAvailabilityErrorBudgetBurn (page)",
                                        "ApiAvailabilityErrorBudgetBurn (ticket)"]
    expr = rules[0].data[0].model["expr"]
    promql_parser.parse(expr)
    assert ("slo:sli_error:ratio_rate5m" in expr) == (mode == "recording")
    assert rules[0].no_data_state == "OK"  # no burn means no series: that is good news, not missing data
