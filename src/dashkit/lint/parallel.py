"""Per-document rules over many documents on two cores: the documents are read once, then a forked child (which sees
them without any copying) checks half of them and sends back only its findings, while this process checks the other
half. Linting the shared corpus is CPU-bound Python; this is what brings it under a second.

Only where forking is safe and worth it: on Linux, in a process with no other thread (a fork copies only the calling
thread, so a lock another thread held would never be released in the child), with at least two CPUs and enough
documents to outweigh the fork. Anywhere else, or if the child fails in any way, the work is done here, in order."""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterator

from .model import Document, Finding

MIN_DOCUMENTS = 60  # below this, forking costs more than it saves

Check = Callable[[Document], Iterator[Finding]]


def findings(docs: list[Document], check: Check) -> list[tuple[int, Finding]]:
    """(index of the document, finding) for every finding `check` makes, in document order."""
    if not _can_fork(len(docs)):
        return _check(docs, range(len(docs)), check)
    # Interleaved halves: neighbouring files tend to be alike in size (releases of one project).
    theirs, mine = range(1, len(docs), 2), range(0, len(docs), 2)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: check its half, send the findings, and leave without running any exit handler
        status = 1
        try:
            os.close(read)
            with os.fdopen(write, "wb") as out:
                out.write(pickle.dumps(_check(docs, theirs, check), protocol=pickle.HIGHEST_PROTOCOL))
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    found = _check(docs, mine, check)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    try:
        if status != 0:
            raise ValueError(f"the child exited with status {status}")
        found += pickle.loads(data)
    except (ValueError, pickle.UnpicklingError, EOFError):
        found += _check(docs, theirs, check)  # whatever went wrong there, the findings are made here
    return sorted(found, key=lambda item: item[0])


def _check(docs: list[Document], indexes: range, check: Check) -> list[tuple[int, Finding]]:
    return [(index, finding) for index in indexes for finding in check(docs[index])]


def _can_fork(count: int) -> bool:
    return (count >= MIN_DOCUMENTS and sys.platform.startswith("linux") and hasattr(os, "fork")
            and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
            and os.environ.get("DASHKIT_LINT_WORKERS") != "1")
