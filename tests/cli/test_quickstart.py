"""scripts/quickstart, as a newcomer runs it: both syncs, then either the emulator stops and the last line suggests
something that works, or with --keep it keeps running and the printed commands (diff, stop) work as written."""

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv"
STAMP = VENV / ".dashkit-installed"  # scripts/_venv.sh reinstalls when pyproject.toml is newer than this

pytestmark = pytest.mark.skipif(not (VENV / "bin" / "dashkit").exists() or not STAMP.exists(),
                                reason="needs the repository's .venv as scripts/_venv.sh makes it")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def clone(tmp_path):
    """The reference project and scripts in a scratch folder (the repository's .venv linked, never reinstalled),
    its environment `local` on a free port."""
    root = tmp_path / "dashkit"
    (root / "scripts").mkdir(parents=True)
    for script in ("quickstart", "_venv.sh"):
        shutil.copy2(REPO / "scripts" / script, root / "scripts" / script)
    for folder in ("dashboards", "alerts"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    port = _free_port()
    config = (REPO / "dashkit.yaml").read_text()
    assert "url: http://127.0.0.1:3000" in config
    (root / "dashkit.yaml").write_text(config.replace("http://127.0.0.1:3000", f"http://127.0.0.1:{port}"))
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    older = STAMP.stat().st_mtime - 60
    os.utime(root / "pyproject.toml", (older, older))
    (root / ".venv").symlink_to(VENV)
    env = {k: v for k, v in os.environ.items()
           if k not in ("GRAFANA_TOKEN", "SLACK_WEBHOOK_URL", "PAGERDUTY_INTEGRATION_KEY", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(VENV)))
    env["NO_COLOR"] = "1"
    yield root, port, env
    subprocess.run([str(root / "scripts" / "quickstart"), "--stop"], cwd=root, env=env, capture_output=True,
                   timeout=60)


def _run(argv, root: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_quickstart_stops_the_emulator_and_suggests_keep(clone):
    root, port, env = clone
    done = _run([str(root / "scripts" / "quickstart")], root, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No changes" in done.stdout
    assert done.stdout.rstrip().splitlines()[-2:] == [
        "==> done: the emulator stops now. Run 'scripts/quickstart --keep' to leave it running and try",
        "    'dashkit diff --env local' against it."]
    assert not _listening(port)


def test_quickstart_keep_leaves_the_emulator_running_with_commands_that_work(clone):
    root, port, env = clone
    kept = _run([str(root / "scripts" / "quickstart"), "--keep"], root, env)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert f"the emulator keeps running on http://127.0.0.1:{port} (pid " in kept.stdout
    assert _listening(port)

    lines = kept.stdout.splitlines()
    start = lines.index("    Try dashkit against it from this folder, in any shell:") + 1
    stop_line = next(line for line in lines if line.startswith("    Stop it with: "))
    commands = [line.strip() for line in lines[start:lines.index(stop_line)]]
    assert commands[0] == "source .venv/bin/activate" and commands[-1] == "dashkit diff --env local"
    assert re.fullmatch(r"export GRAFANA_TOKEN=quickstart-[0-9a-f]{16}", commands[1])
    tried = _run(["bash", "-ec", "\n".join(commands)], root, env)  # a new shell: nothing inherited
    assert tried.returncode == 0, tried.stdout + tried.stderr
    assert "No changes" in tried.stdout

    again = _run([str(root / "scripts" / "quickstart")], root, env)
    assert again.returncode == 2 and "scripts/quickstart --stop" in again.stderr

    stop = re.match(r"    Stop it with: (scripts/quickstart --stop)   \(or: kill (\d+)\)$", stop_line)
    assert stop, stop_line
    stopped = _run(["bash", "-ec", stop.group(1)], root, env)
    assert stopped.returncode == 0 and f"stopped the emulator (pid {stop.group(2)})" in stopped.stdout
    assert not _listening(port)
    nothing = _run(["bash", "-ec", stop.group(1)], root, env)
    assert nothing.returncode == 0 and "nothing to stop" in nothing.stdout


def test_readme_links_resolve_in_a_clone():
    readme = (REPO / "README.md").read_text()
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme)
    local = [t for t in targets if not re.match(r"[a-z]+://", t)]
    assert local and all(not t.startswith("../") and (REPO / t).exists() for t in local), local
    assert "../shared" not in readme


def test_readme_init_steps_are_the_ones_init_prints(tmp_path):
    readme = (REPO / "README.md").read_text()
    block = readme.split("### Your own project: `dashkit init`", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    documented = [re.sub(r"\s+#.*$", "", line) for line in block.splitlines()[1:]]  # after `dashkit init orders`
    printed = subprocess.run([str(VENV / "bin" / "dashkit"), "init", "orders"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60)
    assert printed.returncode == 0, printed.stderr
    steps = printed.stdout.split("Next steps:\n", 1)[1].splitlines()
    assert documented == [re.sub(r"\s+#.*$", "", line).strip() for line in steps]
