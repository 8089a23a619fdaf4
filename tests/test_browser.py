"""The page in a real browser: Debian's Chromium driven by Playwright against a live server.

Each test drives the page the way a lecturer would — scenarios, playback, clicks on the plot,
sliders, the keyboard, shared links, exports — and checks what it shows against the API's own
answers. Screenshots at 1280 × 720 (a projector), 1920 × 1080 and in presenter mode are
saved to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import os
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from browser_helpers import (
    CHROMIUM,
    LabServer,
    lab,
    launch,
    open_lab,
    race_id,
    screenshot,
    wait_3d_markers,
    wait_race,
)

playwright_api = pytest.importorskip("playwright.sync_api")

PIXEL_STATS = """async (png) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + png;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, image.width, image.height).data;
  const colours = new Set();
  let sum = 0, sum2 = 0;
  for (let i = 0; i < data.length; i += 4) {
    const y = 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
    sum += y; sum2 += y * y;
    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  }
  const n = data.length / 4;
  return { colours: colours.size, std: Math.sqrt(sum2 / n - (sum / n) ** 2) };
}"""


@dataclass
class Visit:
    """A page, every URL it requested, and every console error it logged."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    with LabServer(tmp_path_factory.mktemp("lab") / "descentlab.server.log") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with playwright_api.sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser: Any, server: LabServer) -> Iterator[Callable[..., Visit]]:
    """Open the lab in a fresh browser context (no shared cache or storage)."""
    contexts = []

    def open_page(fragment: str = "", width: int = 1280, height: int = 720) -> Visit:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page)
        page.on("request", lambda r: seen.requests.append(r.url))
        page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.errors.append(str(e)))
        open_lab(page, server.base, fragment)
        return seen

    yield open_page
    for context in contexts:
        context.close()


def leaderboard(page: Any) -> dict[str, dict[str, str]]:
    """The leaderboard rows by run label: status, loss and step as the page holds them."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '#leaderboard tbody tr')].map((tr) => [tr.dataset.label, { ...tr.dataset,
        text: tr.innerText }]))""")


def first_path(page: Any) -> list[float]:
    return lab(page, "(l) => Array.from(l.current.race.runs[0].path.slice(0, 40))")


def plot_area(page: Any) -> dict[str, float]:
    """Screen box of the contour's plot area (Plotly's drag layer covers exactly that)."""
    return page.locator("#contour .nsewdrag").first.bounding_box()


def no_page_scrollbars(page: Any) -> bool:
    return page.evaluate("""() => {
      const d = document.documentElement;
      return d.scrollWidth <= d.clientWidth && d.scrollHeight <= d.clientHeight;
    }""")


def title_shown_whole(page: Any) -> bool:
    """Whether the header's title shows all of its text (no ellipsis)."""
    return page.evaluate("""() => {
      const t = document.getElementById('race-title');
      return t.textContent.length > 0 && t.scrollWidth <= t.clientWidth + 1
        && t.scrollHeight <= t.clientHeight + 1;
    }""")


def play_to_end(page: Any) -> None:
    lab(page, "(l) => l.store.update({ speed: 960 })")
    page.keyboard.press("Home")
    page.keyboard.press("Space")
    page.wait_for_function("() => !window.descentLab.player.playing"
                           " && window.descentLab.player.atEnd", timeout=120_000)


def test_page_loads_clean_and_stays_on_its_origin(visit: Callable[..., Visit],
                                                 server: LabServer) -> None:
    v = visit()
    page = v.page
    assert v.errors == []
    origin = urllib.parse.urlsplit(server.base).netloc
    foreign = [u for u in v.requests if urllib.parse.urlsplit(u).scheme in ("http", "https")
               and urllib.parse.urlsplit(u).netloc != origin]
    assert foreign == []
    assert page.evaluate("() => document.querySelectorAll('script:not([src])').length") == 0
    assert page.locator("#contour .main-svg").count() > 0
    page.locator("#surface3d canvas").first.wait_for(timeout=20_000)
    assert page.locator("#leaderboard tbody tr").count() == len(
        lab(page, "(l) => l.current.race.runs"))
    assert no_page_scrollbars(page)
    screenshot(page, "lab-1280x720")


def test_a_scenario_plays_to_its_end_and_the_leaderboard_shows_the_apis_numbers(
        visit: Callable[..., Visit], server: LabServer) -> None:
    scenarios = server.get("/api/v1/scenarios")
    assert len(scenarios) >= 12
    scenario = min(scenarios, key=lambda s: s["request"]["steps"]
                   * len(s["request"]["optimizers"]))
    page = visit().page
    before = race_id(page)
    page.click("#scenarios-open")
    page.click(f".scenario-tile[data-scenario='{scenario['id']}']")
    wait_race(page, before)
    assert lab(page, "(l) => l.player.frame") == 0
    assert scenario["question"] in page.inner_text("#scenario-card")
    assert not page.locator(".notice.open").is_visible()

    play_to_end(page)
    expected = server.post("/api/v1/races", {**scenario["request"], "record": {"path": False}})
    rows = leaderboard(page)
    assert set(rows) == {run["label"] for run in expected["runs"]}
    for run in expected["runs"]:
        row = rows[run["label"]]
        assert row["status"] == run["status"]
        assert float(row["loss"]) == run["final"]["loss"]
        step = run["diverged_at"] if run["status"] == "diverged" else run["converged_at"]
        assert row["step"] == ("" if step is None else str(step))
        assert run["status"] in row["text"] or run["status"] == "unfinished"
    assert page.locator(".notice.open").is_visible()
    assert scenario["notice"] in page.inner_text("#scenario-card")
    screenshot(page, "scenario-finished-1280x720")


def test_clicking_the_contour_moves_the_start_and_reruns(visit: Callable[..., Visit]) -> None:
    page = visit().page
    view = lab(page, "(l) => l.current.grid.surface.view")
    old_path = first_path(page)
    box = plot_area(page)
    before = race_id(page)
    page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"])
    wait_race(page, before)
    start = lab(page, "(l) => l.current.race.start")
    x0, x1 = view["x"]
    y0, y1 = view["y"]
    assert start[0] == pytest.approx(x0 + 0.75 * (x1 - x0), abs=0.02 * (x1 - x0))
    assert start[1] == pytest.approx(y0 + 0.75 * (y1 - y0), abs=0.02 * (y1 - y0))
    assert lab(page, "(l) => l.store.state.start") == start
    new_path = first_path(page)
    assert new_path[:2] == start and new_path != old_path


def test_changing_a_learning_rate_reruns_the_race(visit: Callable[..., Visit]) -> None:
    page = visit().page
    old_path = first_path(page)
    old_lr = lab(page, "(l) => l.current.race.request.optimizers[0].hyperparameters.lr")
    box = page.locator(".run[data-index='0'] [data-hp='lr'] input.num")
    new_lr = old_lr * 2
    before = race_id(page)
    box.fill(str(new_lr))
    box.press("Enter")
    wait_race(page, before)
    assert lab(page, "(l) => l.current.race.request.optimizers[0].hyperparameters.lr") == new_lr
    assert lab(page, "(l) => l.current.race.runs[0].info.hyperparameters.lr") == new_lr
    assert first_path(page) != old_path


def test_a_shared_link_reproduces_the_race_in_a_fresh_page(visit: Callable[..., Visit]) -> None:
    page = visit().page
    box = plot_area(page)
    before = race_id(page)
    page.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + 0.6 * box["height"])
    before = wait_race(page, before)
    lr = page.locator(".run[data-index='1'] [data-hp='lr'] input.num")
    lr.fill("0.0015")
    lr.press("Enter")
    wait_race(page, before)
    page.wait_for_function("() => window.location.hash.includes('0.0015')")
    url = page.url

    def race_of(p: Any) -> dict:
        return lab(p, """(l) => ({ request: l.current.race.request,
            outcomes: l.current.race.runs.map((r) => r.outcome),
            paths: l.current.race.runs.map((r) => Array.from(r.path)) })""")

    fresh = visit(f"#{urllib.parse.urlsplit(url).fragment}")
    assert race_of(fresh.page) == race_of(page)
    assert fresh.errors == []


def test_the_3d_view_renders_and_follows_the_frame(visit: Callable[..., Visit]) -> None:
    page = visit().page
    canvas = page.locator("#surface3d canvas").first
    canvas.wait_for(timeout=20_000)
    page.wait_for_function("""() => document.querySelector('#surface3d .graph').data.length
        === window.descentLab.current.race.runs.length + 2""", timeout=20_000)
    stats = page.evaluate(PIXEL_STATS, base64.b64encode(canvas.screenshot()).decode())
    assert stats["colours"] > 200 and stats["std"] > 10, stats

    markers = """(l) => {
      const data = document.querySelector('#surface3d .graph').data;
      const m = data[data.length - 1];
      return { x: Array.from(m.x), y: Array.from(m.y) };
    }"""
    page.keyboard.press("Home")
    for presses in (0, 7, 25):
        for _ in range(presses):
            page.keyboard.press("ArrowRight")
        frame = lab(page, "(l) => l.player.frame")
        expected = lab(page, """(l, t) => l.current.race.runs.map((r) =>
            [r.path[2 * t], r.path[2 * t + 1]])""", frame)
        wait_3d_markers(page, "surface3d", expected, timeout=10_000)
        got = lab(page, markers)
        assert got["x"] == pytest.approx([p[0] for p in expected])
    screenshot(page, "lab-3d-frame-32-1280x720")


def test_an_invalid_expression_shows_the_servers_message_beside_the_input(
        visit: Callable[..., Visit], server: LabServer) -> None:
    v = visit()
    page = v.page
    page.click("[data-tab='surface']")
    typed = "x**2 + z*y"
    page.fill("#expression", typed)
    page.press("#expression", "Enter")
    error = page.locator("#expression-error .error")
    error.wait_for()
    query = urllib.parse.urlencode({"expression": typed, "resolution": 3})
    try:
        server.get(f"/api/v1/expressions/grid?{query}")
        pytest.fail("the server accepted an invalid expression")
    except Exception as err:  # urllib raises HTTPError for the 422
        detail = json.loads(err.read())["detail"][0]  # type: ignore[attr-defined]
    assert detail["msg"] in error.inner_text()
    assert error.locator("mark").inner_text() == typed[detail["column"] - 1]
    input_box = page.locator("#expression").bounding_box()
    message_box = error.bounding_box()
    assert 0 <= message_box["y"] - (input_box["y"] + input_box["height"]) < 40
    screenshot(page, "expression-error-1280x720")

    before = race_id(page)
    page.fill("#expression", "x**2 + 10*y**2")
    page.press("#expression", "Enter")
    wait_race(page, before)
    assert page.locator("#expression-error .error").count() == 0
    assert lab(page, "(l) => l.current.race.surface.expression.plain") == "x**2 + 10*y**2"
    assert [e for e in v.errors if "422" not in e] == []


def test_an_out_of_range_learning_rate_shows_the_servers_message_in_its_run(
        visit: Callable[..., Visit], server: LabServer) -> None:
    page = visit().page
    box = page.locator(".run[data-index='1'] [data-hp='lr'] input.num")
    box.fill("-1")
    box.press("Enter")
    error = page.locator(".run[data-index='1'] [data-hp='lr'] .error")
    error.wait_for()
    request = lab(page, "(l) => l.current.race.request")
    request["optimizers"][1]["hyperparameters"]["lr"] = -1
    try:
        server.post("/api/v1/races", request)
        pytest.fail("the server accepted a negative learning rate")
    except Exception as err:  # urllib raises HTTPError for the 422
        detail = json.loads(err.read())["detail"][0]  # type: ignore[attr-defined]
    assert detail["loc"] == ["body", "optimizers", 1, "hyperparameters", "lr"]
    assert error.inner_text() == detail["msg"]
    assert page.locator(".run .error").count() == 1


def test_keyboard_shortcuts_drive_the_player(visit: Callable[..., Visit]) -> None:
    page = visit().page
    frame = lambda: lab(page, "(l) => l.player.frame")  # noqa: E731
    page.keyboard.press("Home")
    assert frame() == 0
    page.keyboard.press("ArrowRight")
    assert frame() == 1
    page.keyboard.press("Shift+ArrowRight")
    assert frame() == 11
    page.keyboard.press("ArrowLeft")
    assert frame() == 10
    page.keyboard.press("End")
    assert frame() == lab(page, "(l) => l.player.total")
    page.keyboard.press("Home")
    page.keyboard.press("Space")
    assert lab(page, "(l) => l.player.playing")
    page.wait_for_function("() => window.descentLab.player.frame > 0")
    page.keyboard.press("Space")
    assert not lab(page, "(l) => l.player.playing")
    assert 0 < frame() < lab(page, "(l) => l.player.total")
    assert "step" in page.inner_text("#readout")


def test_export_buttons_download_png_json_and_csv(visit: Callable[..., Visit]) -> None:
    page = visit().page
    race = lab(page, """(l) => ({ steps: l.current.race.steps, labels: l.current.race.runs.map(
        (r) => r.info.label), losses: l.current.race.runs.map((r) => r.outcome.final.loss) })""")

    def download(button: str) -> bytes:
        with page.expect_download() as info:
            page.click(button)
        return open(info.value.path(), "rb").read()

    png = download("#export-png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    document = json.loads(download("#export-json"))
    assert [r["label"] for r in document["runs"]] == race["labels"]
    assert [r["final"]["loss"] for r in document["runs"]] == race["losses"]
    rows = list(csv.DictReader(io.StringIO(download("#export-csv").decode())))
    assert len(rows) == len(race["labels"]) * (race["steps"] + 1)
    last = [r for r in rows if int(r["step"]) == race["steps"]]
    for row, loss in zip(last, race["losses"], strict=True):
        assert math.isclose(float(row["loss"]), loss, rel_tol=1e-12)


@pytest.mark.parametrize(("width", "height", "presenter"),
                         [(1920, 1080, False), (1280, 720, True), (1920, 1080, True)])
def test_screenshots_fit_the_screen(visit: Callable[..., Visit], width: int, height: int,
                                    presenter: bool) -> None:
    page = visit(width=width, height=height).page
    if presenter:
        page.keyboard.press("p")
        page.wait_for_function("() => document.body.classList.contains('presenter')")
    lab(page, "(l) => l.player.seek(Math.round(l.player.total * 0.4))")
    page.wait_for_timeout(800)
    assert no_page_scrollbars(page)
    screenshot(page, f"lab-{width}x{height}{'-presenter' if presenter else ''}")
    assert title_shown_whole(page)
