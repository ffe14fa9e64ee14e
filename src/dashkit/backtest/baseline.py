"""`--baseline REF`: the rules as they were at a git ref, read from `git archive` of the project's folder (which may be
a subfolder of the repository) or of the rule files given, into a temporary folder."""

from __future__ import annotations

import contextlib
import importlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import ConfigError

GIT_TIMEOUT = 120


@contextlib.contextmanager
def project_at(ref: str, root: Path) -> Iterator[Path]:
    """The project folder `root` as it was at `ref`, extracted into a temporary folder (removed afterwards)."""
    repo, relpath = _repository(root)
    _check_ref(repo, ref)
    with tempfile.TemporaryDirectory(prefix="dashkit-baseline-") as tmp:
        target = Path(tmp) / (root.name or "project")
        target.mkdir()
        if not _extract(repo, ref, relpath, target):
            raise ConfigError(f"--baseline {ref}: the project folder {relpath or '.'} does not exist at {ref}",
                              hint="give a ref from after the project was added")
        importlib.invalidate_caches()
        yield target


@contextlib.contextmanager
def files_at(ref: str, paths: Sequence[Path]) -> Iterator[dict[Path, Path]]:
    """The rule files and folders given, as they were at `ref`: {copy: path given} (those that did not exist there
    left out)."""
    with tempfile.TemporaryDirectory(prefix="dashkit-baseline-") as tmp:
        found: dict[Path, Path] = {}
        checked: set[Path] = set()
        for index, path in enumerate(paths):
            repo, relpath = _repository(path if path.is_dir() else path.parent)
            if repo not in checked:
                _check_ref(repo, ref)
                checked.add(repo)
            target = Path(tmp) / str(index)
            target.mkdir()
            if path.is_dir():
                if _extract(repo, ref, relpath, target / path.name):
                    found[target / path.name] = path
                continue
            file_relpath = f"{relpath}/{path.name}" if relpath else path.name
            shown = _git(repo, "show", f"{ref}:{file_relpath}", check=False)
            if shown.returncode == 0:
                (target / path.name).write_bytes(shown.stdout)
                found[target / path.name] = path
        yield found


@contextlib.contextmanager
def own_imports(root: Path) -> Iterator[None]:
    """Modules imported from `root` while the block runs (a project's helper modules, `dashboards._services`) are
    forgotten when it ends, so another version of the project (the baseline) imports its own."""
    before = set(sys.modules)
    try:
        yield
    finally:
        base = root.resolve()
        # code installed from inside the project folder (this repository's src/) is not the project's definitions
        installed = [Path(p).resolve() for p in sys.path if p and _inside(Path(p), base) and Path(p).resolve() != base]
        for name in set(sys.modules) - before:
            module = sys.modules.get(name)
            if name.partition(".")[0] == "dashkit":
                continue
            places = [Path(p) for p in (getattr(module, "__file__", None), *(getattr(module, "__path__", None) or ()))
                      if isinstance(p, str)]
            if any(_inside(p, base) and not any(_inside(p, other) for other in installed) for p in places):
                del sys.modules[name]
        importlib.invalidate_caches()


def _inside(path: Path, base: Path) -> bool:
    try:
        path.resolve().relative_to(base)
    except (ValueError, OSError):
        return False
    return True


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    if shutil.which("git") is None:
        raise ConfigError("--baseline needs git, which is not on PATH")
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, timeout=GIT_TIMEOUT)
    if check and result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise ConfigError(f"git {args[0]} failed in {repo}: {message[-1] if message else result.returncode}")
    return result


def _repository(folder: Path) -> tuple[Path, str]:
    """(the top folder of the git repository holding `folder`, `folder` relative to it with '/')."""
    folder = folder.resolve()
    result = _git(folder, "rev-parse", "--show-toplevel", check=False)
    if result.returncode != 0:
        raise ConfigError(f"--baseline: {folder} is not in a git repository",
                          hint="--baseline compares with the rules at a git ref: run it in a git checkout")
    top = Path(result.stdout.decode().strip()).resolve()
    relpath = folder.relative_to(top).as_posix()
    return top, "" if relpath == "." else relpath


def _check_ref(repo: Path, ref: str) -> None:
    if ref.startswith("-") or _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                                    check=False).returncode != 0:
        raise ConfigError(f"--baseline {ref}: no such commit, branch or tag in {repo}",
                          hint="give a ref git knows here, e.g. main, origin/main, HEAD~1 or a commit hash "
                               "(in CI, fetch it first: git fetch origin main)")


def _extract(repo: Path, ref: str, relpath: str, target: Path) -> bool:
    """Extract the tree `ref:relpath` into `target`; False when it does not exist at `ref`."""
    tree = f"{ref}:{relpath}" if relpath else f"{ref}:"
    if _git(repo, "cat-file", "-t", tree, check=False).stdout.strip() != b"tree":
        return False
    archive = _git(repo, "archive", "--format=tar", tree).stdout
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = [m for m in tar.getmembers() if _safe(m)]
        safer = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(target, members=members, **safer)
    return True


def _safe(member: tarfile.TarInfo) -> bool:
    """Regular files and folders inside the archive only (no links, devices, absolute or parent paths)."""
    name = Path(member.name)
    return (member.isfile() or member.isdir()) and not name.is_absolute() and ".." not in name.parts
