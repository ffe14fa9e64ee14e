"""Keeps the store in a JSON file: loaded at start, rewritten atomically at most once a second when dirty."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from dashkit.emulator.store import Store


class StateFile:
    """Background autosave of a `Store` to `path` (tmp file + rename), with a final flush on stop."""

    def __init__(self, store: Store, path: str | os.PathLike[str], interval: float = 1.0) -> None:
        self.store = store
        self.path = Path(path)
        self.interval = interval
        self._saved_generation: int | None = None
        self._write_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def load(self) -> bool:
        """Load the file if it exists; True when state was loaded."""
        if not self.path.exists():
            return False
        try:
            self.store.loads(self.path.read_text(encoding="utf-8"))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"cannot load emulator state from {self.path}: {exc}") from exc
        self._saved_generation = self.store.generation
        return True

    def flush(self) -> bool:
        """Write the state if it changed since the last write; True when a file was written."""
        with self._write_lock:
            if self.store.generation == self._saved_generation:
                return False
            generation, text = self.store.dumps()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path)
            self._saved_generation = generation
            return True

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="dashkit-emulator-autosave", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.flush()

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            self.flush()
