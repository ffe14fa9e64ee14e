"""dashkit.yaml: a clear error naming the key for every mistake; secrets only ever read from env vars."""

from pathlib import Path

import pytest

from dashkit.config import load_settings, parse_settings
from dashkit.errors import ConfigError

GOOD = {
    "owner": "platform",
    "environments": {
        "prod": {
            "url": "https://grafana.example.com/",
            "token_env": "GRAFANA_TOKEN",
            "org_id": 2,
            "datasources": {"prometheus": {"uid": "prom"}, "loki": {"name": "Loki"}},
        }
    },
}


def test_good_config_parses():
    settings = parse_settings(GOOD, Path("."))
    env = settings.environment("prod")
    assert env.url == "https://grafana.example.com"
    assert env.org_id == 2
    assert env.datasources["loki"].name == "Loki"


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda c: c.update(colour="red"), "colour"),
        (lambda c: c["environments"]["prod"].update(tokne_env="X"), "environments.prod.tokne_env"),
        (lambda c: c["environments"]["prod"].update(url="grafana"), "environments.prod.url"),
        (lambda c: c["environments"]["prod"].update(org_id="one"), "environments.prod.org_id"),
        (lambda c: c["environments"]["prod"]["datasources"].update(tempo={"uid": "a", "name": "b"}),
         "environments.prod.datasources.tempo"),
        (lambda c: c.update(owner="has spaces"), "owner"),
        (lambda c: c.update(environments={}), "environments"),
    ],
)
def test_mistakes_name_the_key(mutate, key):
    config = {"owner": GOOD["owner"], "environments": {"prod": dict(GOOD["environments"]["prod"])}}
    config["environments"]["prod"]["datasources"] = dict(GOOD["environments"]["prod"]["datasources"])
    mutate(config)
    with pytest.raises(ConfigError) as info:
        parse_settings(config, Path("."))
    assert key in info.value.message


def test_a_token_pasted_as_env_var_name_is_refused_without_echoing_it():
    secret = "glsa_abcdefghijklmnopqrstuvwxyz0123456789_abcdef"
    config = {"owner": "o", "environments": {"prod": {"url": "http://g", "token_env": secret}}}
    with pytest.raises(ConfigError) as info:
        parse_settings(config, Path("."))
    assert secret not in info.value.message + (info.value.hint or "")
    assert "token_env" in info.value.message


def test_missing_env_var_names_variable_and_key():
    settings = parse_settings(GOOD, Path("."))
    with pytest.raises(ConfigError) as info:
        settings.environment("prod").credentials(environ={})
    assert "GRAFANA_TOKEN" in info.value.message and "environments.prod.token_env" in info.value.message


def test_unknown_environment_lists_known_ones():
    settings = parse_settings(GOOD, Path("."))
    with pytest.raises(ConfigError, match="prod"):
        settings.environment("staging")


def test_yaml_syntax_error_names_line(tmp_path):
    (tmp_path / "dashkit.yaml").write_text("owner: x\nenvironments:\n  local: [\n")
    with pytest.raises(ConfigError, match=r"dashkit.yaml at line \d"):
        load_settings(tmp_path)


def test_credentials_repr_hides_secret():
    settings = parse_settings(GOOD, Path("."))
    creds = settings.environment("prod").credentials(environ={"GRAFANA_TOKEN": "sekrit-token"})
    assert "sekrit" not in repr(creds)


def test_a_yaml_alias_bomb_is_a_config_error_naming_the_file(project, dashkit):
    levels = "\n".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9))
    (project.root / "dashkit.yaml").write_text(f"a0: &a0 [{', '.join(['lol'] * 10)}]\n{levels}\nowner: *a8\n")
    with pytest.raises(ConfigError, match=r"dashkit\.yaml at line 1: its aliases expand to more than 100,000 nodes"):
        load_settings(project.root)
    result = dashkit("build")
    assert result.code == 2, result.text
    assert f"{project.root / 'dashkit.yaml'}" in result.err and "alias" in result.err


# ---- datasources an environment defines (an entry with `type`) ----------------------------------------------------
def _managed(**entry) -> dict:
    return {"owner": "platform", "environments": {"prod": {"url": "https://grafana.example.com", "datasources": {
        "metrics": {"type": "prometheus", "url": "http://prometheus:9090", **entry},
        "loki": {"name": "Loki"}}}}}


def test_an_entry_with_a_type_defines_a_datasource_dashkit_manages():
    env = parse_settings(_managed(json_data={"timeInterval": "15s"}, secrets={"basicAuthPassword": "PROM_PASSWORD"},
                                  basic_auth_user="grafana", is_default=True), Path(".")).environment("prod")
    ref = env.datasources["metrics"]
    assert ref.managed is not None and ref.managed.type == "prometheus" and ref.managed.logical == "metrics"
    assert ref.name == "metrics" == ref.managed.name  # the logical name, unless `name:` says otherwise
    assert ref.managed.secrets == {"basicAuthPassword": "PROM_PASSWORD"}  # the variable's NAME, read at sync time
    assert ref.managed.json_data == {"timeInterval": "15s"} and ref.managed.is_default
    assert env.datasources["loki"].managed is None  # only uid or name: an existing datasource


def test_the_uid_of_a_defined_datasource_is_derived_from_owner_and_logical_name_unless_given():
    uid = parse_settings(_managed(), Path(".")).environment("prod").datasources["metrics"].uid
    assert uid == parse_settings(_managed(), Path(".")).environment("prod").datasources["metrics"].uid
    assert len(uid) <= 40 and uid.startswith("metrics-")
    other = _managed()
    other["owner"] = "someone-else"
    assert parse_settings(other, Path(".")).environment("prod").datasources["metrics"].uid != uid
    assert parse_settings(_managed(uid="prom-main"), Path(".")).environment("prod").datasources["metrics"].uid == \
        "prom-main"


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ({"colour": "red"}, "environments.prod.datasources.metrics.colour"),
        ({"type": "Prometheus Server"}, "environments.prod.datasources.metrics.type"),
        ({"type": 3}, "environments.prod.datasources.metrics.type"),
        ({"url": "prometheus:9090"}, "environments.prod.datasources.metrics.url"),
        ({"access": "server"}, "environments.prod.datasources.metrics.access"),
        ({"json_data": ["httpMethod"]}, "environments.prod.datasources.metrics.json_data"),
        ({"json_data": {"dashkitOwner": "me"}}, "environments.prod.datasources.metrics.json_data.dashkitOwner"),
        ({"secrets": {"httpHeaderValue1": "not a variable"}}, "environments.prod.datasources.metrics.secrets"),
        ({"uid": "has spaces"}, "environments.prod.datasources.metrics.uid"),
        ({"is_default": "yes"}, "environments.prod.datasources.metrics.is_default"),
        ({"basic_auth_user": "grafana"}, "environments.prod.datasources.metrics.basic_auth_user"),
    ],
)
def test_datasource_entry_mistakes_name_the_key(entry, key):
    with pytest.raises(ConfigError) as info:
        parse_settings(_managed(**entry), Path("."))
    assert key in info.value.message


def test_a_datasource_entry_without_a_type_or_url_says_what_is_missing():
    config = _managed()
    del config["environments"]["prod"]["datasources"]["metrics"]["url"]
    with pytest.raises(ConfigError, match=r"environments\.prod\.datasources\.metrics\.url' is missing"):
        parse_settings(config, Path("."))
    config = _managed()
    config["environments"]["prod"]["datasources"]["metrics"] = {"uid": "prom", "url": "http://prometheus:9090"}
    with pytest.raises(ConfigError, match="has no 'type'") as info:
        parse_settings(config, Path("."))
    assert "environments.prod.datasources.metrics.url" in info.value.message


def test_a_secret_pasted_into_a_datasource_entry_is_refused_without_echoing_it():
    secret = "glsa_abcdefghijklmnopqrstuvwxyz0123456789_abcdef"
    with pytest.raises(ConfigError) as info:
        parse_settings(_managed(secrets={"httpHeaderValue1": secret}), Path("."))
    assert secret not in info.value.message + (info.value.hint or "")
    assert "environments.prod.datasources.metrics.secrets.httpHeaderValue1" in info.value.message
