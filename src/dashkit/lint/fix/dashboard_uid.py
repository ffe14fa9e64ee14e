"""DK101: a dashboard without a uid gets the one dashkit derives from its title (naming.dashboard_uid), unless
another dashboard linted along has it or would get it too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...naming import dashboard_uid
from ..model import Document, Finding
from .json_edits import rebuilt, replace_in_place
from .registry import FixContext, Fixed, Left, Outcome, fixes


def derived_uid(dashboard: dict[str, Any]) -> str | None:
    """The uid --fix gives a dashboard that has none: from its title; None without a title."""
    title = dashboard.get("title")
    if dashboard.get("uid") not in (None, "") or not isinstance(title, str) or not title.strip():
        return None
    return dashboard_uid((), title.strip())


@fixes("DK101")
def give_uid(doc: Document, findings: list[Finding], ctx: FixContext) -> Iterator[Outcome]:
    for finding in findings:
        if doc.data.get("uid") not in (None, ""):
            yield Left(finding.code, finding.location, "changing a uid breaks every link, bookmark and alert that "
                                                       "names the dashboard: choose a valid one by hand")
            continue
        uid = derived_uid(doc.data)
        if uid is None:
            yield Left(finding.code, finding.location, "the dashboard has no title to derive a uid from")
        elif ctx.uids_in_use[uid]:
            yield Left(finding.code, finding.location, f"'{uid}', the uid its title gives, is another dashboard's "
                                                       "uid here")
        elif ctx.uids_derived[uid] > 1:
            yield Left(finding.code, finding.location, f"{ctx.uids_derived[uid]} dashboards here without a uid "
                                                       f"have titles that give '{uid}': give each its own")
        else:
            replace_in_place(doc.data, rebuilt(doc.data, {"uid": uid}))
            yield Fixed(finding.code, finding.location, f"uid '{uid}' (from the title)")
