"""The HTML report: one self-contained page (inline CSS, JS and SVG, nothing fetched) for a pull request's artifacts.
Per alert series a timeline over the range: its firing bands (and the baseline's), and the value its condition
compares with its threshold. The page carries its data as JSON; the script draws the timelines from it."""

from __future__ import annotations

import html
import json
from typing import Any

from .comparison import rows
from .engine import Backtest
from .prometheus import masked
from .report_text import distinguishing_labels, stats, summary
from .states import Interval
from .times import human_duration, rfc3339


def as_html(current: Backtest, baseline: Backtest | None = None, ref: str | None = None, url: str = "") -> str:
    table = rows(current, baseline)
    shown = distinguishing_labels([row.shown for row in table])
    # what the working tree's rules compared, by alert series: also for series that fired only in the baseline
    charts = {(r.rule.group, r.rule.alert, labels): (chart, r.rule.thresholds)
              for r in current.results for labels, chart in r.charts.items()}
    alerts = []
    for row, labels in zip(table, shown, strict=True):
        alert = row.shown
        now, before = row.current, row.baseline
        chart, thresholds = charts.get((alert.rule.group, alert.alert, alert.key[1]), (None, ()))
        if now is not None and now.values:
            chart, thresholds = now.values, now.rule.thresholds
        chart = chart or []
        alerts.append({
            "name": alert.alert + labels,
            "labels": dict(sorted(alert.labels.items())),
            "rule": alert.rule.where,
            "stats": stats(row, baseline is not None),
            "pages": now.pages if now else 0,
            "changed": baseline is not None and _counts(now) != _counts(before),
            "firing": _bands(now.firing if now else [], current.end),
            "baseline": None if before is None else _bands(before.firing, current.end),
            "values": [[t, v] for t, v in chart],
            "thresholds": list(thresholds) if chart else [],
        })
    data = {"from": current.start, "to": current.end, "baseline": ref, "alerts": alerts,
            "ticks": _ticks(current.start, current.end)}
    title = f"Alert backtest, {rfc3339(current.start)} – {rfc3339(current.end)}"
    subtitle = f"{human_duration(current.end - current.start)} of {html.escape(masked(url)) or 'Prometheus'}"
    if ref:
        subtitle += f", next to the rules at <code>{html.escape(ref)}</code>"
    return _PAGE.format(
        title=html.escape(title), subtitle=subtitle, summary=html.escape(summary(current, baseline, ref)),
        problems=_problems(current, baseline), style=_STYLE, script=_SCRIPT,
        data=json.dumps(data, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")
        .replace(">", "\\u003e").replace("&", "\\u0026"))


def _counts(alert: Any) -> tuple[int, float]:
    return (alert.pages, alert.firing_seconds) if alert is not None else (0, 0.0)


def _bands(intervals: list[Interval], end: float) -> list[dict[str, Any]]:
    return [{"start": i.start, "end": end if i.end is None else i.end, "open": i.end is None, "flapping": i.flapping,
             "title": f"{rfc3339(i.start)} → {'still firing' if i.end is None else rfc3339(i.end)} "
                      f"({human_duration((end if i.end is None else i.end) - i.start)})"
                      + (", flapping" if i.flapping else "")}
            for i in intervals]


def _ticks(start: float, end: float) -> list[list[Any]]:
    """Axis marks at whole days (whole hours for a range under two days)."""
    step = 86400 if end - start >= 2 * 86400 else 3600 * max(1, round((end - start) / 3600 / 8))
    first = (int(start) // step + 1) * step
    return [[t, rfc3339(t)[5:10] if t % 86400 == 0 else rfc3339(t)[11:16]] for t in range(first, int(end), step)]


def _problems(current: Backtest, baseline: Backtest | None) -> str:
    parts = []
    if current.skipped:
        items = "".join(f"<li><b>{html.escape(r.alert)}</b> in {html.escape(r.where)}: {html.escape(r.problem or '')}"
                        "</li>" for r in current.skipped)
        parts.append(f"<h2>Cannot be replayed</h2><ul>{items}</ul>")
    failed = current.failed + (baseline.failed if baseline else [])
    if failed:
        items = "".join(f"<li><b>{html.escape(r.rule.alert)}</b> in {html.escape(r.rule.where)}: "
                        f"{html.escape(r.failure or '')}</li>" for r in failed)
        parts.append(f"<h2>Failed</h2><ul>{items}</ul>")
    notes = [r for r in current.results if r.note]
    if notes:
        items = "".join(f"<li><b>{html.escape(r.rule.alert)}</b>: {html.escape(r.note or '')}</li>" for r in notes)
        parts.append(f"<h2>Notes</h2><ul>{items}</ul>")
    return f'<section id="problems">{"".join(parts)}</section>' if parts else ""


_STYLE = """
:root { --fire: #d62728; --base: #9aa0a6; --value: #1f77b4; --ink: #1d1d1f; --muted: #6b7280; --line: #e5e7eb; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0;
       background: #fafafa; }
header, main, #problems { max-width: 1100px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.subtitle, .summary { color: var(--muted); margin: 2px 0; }
.controls { margin: 12px 0; color: var(--muted); }
section.alert { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 12px 0;
                padding: 12px 16px; }
section.alert.changed { border-left: 4px solid #f59e0b; }
section.alert.fired { border-left: 4px solid var(--fire); }
section.alert h2 { font-size: 15px; margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
section.alert .stats { margin: 2px 0 6px; color: var(--muted); }
section.alert .rule { color: var(--muted); font-size: 12px; }
svg { width: 100%; height: auto; display: block; }
svg .lane { fill: #f3f4f6; }
svg .band.current { fill: var(--fire); }
svg .band.current.flapping { fill: #ff7f0e; }
svg .band.baseline { fill: var(--base); }
svg .value { fill: none; stroke: var(--value); stroke-width: 1.5; }
svg .threshold { stroke: var(--fire); stroke-dasharray: 6 4; stroke-width: 1; }
svg text { font-size: 11px; fill: var(--muted); }
svg .tick { stroke: var(--line); }
#problems h2 { font-size: 16px; margin-top: 24px; }
body.only-fired section.alert:not(.fired):not(.changed) { display: none; }
"""

_SCRIPT = r"""
(function () {
  var data = JSON.parse(document.getElementById("backtest-data").textContent);
  var NS = "http://www.w3.org/2000/svg", W = 1000, LEFT = 8, RIGHT = 8, span = data.to - data.from;
  function x(t) { return LEFT + (W - LEFT - RIGHT) * Math.max(0, Math.min(1, (t - data.from) / span)); }
  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var key in attrs) node.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(tag, cls, content, parent) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    node.textContent = content;
    parent.appendChild(node);
    return node;
  }
  function lane(svg, y, bands, cls, label) {
    el("rect", {"class": "lane", x: LEFT, y: y, width: W - LEFT - RIGHT, height: 14}, svg);
    bands.forEach(function (b) {
      var rect = el("rect", {"class": "band " + cls + (b.flapping ? " flapping" : ""), x: x(b.start), y: y,
                             width: Math.max(1.5, x(b.end) - x(b.start)), height: 14}, svg);
      el("title", {}, rect).textContent = label + ": " + b.title;
    });
  }
  function chart(svg, top, height, values, thresholds) {
    var numbers = values.filter(function (p) { return p[1] !== null; }).map(function (p) { return p[1]; });
    if (!numbers.length) return;
    var low = Math.min.apply(null, numbers.concat(thresholds)), high = Math.max.apply(null, numbers.concat(thresholds));
    if (high === low) { high += 1; low -= 1; }
    var pad = (high - low) * 0.1; low -= pad; high += pad;
    function y(v) { return top + height - height * (v - low) / (high - low); }
    var d = "", pen = "M";
    values.forEach(function (p) {
      if (p[1] === null) { pen = "M"; return; }
      d += pen + x(p[0]).toFixed(1) + " " + y(p[1]).toFixed(1) + " "; pen = "L";
    });
    el("path", {"class": "value", d: d}, svg);
    thresholds.forEach(function (v) {
      var line = el("line", {"class": "threshold", x1: LEFT, x2: W - RIGHT, y1: y(v), y2: y(v)}, svg);
      el("title", {}, line).textContent = "threshold " + v;
    });
    el("text", {x: W - RIGHT - 2, y: top + 10, "text-anchor": "end"}, svg).textContent = String(+high.toPrecision(3));
    el("text", {x: W - RIGHT - 2, y: top + height - 2, "text-anchor": "end"}, svg).textContent =
      String(+low.toPrecision(3));
  }
  var main = document.getElementById("alerts");
  data.alerts.forEach(function (alert) {
    var section = document.createElement("section");
    section.className = "alert" + (alert.firing.length ? " fired" : "") + (alert.changed ? " changed" : "");
    text("h2", "", alert.name, section);
    text("p", "stats", alert.stats, section);
    var hasChart = alert.values.length > 0, chartHeight = hasChart ? 70 : 0;
    var lanes = alert.baseline ? 2 : 1, height = chartHeight + lanes * 20 + 22;
    var svg = el("svg", {viewBox: "0 0 " + W + " " + height, role: "img",
                         "aria-label": alert.name + " over the backtest range"});
    if (hasChart) chart(svg, 2, chartHeight - 6, alert.values, alert.thresholds);
    data.ticks.filter(function (tick) { return x(tick[0]) < W - 40; }).forEach(function (tick) {
      el("line", {"class": "tick", x1: x(tick[0]), x2: x(tick[0]), y1: 0, y2: height - 14}, svg);
      el("text", {x: x(tick[0]) + 2, y: height - 3}, svg).textContent = tick[1];
    });
    lane(svg, chartHeight, alert.firing, "current", "firing");
    if (alert.baseline) lane(svg, chartHeight + 20, alert.baseline, "baseline", "baseline " + data.baseline);
    section.appendChild(svg);
    text("p", "rule", alert.rule + (alert.baseline ? "  (red: these rules; grey: " + data.baseline + ")" : ""),
         section);
    main.appendChild(section);
  });
  var toggle = document.getElementById("only-fired");
  toggle.addEventListener("change", function () { document.body.classList.toggle("only-fired", toggle.checked); });
})();
"""

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p class="subtitle">{subtitle}</p>
<p class="summary">{summary}</p>
<p class="controls"><label><input type="checkbox" id="only-fired"> only alerts that fired (or changed)</label></p>
<noscript><p>The timelines are drawn by JavaScript: open this page in a browser with scripts enabled.</p></noscript>
</header>
<main id="alerts"></main>
{problems}
<script type="application/json" id="backtest-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""
