"""Datasource builders: the JSON each gives Grafana, the jsonData keys Grafana's provisioning docs name, secrets as
environment variable names only, and mistakes refused at the line that made them."""

import pytest

from dashkit.builders import (
    BuilderError,
    DatasourceDefinition,
    datasource_definition,
    elasticsearch,
    jaeger,
    loki,
    prometheus,
    tempo,
)
from dashkit.builders.datasource_definitions import declared_logical_names, derived_uid
from dashkit.naming import is_valid_uid


def test_prometheus_posts_its_queries_and_takes_the_scrape_interval():
    metrics = prometheus("metrics", "http://prometheus:9090", time_interval="15s", prometheus_type="Mimir",
                         query_timeout="60s")
    assert metrics.to_grafana("prom-main") == {
        "uid": "prom-main", "name": "metrics", "type": "prometheus", "access": "proxy", "url": "http://prometheus:9090",
        "basicAuth": False, "basicAuthUser": "", "isDefault": False,
        "jsonData": {"httpMethod": "POST", "timeInterval": "15s", "queryTimeout": "60s", "prometheusType": "Mimir"},
    }
    assert metrics.logical == "metrics" and metrics.uid is None


def test_loki_caps_its_lines_and_json_data_adds_or_overrides_keys():
    logs = loki("Platform Loki", "http://loki:3100", logical="logs", max_lines=5000,
                json_data={"derivedFields": [{"name": "trace", "matcherRegex": "trace_id=(\\w+)",
                                              "datasourceUid": "@traces", "url": "${__value.raw}"}]})
    body = logs.to_grafana("loki-main")
    assert body["jsonData"]["maxLines"] == 5000 and body["jsonData"]["derivedFields"][0]["datasourceUid"] == "@traces"
    assert logs.logical == "logs" and body["name"] == "Platform Loki"
    assert loki("logs", "http://loki:3100", json_data={"maxLines": 10}).json_data["maxLines"] == 10


def test_tracing_builders_leave_trace_to_logs_to_json_data():
    traces = tempo("traces", "http://tempo:3200", node_graph=True, service_map="metrics",
                   json_data={"tracesToLogsV2": {"datasourceUid": "@logs", "filterByTraceID": True}})
    assert traces.json_data == {"nodeGraph": {"enabled": True}, "serviceMap": {"datasourceUid": "@metrics"},
                                "tracesToLogsV2": {"datasourceUid": "@logs", "filterByTraceID": True}}
    assert tempo("traces", "http://tempo:3200").json_data == {}
    assert jaeger("jaeger", "http://jaeger:16686", node_graph=True).to_grafana("j")["type"] == "jaeger"


def test_elasticsearch_names_its_index_and_time_field():
    search = elasticsearch("audit", "https://es:9200", index="[audit-]YYYY.MM.DD", interval="Daily",
                           log_message_field="message", log_level_field="level")
    assert search.json_data == {"index": "[audit-]YYYY.MM.DD", "timeField": "@timestamp", "interval": "Daily",
                                "logMessageField": "message", "logLevelField": "level"}


def test_secrets_are_environment_variable_names_sent_as_placeholders():
    logs = loki("logs", "http://loki:3100", basic_auth_user="grafana",
                secrets={"basicAuthPassword": "LOKI_PASSWORD", "httpHeaderValue1": "LOKI_TENANT_TOKEN"},
                json_data={"httpHeaderName1": "X-Scope-OrgID"})
    body = logs.to_grafana("l")
    assert body["basicAuth"] is True and body["basicAuthUser"] == "grafana"
    assert body["secureJsonData"] == {"basicAuthPassword": {"$secret_env": "LOKI_PASSWORD"},
                                      "httpHeaderValue1": {"$secret_env": "LOKI_TENANT_TOKEN"}}


def test_any_plugin_through_the_generic_builder():
    pg = datasource_definition("grafana-postgresql-datasource", "orders-db", "db.internal:5432",
                               extra={"user": "grafana", "database": "orders"},
                               secrets={"password": "ORDERS_DB_PASSWORD"}, json_data={"sslmode": "require"})
    body = pg.to_grafana("orders-db")
    assert (body["user"], body["database"], body["url"]) == ("grafana", "orders", "db.internal:5432")
    assert isinstance(pg, DatasourceDefinition)


def test_the_derived_uid_is_stable_valid_and_names_the_owner():
    uid = derived_uid("platform", "metrics")
    assert uid == derived_uid("platform", "metrics") != derived_uid("payments", "metrics")
    assert is_valid_uid(uid) and uid.startswith("metrics-")


def test_declared_logical_names_are_read_from_a_modules_export():
    items = [prometheus("metrics", "http://p:9090"), loki("Loki Main", "http://l:3100", logical="logs"), "junk"]
    assert declared_logical_names(items) == {"metrics", "logs"}
    assert declared_logical_names(None) == frozenset()


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: prometheus("metrics", "prometheus:9090"), "url must be an http(s) URL"),
        (lambda: prometheus("metrics", "http://p:9090", http_method="PUT"), "http_method"),
        (lambda: prometheus("metrics", "http://p:9090", time_interval="15 seconds"), "timeInterval"),
        (lambda: prometheus("Platform Prometheus", "http://p:9090"), "logical='platform-prometheus'"),
        (lambda: prometheus("metrics", "http://p:9090", uid="not a uid"), "uid 'not a uid'"),
        (lambda: prometheus("metrics", "http://p:9090", access="server"), "access must be 'proxy'"),
        (lambda: loki("logs", "http://l:3100", max_lines=0), "max_lines"),
        (lambda: loki("logs", "http://l:3100", secrets={"httpHeaderValue1": "Bearer abc.def"}), "NAME of an"),
        (lambda: loki("logs", "http://l:3100", basic_auth_user="grafana"), "basicAuthPassword"),
        (lambda: loki("logs", "http://l:3100", json_data={"dashkitOwner": "me"}), "dashkit's own"),
        (lambda: elasticsearch("es", "http://es:9200", index=""), "index"),
        (lambda: elasticsearch("es", "http://es:9200", index="logs", interval="Daily-ish"), "interval"),
        (lambda: datasource_definition("Prometheus", "metrics"), "plugin id"),
        (lambda: datasource_definition("prometheus", " metrics"), "surrounding spaces"),
        (lambda: datasource_definition("prometheus", "m", extra={"isDefault": True}), "extra may set only"),
        (lambda: tempo("traces", "http://t:3200", service_map="my metrics"), "not a logical datasource name"),
    ],
)
def test_mistakes_fail_where_they_are_made(build, words):
    with pytest.raises(BuilderError) as info:
        build()
    assert words in str(info.value)


def test_a_secret_written_in_code_is_never_echoed():
    secret = "glc_eyJvIjoiMTIzNCIsIm4iOiJzdGFjay0xMjM0In0="
    with pytest.raises(BuilderError) as info:
        loki("logs", "http://l:3100", secrets={"httpHeaderValue1": secret})
    assert secret not in str(info.value)
