"""Secrets never show, in any form: escaped, encoded, cut short, in tracebacks and -v logs, in files dashkit writes;
a credential that would break its HTTP header is refused before any request."""

import base64
import json
import re
from urllib.parse import quote, quote_plus

import pytest
import requests

from conftest import OneAnswer, serving
from dashkit.cli.output import Console
from dashkit.client import GrafanaClient
from dashkit.config import Credentials
from dashkit.diff import short
from dashkit.emulator import Emulator, EmulatorConfig
from dashkit.errors import AuthError

API = "/api/v1/provisioning/contact-points"
# Every character JSON, repr or a URL would escape; the core "Zq7vK" survives any escaping, so finding it anywhere
# in the output means some form of the secret leaked.
PASSWORD = 'Zq7vK"p\\wörd/é+&x y'
ASCII_PASSWORD = 'Zq7vK"p\\w\'/+&x y'
HOOK_URL = "https://hooks.example.invalid/services/T0/B0/Mw4nXs3cr3tUrl"


def _b64(text: str, encoding: str = "utf-8") -> str:
    return base64.b64encode(text.encode(encoding)).decode()


def _renderings(secret: str) -> dict[str, str]:
    """How dashkit and the libraries under it may show a value, computed here independently of dashkit."""
    return {
        "raw": secret,
        "json": json.dumps(secret)[1:-1],
        "json, non-ASCII kept": json.dumps(secret, ensure_ascii=False)[1:-1],
        "repr": repr(secret)[1:-1],
        "ascii": ascii(secret)[1:-1],
        "bytes repr": repr(secret.encode())[2:-1],
        "url path": quote(secret),
        "url segment": quote(secret, safe=""),
        "url query": quote_plus(secret),
        "base64": _b64(secret),
        "base64 unpadded": _b64(secret).rstrip("="),
        "base64 urlsafe": base64.urlsafe_b64encode(secret.encode()).decode(),
    }


def _assert_hidden(text: str, secret: str, core: str) -> None:
    assert core not in text
    for how, form in _renderings(secret).items():
        assert form not in text, f"the secret shows {how}"


# -- the Console ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", list(_renderings(PASSWORD)))
def test_every_form_of_a_secret_is_masked(how):
    console = Console()
    console.add_secrets(PASSWORD)
    form = _renderings(PASSWORD)[how]
    assert console.mask(f"before {form} after") == "before *** after"


def test_a_quote_the_secret_holds_is_masked_in_either_repr_style():
    secret = "it's-Zq7vK"
    console = Console()
    console.add_secrets(secret)
    for shown in (repr(secret), repr(secret + '"'), json.dumps(secret)):
        assert "Zq7vK" not in console.mask(f"value {shown}")


def test_a_longer_form_is_masked_whole_before_a_secret_inside_it():
    console = Console()
    console.add_secrets(*Credentials(user="deploy", password="Zq7vK-pass").secrets)
    assert console.mask("sent deploy:Zq7vK-pass") == "sent ***"


def test_a_secret_cut_short_for_display_is_masked():
    console = Console()
    console.add_secrets(HOOK_URL)
    line = f"~ settings.url: {short('see ' + HOOK_URL, 40)} -> \"[REDACTED]\""
    assert "..." in line and "hooks.example" in line  # the diff shows the secret's beginning
    masked = console.mask(line)
    assert "hooks.example" not in masked and "***..." in masked


def test_each_line_of_a_multi_line_secret_is_masked():
    console = Console()
    console.add_secrets("-----BEGIN KEY-----\nMIIBZq7vKline2\nMIIBZq7vKline3\n-----END KEY-----")
    assert "Zq7vK" not in console.mask("key starts MIIBZq7vKline2 and ends MIIBZq7vKline3")


def test_short_values_are_not_masked_so_words_stay_readable():
    console = Console()
    console.add_secrets("abc")
    assert console.mask("abc abcd") == "abc abcd"


def test_masking_a_large_diff_hides_every_secret_and_keeps_the_rest():
    # how long it takes is measured by scripts/bench (about 0.1 ms per 20 KB)
    console = Console()
    console.add_secrets(PASSWORD, HOOK_URL, "glsa_" + "x" * 32, *Credentials(user="deploy", password="s3cret!").secrets)
    expr = 'sum(rate(http_requests_total{{job=\\"api-{i}\\"}}[5m]))'
    lines = [f'      ~ panels[{i}].targets[0].expr: "{expr.format(i=i)}" -> "{PASSWORD}"' for i in range(260)]
    text = "\n".join(lines)
    masked = console.mask(text)
    assert PASSWORD not in masked and masked.count("***") >= 260
    assert masked.count("http_requests_total") == 260


def test_verbose_request_logs_mask_the_authorization_header():
    console_out = []

    class Lines:
        def write(self, text):
            console_out.append(text)

        def flush(self):
            pass

    console = Console(verbose=True, err=Lines(), color=False)
    basic = Credentials(user="deploy", password=PASSWORD)
    bearer = Credentials(token="glsa_Zq7vKtoken0123456789")
    console.add_secrets(*basic.secrets, *bearer.secrets)
    # The header values as requests really builds them (basic auth encodes `user:password` as latin-1).
    basic_header = requests.Request("GET", "http://grafana.invalid/", auth=("deploy", PASSWORD)).prepare()
    with GrafanaClient("http://grafana.invalid", bearer) as client:
        bearer_header = client._session().headers["Authorization"]
    for header in (basic_header.headers["Authorization"], bearer_header):
        console.debug(f"GET /api/search Authorization: {header} {header!r}")
    logged = "".join(console_out)
    assert logged.count("Authorization: ") == 2
    assert "Zq7vK" not in logged and basic_header.headers["Authorization"].split()[1] not in logged
    assert _b64(f"deploy:{PASSWORD}", "latin-1") not in logged


# -- the CLI, over real HTTP --------------------------------------------------------------------------------------

@pytest.fixture
def hook(project, monkeypatch):
    """A webhook contact point whose password (and URL) come from the environment."""
    monkeypatch.setenv("HOOK_PASSWORD", PASSWORD)
    monkeypatch.setenv("HOOK_URL", HOOK_URL)
    project.write("alerts/points.py", """\
        from dashkit.builders import webhook

        contact_points = [webhook("hook", url_env="HOOK_URL", username="bot", password_env="HOOK_PASSWORD")]
        """)
    return project


def _paste_password_as_username(grafana):
    """A Grafana user pastes the password into the username field: Grafana shows it to every reader."""
    points = grafana.admin.get(grafana.url + API, timeout=5).json()
    point = next(p for p in points if p["name"] == "hook")
    point["settings"]["username"] = PASSWORD
    reply = grafana.admin.put(f"{grafana.url}{API}/{point['uid']}", json=point, timeout=5)
    assert reply.status_code == 202, reply.text


def test_a_secret_grafana_echoes_back_escaped_never_shows(grafana, hook, dashkit):
    outputs = [dashkit("sync", "--env", "local", "--yes", verbose=True)]
    assert outputs[0].code == 0, outputs[0].text
    for fmt in ("text", "json"):
        _paste_password_as_username(grafana)
        diff = dashkit("diff", "--env", "local", "--format", fmt, verbose=True)
        assert diff.code == 0 and "settings.username" in diff.out and "***" in diff.out, diff.text
        synced = dashkit("sync", "--env", "local", "--yes", "--force", "--format", fmt, verbose=True)
        assert synced.code == 0, synced.text
        outputs += [diff, synced]
    assert grafana.admin.get(grafana.url + API, timeout=5).json()  # Grafana really holds the echoed secret
    for result in outputs:
        _assert_hidden(result.text, PASSWORD, "Zq7vK")
        _assert_hidden(result.text, HOOK_URL, "Mw4nXs3cr3tUrl")
    build = dashkit("build")
    assert build.code == 0, build.text
    backups = list((hook.root / ".dashkit" / "backups").rglob("*.json"))
    assert backups, "sync --force keeps a backup of what it overwrote"
    for path in hook.root.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="ignore")
            _assert_hidden(text, PASSWORD, "Zq7vK")
            _assert_hidden(text, HOOK_URL, "Mw4nXs3cr3tUrl")
    assert json.loads(backups[-1].read_text())["name"] == "hook"  # still a readable backup, secrets scrubbed


def _basic_auth(project, url: str) -> None:
    """The project's environment at `url`, with basic auth from G_USER and G_PASSWORD."""
    project.config(url)
    config = project.root / "dashkit.yaml"
    config.write_text(config.read_text().replace(
        "token_env: DASHKIT_TEST_TOKEN", "basic_auth: {user_env: G_USER, password_env: G_PASSWORD}"))


@pytest.mark.parametrize("token", ["glsa_Zq7vK\nsecond_half_9f8e", "glsa_Zq7vK\rsecond_half_9f8e",
                                   "glsa_Zq7vK\x1bsecond_half_9f8e"])
def test_a_token_with_a_line_break_is_refused_before_any_request(grafana, project, dashkit, monkeypatch, token):
    monkeypatch.setenv("DASHKIT_TEST_TOKEN", token)
    project.dashboard("dashboards/a.py", "A")
    grafana.reset_stats()
    result = dashkit("diff", "--env", "local", verbose=True)
    assert result.code == 2, result.text
    assert "environment variable DASHKIT_TEST_TOKEN" in result.err and "line break or control character" in result.err
    assert "Traceback" not in result.text
    assert "Zq7vK" not in result.text and "second_half" not in result.text
    assert grafana.stats()["requests"] == 0


def test_a_password_with_a_control_character_is_refused(grafana, project, dashkit, monkeypatch):
    monkeypatch.setenv("G_USER", "admin")
    monkeypatch.setenv("G_PASSWORD", "Zq7vK\tadmin")
    _basic_auth(project, grafana.url)
    result = dashkit("diff", "--env", "local")
    assert result.code == 2 and "environment variable G_PASSWORD" in result.err, result.text
    assert "Zq7vK" not in result.text


class _EchoingProxy(OneAnswer):
    """An auth proxy that refuses everyone and quotes, JSON-escaped, the credentials it was sent."""

    def answer(self):
        header = self.headers.get("Authorization", "")
        user, _, password = base64.b64decode(header.split()[-1]).decode("latin-1").partition(":")
        return 401, "text/plain", f"denied {json.dumps({'user': user, 'password': password})} for {header}".encode()


@pytest.fixture
def echoing_proxy():
    with serving(_EchoingProxy) as url:
        yield url


def test_an_error_quoting_the_credentials_is_masked(echoing_proxy, project, dashkit, monkeypatch):
    monkeypatch.setenv("G_USER", "deploy")
    monkeypatch.setenv("G_PASSWORD", PASSWORD)
    _basic_auth(project, echoing_proxy)
    project.dashboard("dashboards/a.py", "A")
    result = dashkit("diff", "--env", "local", verbose=True)
    assert result.code == 4 and "rejected the credentials (401: denied" in result.err, result.text
    assert '"password": "***"' in result.err  # the echo reached the message, masked
    _assert_hidden(result.text, PASSWORD, "Zq7vK")
    assert _b64(f"deploy:{PASSWORD}", "latin-1")[:12] not in result.text


def test_the_client_masks_credentials_an_answer_quotes_for_library_callers(echoing_proxy):
    password = 'Jx3mW"p\\wörd/é+&x y'  # never read through dashkit.secrets: only the client knows it
    client = GrafanaClient(echoing_proxy, Credentials(user="deploy", password=password))
    with client, pytest.raises(AuthError) as info:
        client.get("/api/search")
    assert '"password": "***"' in info.value.message
    _assert_hidden(str(info.value), password, "Jx3mW")
    assert _b64(f"deploy:{password}", "latin-1")[:12] not in str(info.value)


@pytest.fixture
def grafana_with_user():
    """The emulator with a basic-auth user whose password JSON, repr and URLs escape (ASCII: the emulator, like
    Grafana, reads the pair as UTF-8, and requests sends it as latin-1)."""
    emulator = Emulator(EmulatorConfig(port=0, users={"deploy": {"password": ASCII_PASSWORD, "role": "Admin"}}))
    emulator.start()
    try:
        yield emulator.url
    finally:
        emulator.stop()


def test_a_traceback_never_shows_a_credential(grafana_with_user, project, dashkit, monkeypatch):
    monkeypatch.setenv("G_USER", "deploy")
    monkeypatch.setenv("G_PASSWORD", ASCII_PASSWORD)
    _basic_auth(project, grafana_with_user)
    project.dashboard("dashboards/a.py", "A")
    send = requests.adapters.HTTPAdapter.send
    calls = []

    def send_then_break(self, request, **kwargs):
        calls.append(request.path_url)
        if len(calls) < 2:
            return send(self, request, **kwargs)
        header = request.headers["Authorization"]
        # what requests' own header check raises: the value's repr (here with the password's, and its bytes')
        raise requests.exceptions.InvalidHeader(
            f"Invalid return character(s) in header value: {header!r} ({ASCII_PASSWORD!r}, "
            f"{ASCII_PASSWORD.encode()!r})")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send_then_break)
    result = dashkit("diff", "--env", "local", verbose=True)
    assert result.code == 70 and "Traceback" in result.err and "InvalidHeader" in result.err, result.text
    assert re.search(r"GET /api\S* -> \d{3}", result.err)  # the -v log of the first request
    assert "header value: 'Basic ***' ('***', b'***')" in result.err
    _assert_hidden(result.text, ASCII_PASSWORD, "Zq7vK")
    assert _b64(f"deploy:{ASCII_PASSWORD}") not in result.text
