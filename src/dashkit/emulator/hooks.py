"""Extension points for later API areas, e.g. alerting telling folder DELETE that a folder holds rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from dashkit.emulator.store import OrgState


class FolderContents(Protocol):
    """Something other than dashboards and subfolders that a folder can hold (alert rules, ...)."""

    def count(self, org: OrgState, folder_uids: set[str]) -> int:
        """How many items live in any of `folder_uids`."""
        ...

    def delete(self, org: OrgState, folder_uids: set[str]) -> None:
        """Remove those items (folder DELETE with `forceDeleteRules=true`)."""
        ...


FOLDER_CONTENTS: list[FolderContents] = []


def register_folder_contents(contents: FolderContents) -> FolderContents:
    """Called at import time by the module that owns the contents, e.g. `alerting.rules`."""
    if contents not in FOLDER_CONTENTS:
        FOLDER_CONTENTS.append(contents)
    return contents
