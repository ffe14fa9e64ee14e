"""The files `dashkit init` writes: a project that builds, lints clean and syncs against `dashkit emulator`."""

from __future__ import annotations

from .emulator.config import DEFAULT_DATASOURCES
from .naming import slug

EMULATOR_PORT = 3000  # where `dashkit emulator` listens by default
TOKEN_ENV = "GRAFANA_TOKEN"
LOCAL_TOKEN = "dev-token"  # any value works: the emulator accepts the token it is started with
GITIGNORE_LINES = ("build/", ".dashkit/", "__pycache__/")


def project_name(directory_name: str) -> str:
    """The owner marker and service name a folder's name gives: `Orders API` -> `orders-api`."""
    return slug(directory_name)[:40].strip("-") or "my-service"


def _seeded_uid(plugin: str) -> str:
    return next(str(ds["uid"]) for ds in DEFAULT_DATASOURCES if ds["type"] == plugin)


def emulator_url(port: int = EMULATOR_PORT) -> str:
    return f"http://127.0.0.1:{port}"


def emulator_command(port: int = EMULATOR_PORT) -> str:
    """How to start the emulator the scaffold's `local` environment points at."""
    return "dashkit emulator " + (f"--port {port} " if port != EMULATOR_PORT else "") + f"--token {LOCAL_TOKEN}"


def scaffold_files(name: str, port: int = EMULATOR_PORT) -> dict[str, str]:
    """Relative path -> text of every file of a new project for service `name` (also its owner marker), whose
    `local` environment is the emulator on `port`."""
    return {
        "dashkit.yaml": _config(name, port),
        ".gitignore": "".join(f"{line}\n" for line in GITIGNORE_LINES),
        f"dashboards/{name}/golden_signals.py": _dashboard(name),
        f"alerts/{name}/alerts.py": _alerts(name),
        f"alerts/slo/{name}.yaml": _slo(name),
    }


def _config(name: str, port: int) -> str:
    return f"""\
# dashkit project '{name}': dashboards/ and alerts/ (and datasources/) hold the definitions; `dashkit build`,
# `dashkit lint`, `dashkit diff --env local` and `dashkit sync --env local` work on them.
owner: {name}          # ownership marker: dashkit only ever changes or deletes what carries it
runbooks:              # `dashkit build` writes a runbook per alert under build/runbooks/; publish them there
  base_url: https://runbooks.example.com/{name}
environments:
  local:               # the bundled emulator: `{emulator_command(port)}`
    url: {emulator_url(port)}
    token_env: {TOKEN_ENV}    # NAME of the env var holding a service-account token; never the token itself
    datasources:                # logical name used in code -> this environment's datasource
      prometheus: {{uid: {_seeded_uid("prometheus")}}}
      loki: {{uid: {_seeded_uid("loki")}}}
      # tempo:                  # an entry with `type` is a datasource dashkit creates and manages here;
      #   type: tempo           # datasources/*.py modules define ones for every environment (docs/datasources.md)
      #   name: Traces
      #   url: http://localhost:3200
  # prod:
  #   url: https://grafana.example.com
  #   token_env: GRAFANA_PROD_TOKEN
  #   datasources:
  #     prometheus: {{name: Prometheus}}   # by name, looked up at diff/sync time
  #     loki: {{name: Loki}}
"""


def _dashboard(name: str) -> str:
    return f'''\
"""The golden signals of {name}: traffic, errors, latency and saturation, then its logs and alerts.

A module's directory under dashboards/ is its Grafana folder ("{name}"). Add your own panels with
extra_rows=[Row("My row", [timeseries(...)])]; docs/builders.md in the dashkit repository lists every option."""

from dashkit.builders import service_dashboard

# traces_datasource=None leaves out the Traces row: map `tempo` in dashkit.yaml and remove it to get traces.
dashboard = service_dashboard("{name}", traces_datasource=None)
'''


def _alerts(name: str) -> str:
    return f'''\
"""Alerts of {name}: a rule group in the Grafana folder "{name}", linked to its golden-signals dashboard."""

from dashkit.builders import alert_rule, eq, error_ratio, rule_group, service_dashboard

SERVICE = "{name}"
DASHBOARD = service_dashboard(SERVICE, traces_datasource=None)  # as dashboards/{name}/golden_signals.py defines it
ERROR_RATE_PANEL = next(p["id"] for p in DASHBOARD["panels"] if p["title"] == "Error rate")

rule_group = rule_group(f"{{SERVICE}}-alerts", [
    alert_rule(
        "HighErrorRate",
        error_ratio([eq("service", SERVICE)], window="5m"),  # alert queries need a fixed window
        threshold=0.05,
        pending="5m",
        severity="critical",
        service=SERVICE,
        summary=f"{{SERVICE}}: more than 5% of requests fail",
        description=f"{{SERVICE}} answers more than 5% of its requests with a 5xx status.",
        runbook_steps=["Check the Logs row of the dashboard for errors that started with the alert.",
                       "If a deploy coincides, roll it back first and investigate after."],
        dashboard_uid=DASHBOARD["uid"],  # Grafana shows the alert's state on that panel
        panel_id=ERROR_RATE_PANEL,
    ),
])
'''


def _slo(name: str) -> str:
    return f"""\
# Service level objectives of {name}. `dashkit build` writes Prometheus (Sloth-compatible) rules for them;
# `dashkit sync` creates their Grafana burn-rate alerts and an SLO dashboard. The format: docs/slo.md.
version: dashkit/v1
service: {name}
slos:
  - name: requests-availability
    description: 99.5% of {name} requests succeed (no 5xx) over 30 days.
    objective: 99.5              # a percentage: 99.5, not 0.995
    window: 30d
    sli:
      availability: {{}}           # 5xx / all requests, from http_requests_total
    alerting:
      name: {_alert_name(name)}AvailabilityBudgetBurn
      annotations:
        summary: {name} is burning its availability error budget too fast
      page_alert: {{labels: {{severity: critical}}}}
      ticket_alert: {{labels: {{severity: warning}}}}
"""


def _alert_name(name: str) -> str:
    """`orders-api` -> `OrdersApi`: a Prometheus alert name (letters, digits, '_'; not starting with a digit)."""
    camel = "".join(part.capitalize() for part in name.split("-") if part)
    return camel if camel[:1].isalpha() else f"Service{camel}"
