"""One Prometheus per test process, serving the known history of history.py; and a way to run `dashkit backtest`."""

from __future__ import annotations

import io
import json
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import Result
from tests.lint.prometheus_fixture import require_prometheus

from dashkit.backtest.times import rfc3339
from dashkit.cli.main import main
from dashkit.cli.output import Console

from .history import History, make_history, serving

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    require_prometheus()
    with serving(tmp_path_factory.mktemp("history"), make_history()) as served:
        yield served


def backtest(*args: str, project: Path | None = REPO) -> Result:
    """`dashkit backtest ARGS` as a user runs it (in the reference project unless told otherwise)."""
    out, err = io.StringIO(), io.StringIO()
    argv = [*(["-C", str(project)] if project else []), "backtest", *args]
    code = main(argv, console=Console(out=out, err=err, color=False))
    return Result(code, out.getvalue(), err.getvalue())


def over(history: History) -> list[str]:
    """--prometheus, --from and --to for the whole history."""
    return ["--prometheus", history.url, "--from", rfc3339(history.start), "--to", rfc3339(history.end)]


def alerts(result: Result) -> list[dict]:
    assert result.code == 0, result.text
    return json.loads(result.out)["alerts"]


EXPR = ('sum by (service) (rate(http_requests_total{service="checkout", status_code="500"}[5m]))'
        ' / sum by (service) (rate(http_requests_total{service="checkout"}[5m]))')


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _limit(project: Path, value: float) -> None:
    (project / "alerts" / "_limits.py").write_text(f"ERROR_RATIO = {value}\n")


@pytest.fixture(scope="session")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose project (in ops/alerting) pages above 0.5% errors in its first commit, above 5% in the
    second: the small incident (0.8%) no longer pages."""
    repo = tmp_path_factory.mktemp("repo")
    project = repo / "ops" / "alerting"
    (project / "alerts").mkdir(parents=True)
    (project / "dashkit.yaml").write_text(textwrap.dedent("""\
        owner: team-a
        environments:
          local:
            url: http://127.0.0.1:9
            token_env: DASHKIT_TEST_TOKEN
            datasources:
              prometheus: {uid: prom-local}
        """))
    (project / "alerts" / "checkout.py").write_text(textwrap.dedent(f"""\
        from dashkit.builders import alert_rule, rule_group

        from alerts._limits import ERROR_RATIO

        rule_groups = [rule_group("checkout-errors", [
            alert_rule("CheckoutErrors", expr={EXPR!r}, threshold=ERROR_RATIO, pending="2m",
                       summary="checkout fails requests"),
        ], folder="checkout")]
        """))
    (repo / "rules.yml").write_text("groups:\n  - name: g\n    rules:\n      - alert: CheckoutErrors\n"
                                    f"        expr: ({EXPR}) > 0.005\n        for: 2m\n")
    _limit(project, 0.005)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "empty")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "page above 0.5%")
    _limit(project, 0.05)
    (repo / "rules.yml").write_text((repo / "rules.yml").read_text().replace("0.005", "0.05"))
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "page above 5%")
    return repo
