"""DK107, DK108: old dashboard models that Grafana migrates on every load: the legacy `rows[]` layout and old
schema versions, and Angular-era tables configured with `styles`."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import panel_type, panels
from ._examples import dashboard, panel

MODERN_SCHEMA = 27  # below this, Grafana runs its dashboard migrations every time the dashboard is opened
TABLE_STYLES_SCHEMA = 24  # Grafana 7.0: a `table` with `styles` saved before this version is the old Angular table


def schema_version(data: dict) -> int | None:
    version = data.get("schemaVersion")
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def _legacy_rows() -> dict:
    legacy = dashboard(schemaVersion=14)
    legacy.pop("panels")
    legacy["rows"] = [{"title": "Requests", "height": "250px", "panels": [panel(span=12)]}]
    return legacy


@register
class LegacyDashboardModel(Rule):
    code = "DK107"
    name = "legacy-dashboard-model"
    severity = Severity.INFO
    summary = f"A dashboard uses the legacy `rows[]` layout or a schemaVersion below {MODERN_SCHEMA}."
    why = ("Grafana converts it in the browser every time it is opened (rows to the panel grid, old options to new "
           "ones), so the stored JSON is not what people see and every save rewrites it. Open it in a current "
           "Grafana and save it, or re-export it, to store the migrated model.")
    good = (Example(dashboard()),)
    bad = (Example(_legacy_rows()), Example(dashboard(schemaVersion=22)))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        version = schema_version(doc.data)
        shown = f"schemaVersion {version}" if version is not None else "no schemaVersion"
        if isinstance(doc.data.get("rows"), list) and doc.data["rows"]:
            yield self.finding(doc, "rows", f"legacy rows[] layout ({shown}): Grafana converts the rows to the "
                                            "panel grid on every load")
        elif version is not None and version < MODERN_SCHEMA:
            yield self.finding(doc, "schemaVersion", f"{shown}: Grafana migrates the dashboard on every load "
                                                     f"(current exports are {MODERN_SCHEMA} or later)")


@register
class AngularTable(Rule):
    code = "DK108"
    name = "old-table-styles"
    severity = Severity.WARNING
    summary = (f"A `table` panel is the old Angular table: configured with `styles`, in a dashboard older than "
               f"schemaVersion {TABLE_STYLES_SCHEMA}.")
    why = ("Grafana turns it into the old table plugin (`table-old`), which Grafana 11 and later replace with the new "
           "table on load: column styles become field overrides, and date formats, value mappings and colouring "
           "rules are not always carried over. Convert it and check the result.")
    good = (Example(dashboard(panel(type="table", fieldConfig={"defaults": {"unit": "reqps"}, "overrides": []}))),)
    bad = (Example(dashboard(panel(type="table", styles=[{"pattern": "Value", "type": "number", "unit": "reqps",
                                                          "decimals": 2}]), schemaVersion=18)),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        version = schema_version(doc.data)
        if version is not None and version >= TABLE_STYLES_SCHEMA:
            return  # a table saved since 7.0 is the new table; leftover `styles` are ignored
        for ref in panels(doc.data):
            if panel_type(ref.panel) == "table" and isinstance(ref.panel.get("styles"), list) and ref.panel["styles"]:
                yield self.finding(doc, f"{ref.path}.styles", f"panel '{ref.panel.get('title', '')}' is an old "
                                                              "table (styles): Grafana migrates it to the new "
                                                              "table on every load")
