"""The HTML report in a real headless browser (Debian's chromium): the timelines are drawn by the page's script, one
firing band per interval of the JSON report (the baseline's in their own lane), and a screenshot shows them."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from .conftest import backtest, over
from .history import History

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/test installs Debian's "
                                                         "chromium)")
FIRE = (0xD6, 0x27, 0x28)  # the colour of a firing band


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={tmp_path / 'profile'}", *args], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def report(history: History, repository: Path, tmp_path_factory) -> tuple[Path, dict]:
    """The HTML report of the scratch repository's project against its baseline, and the JSON of the same run."""
    folder = tmp_path_factory.mktemp("html")
    project = repository / "ops" / "alerting"
    html = folder / "backtest.html"
    result = backtest(*over(history), "--baseline", "HEAD~1", "--format", "html", "--out", str(html), project=project)
    assert result.code == 0, result.text
    assert result.out == "" and f"Wrote {html}: Replayed 1 rule" in result.err
    data = backtest(*over(history), "--baseline", "HEAD~1", "--format", "json", project=project)
    return html, json.loads(data.out)


def test_the_page_is_self_contained_and_its_script_draws_one_band_per_interval(report, tmp_path):
    html, doc = report
    page = html.read_text()
    assert 'class="band' not in page  # nothing drawn until the script runs
    assert not any(f'{attr}="http' in page for attr in ("src", "href"))  # nothing fetched
    dom = _chromium(tmp_path, "--dump-dom", html.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    current = sum(len(a["firing"]) for a in doc["alerts"])
    before = sum(len(a["firing"]) for a in doc["baseline"]["alerts"])
    assert (current, before) == (1, 2)
    assert dom.stdout.count('class="band current') == current
    assert dom.stdout.count('class="band baseline') == before
    assert 'class="value"' in dom.stdout and 'class="threshold"' in dom.stdout


def test_a_screenshot_shows_the_page_with_its_firing_band(report, tmp_path):
    html, _ = report
    png = tmp_path / "shot.png"
    shot = _chromium(tmp_path, f"--screenshot={png}", "--window-size=800,400", html.as_uri())
    assert shot.returncode == 0 and png.is_file(), shot.stderr[-2000:]
    width, height, pixels = _decode_png(png.read_bytes())
    assert (width, height) == (800, 400)
    assert len(set(pixels)) > 20  # not a blank page
    assert any(all(abs(a - b) <= 8 for a, b in zip(p, FIRE, strict=True)) for p in pixels)  # a red firing band


def _decode_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """(width, height, RGB pixels) of an 8-bit RGB or RGBA PNG, as chromium writes its screenshots."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, chunks, header = 8, b"", b""
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        header = body if kind == b"IHDR" else header
        chunks += body if kind == b"IDAT" else b""
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    size = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(chunks), width * size, [], bytearray(width * size)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            up, corner = previous[i], previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(line)
        previous = line
    pixels = [tuple(row[x * size:x * size + 3]) for row in rows for x in range(width)]
    return width, height, pixels  # type: ignore[return-value]
