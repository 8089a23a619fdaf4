"""The page in a real browser: Debian's Chromium driven by Playwright against a live server.

Each test drives the page the way a lecturer would — scenarios, playback, clicks on the plot,
sliders, the keyboard, shared links, exports — and checks what it shows against the API's own
answers, and what a classroom needs of it: each optimizer's one colour and marker, legends,
layouts that fit a 1024 × 768 or 1280 × 720 projector and a phone, presenter mode's type
sizes and contrast, the lesson's order (question first), honest arrows and plain errors —
measured from the page itself (element boxes, computed styles, the positions it drew).
Screenshots (every scenario's last frame at 1024 × 768 and in presenter mode at 1280 × 720,
the phone, …) are saved to artifacts/screenshots/ for a person to look at.
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
    PNG_PIXELS,
    LabServer,
    lab,
    launch,
    open_lab,
    race_id,
    screenshot,
    wait_3d_markers,
    wait_race,
)
from browser_helpers import (
    ROOT as ROOT_DIR,
)

playwright_api = pytest.importorskip("playwright.sync_api")

PIXEL_STATS = PNG_PIXELS + """
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
    scenarios = [s for s in server.get("/api/v1/scenarios") if "request" in s]  # the races
    assert len(scenarios) >= 12
    scenario = min(scenarios, key=lambda s: s["request"]["steps"]
                   * len(s["request"]["optimizers"]))
    page = visit().page
    open_scenario(page, scenario["id"])
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


def test_a_run_that_left_the_view_is_shown_at_its_edge_in_both_views(
        visit: Callable[..., Visit]) -> None:
    """SGD at 0.01 from (−1.5, 2) on Rosenbrock leaves the view at once: the contour pins its
    marker inside the plot's edge, and the 3-D view puts it on the view's edge, labelled."""
    page = visit("#s=rosenbrock&x0=-1.5,2&n=60&o=id:sgd;lr:0.01&o=id:adam;lr:0.05").page
    lab(page, "(l) => l.player.seek(l.player.total)")
    view = lab(page, "(l) => l.current.grid.surface.view")
    page.wait_for_function("""() => { const d = document.querySelector('#surface3d .graph')
        ?.data; return d && d[d.length - 1].text?.includes('off view'); }""", timeout=20_000)
    m = page.evaluate("""() => { const d = document.querySelector('#surface3d .graph').data;
        const m = d[d.length - 1];
        return { x: Array.from(m.x), y: Array.from(m.y), z: Array.from(m.z), text: m.text }; }""")
    assert m["text"] == ["off view", ""]
    x, y = m["x"][0], m["y"][0]
    assert view["x"][0] <= x <= view["x"][1] and view["y"][0] <= y <= view["y"][1]
    assert x in view["x"] or y in view["y"]  # on the edge
    assert all(math.isfinite(z) for z in m["z"])
    drawn = page.evaluate("() => document.getElementById('contour').drawn.markers")
    assert not next(d for d in drawn if d["run"] == 0)["inside"]  # pinned to the edge
    screenshot(page, "off-view-run-both-views-1280x720")


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


def test_an_out_of_range_learning_rate_is_refused_in_plain_words_beside_it(
        visit: Callable[..., Visit], server: LabServer) -> None:
    page = visit().page
    before = race_id(page)
    request = lab(page, "(l) => l.current.race.request")
    box = page.locator(".run[data-index='1'] [data-hp='lr'] input.num")
    box.fill("-1")
    box.press("Enter")
    error = page.locator(".run[data-index='1'] [data-hp='lr'] .error")
    error.wait_for()
    text = error.inner_text()
    lr = next(p for p in server.get("/api/v1/optimizers")[1]["hyperparameters"]
              if p["name"] == "lr")
    assert text.startswith("Learning rate") and "between" in text and "got" not in text
    assert len(text) < 80
    assert page.locator(".run .error").count() == 1
    # nothing was sent: the race on screen is the old one, dimmed while the box is wrong
    page.wait_for_timeout(300)
    assert race_id(page) == before
    assert lab(page, "(l) => l.current.race.request") == request
    dim = lambda: page.evaluate(  # noqa: E731
        "() => Number(getComputedStyle(document.getElementById('views')).opacity)")
    assert dim() < 0.5
    message_box = error.bounding_box()
    input_box = box.bounding_box()
    assert 0 <= message_box["y"] - (input_box["y"] + input_box["height"]) < 40
    screenshot(page, "lr-error-1280x720")
    box.fill(str(lr["default"]))
    box.press("Enter")
    page.wait_for_function("() => !document.body.classList.contains('input-invalid')")
    assert page.locator(".run .error").count() == 0 and dim() == 1


def test_a_too_long_formula_gets_a_short_message(visit: Callable[..., Visit]) -> None:
    page = visit().page
    page.click("[data-tab='surface']")
    typed = " + ".join(["x*y"] * 200)
    page.fill("#expression", typed)
    page.press("#expression", "Enter")
    error = page.locator("#expression-error .error")
    error.wait_for()
    text = error.inner_text()
    assert "too long" in text and len(text) < 100
    assert "DESCENTLAB" not in text and "x*y + x*y + x*y" not in text
    assert page.evaluate("() => document.body.classList.contains('input-invalid')")


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
    # twice the plots' size, with a heading (title, step) above and a legend below them
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    plots = boxes(page, ["#contour", "#surface3d"])
    assert abs(width - 2 * (plots["#contour"]["width"] + plots["#surface3d"]["width"])) <= 4
    assert height >= 2 * plots["#contour"]["height"] + 2 * (58 + 40)
    document = json.loads(download("#export-json"))
    assert [r["label"] for r in document["runs"]] == race["labels"]
    assert [r["final"]["loss"] for r in document["runs"]] == race["losses"]
    rows = list(csv.DictReader(io.StringIO(download("#export-csv").decode())))
    assert len(rows) == len(race["labels"]) * (race["steps"] + 1)
    last = [r for r in rows if int(r["step"]) == race["steps"]]
    for row, loss in zip(last, race["losses"], strict=True):
        assert math.isclose(float(row["loss"]), loss, rel_tol=1e-12)


def test_an_export_draws_the_3d_view_it_has_not_drawn_yet(visit: Callable[..., Visit]) -> None:
    """The 3-D view draws after the cheap views, in its turn: an export made before that (a
    click right after the page loads) must draw it at once, not fail on a view not yet there
    (it did, one time in five, saying "Cannot destructure property 'graph'")."""
    page = visit().page
    drawn = page.evaluate("""async () => {
      const { follower } = await import('/static/js/plots/follow.js');
      const drawn = [];
      const view = follower(async (frame) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        drawn.push(frame);
      });
      view.hold(60_000);  // its turn would come only after a minute
      view.follow([1]);
      view.follow([2]);
      await view.flush();
      const flushed = [...drawn];
      view.follow([3]);
      await view.flush();
      return { flushed, all: drawn };
    }""")
    assert drawn == {"flushed": [2], "all": [2, 3]}


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


# ------------------------------------------------------------------ identity: colour and marker

RESERVED_GLYPHS = {"star", "cross", "x", "hourglass"}  # critical points and outcomes


def legend_runs(page: Any, plot: str = "#contour") -> dict[str, dict[str, str]]:
    """The run entries of a plot's legend by label: the colour, marker and dash drawn."""
    return page.evaluate("""(plot) => Object.fromEntries([...document.querySelectorAll(
        `${plot} ~ .legend-list .legend-run, ${plot} .legend-list .legend-run`)].map((li) =>
        [li.dataset.label, { ...li.querySelector('.swatch').dataset }]))""", plot)


def pick_scenario(page: Any, scenario_id: str) -> None:
    """Open the gallery on the tile's chapter and click the tile."""
    page.click("#scenarios-open")
    tile = f".scenario-tile[data-scenario='{scenario_id}']"
    chapter = page.evaluate(f"() => document.querySelector(\"{tile}\").parentElement"
                            ".dataset.chapter")
    page.click(f".chapter-tab[data-chapter='{chapter}']")
    page.click(tile)


def open_scenario(page: Any, scenario_id: str) -> None:
    before = race_id(page)
    pick_scenario(page, scenario_id)
    wait_race(page, before)


def test_each_optimizer_has_one_colour_and_marker_from_the_catalogue(
        visit: Callable[..., Visit], server: LabServer) -> None:
    optimizers = {o["id"]: o for o in server.get("/api/v1/optimizers")}
    pairs = [(o["color"], o["marker"]) for o in optimizers.values()]
    assert len(set(pairs)) == len(pairs)
    assert not {m for _, m in pairs} & RESERVED_GLYPHS
    scenarios = {s["id"]: s for s in server.get("/api/v1/scenarios")}
    page = visit().page
    seen: dict[str, set[tuple[str, str]]] = {}
    for sid in ("ravine_zigzag", "nesterov_brakes", "plateau_crossing", "rosenbrock_race"):
        open_scenario(page, sid)
        runs = scenarios[sid]["request"]["optimizers"]
        for plot in ("#contour", "#surface3d", "#loss"):
            page.wait_for_function("""([plot, n]) => document.querySelectorAll(`${plot} ~
                .legend-list .legend-run, ${plot} .legend-list .legend-run`).length === n""",
                                   arg=[plot, len(runs)], timeout=20_000)
            legend = legend_runs(page, plot)
            firsts = set()
            for run in runs:
                drawn = legend[run["label"]]
                assert drawn["marker"] == optimizers[run["id"]]["marker"]
                if run["id"] not in firsts:  # the first run of an optimizer: its own colour
                    firsts.add(run["id"])
                    assert drawn["color"].lower() == optimizers[run["id"]]["color"].lower()
                    assert drawn["dash"] == ""
                    seen.setdefault(run["id"], set()).add((drawn["color"], drawn["marker"]))
                else:  # a second run of one optimizer: another shade and a dash
                    assert drawn["color"].lower() != optimizers[run["id"]]["color"].lower()
                    assert drawn["dash"] != ""
    assert all(len(looks) == 1 for looks in seen.values()), seen
    # the networks lab draws Adam as the surfaces lab does
    page.click("#lab-switch [data-lab='networks']")
    page.wait_for_function("() => document.querySelectorAll('#standings .swatch').length > 0",
                           timeout=120_000)
    colours = page.evaluate("""() => [...document.querySelectorAll('#standings tbody tr')].map(
        (tr) => tr.querySelector('.swatch').dataset.color.toLowerCase())""")
    assert set(colours) <= {o["color"].lower() for o in optimizers.values()}


def test_critical_points_and_outcomes_have_their_own_glyphs_in_the_legend(
        visit: Callable[..., Visit]) -> None:
    page = visit().page
    open_scenario(page, "newton_saddle")
    play_to_end(page)
    page.wait_for_function("() => document.getElementById('contour').drawn?.outcomes.length")
    drawn = page.evaluate("() => document.getElementById('contour').drawn")
    legend = page.evaluate("""() => [...document.querySelectorAll(
        '#contour ~ .legend-list .legend-mark')].map((li) => li.dataset.critical
        || li.dataset.outcome)""")
    assert "saddle" in drawn["critical"]
    assert set(drawn["critical"]) | set(drawn["outcomes"]) == set(legend)
    screenshot(page, "identity-newton-saddle-1280x720")


# ------------------------------------------------------------------ layouts

def boxes(page: Any, selectors: list[str]) -> dict[str, dict[str, float] | None]:
    """getBoundingClientRect of the first match of each selector (None: not rendered)."""
    return page.evaluate("""(selectors) => Object.fromEntries(selectors.map((s) => {
        const el = document.querySelector(s);
        if (!el || !el.getClientRects().length) return [s, null];
        const r = el.getBoundingClientRect();
        return [s, { x: r.x, y: r.y, width: r.width, height: r.height, right: r.right,
                     bottom: r.bottom }]; }))""", selectors)


def inside_viewport(page: Any, selector: str) -> list[str]:
    """The visible elements matching ``selector`` that stick out of the viewport."""
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)].filter((el) => {
        if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden')
          return false;
        const r = el.getBoundingClientRect();
        return r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5
          || r.bottom > innerHeight + 0.5; }).map((el) => el.id || el.textContent.trim())""",
                         selector)


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1280, 720), (1920, 1080)])
def test_desktop_layouts_fit_without_scrolling(visit: Callable[..., Visit], width: int,
                                               height: int) -> None:
    page = visit(width=width, height=height).page
    lab(page, "(l) => l.player.seek(l.player.total)")
    page.wait_for_timeout(500)
    assert no_page_scrollbars(page)
    assert inside_viewport(page, ".topbar button, .topbar summary, .transport > *") == []
    area = plot_area(page)
    assert area["width"] >= 300 and area["height"] >= 260, area
    b = boxes(page, ["#readout", ".transport select", "#loss .nsewdrag"])
    assert b["#readout"]["right"] <= b[".transport select"]["x"]
    assert b["#loss .nsewdrag"]["width"] >= 200 and b["#loss .nsewdrag"]["height"] >= 100
    screenshot(page, f"layout-{width}x{height}")


def test_at_1024_the_controls_are_a_drawer(visit: Callable[..., Visit]) -> None:
    page = visit(width=1024, height=768).page
    assert not page.locator("#left").is_visible()
    page.click("#drawer-toggle")
    page.wait_for_function("() => document.getElementById('left').getBoundingClientRect().x >= 0")
    assert page.locator("#roster-panel").is_visible()
    assert inside_viewport(page, "#left") == []
    screenshot(page, "layout-1024x768-drawer")
    before = race_id(page)
    lr = page.locator(".run[data-index='0'] [data-hp='lr'] input.num")
    lr.fill("0.002")
    lr.press("Enter")
    wait_race(page, before)
    page.click("#drawer-toggle")
    page.wait_for_function("() => getComputedStyle(document.getElementById('left')).visibility"
                           " === 'hidden'")
    assert page.get_attribute("#drawer-toggle", "aria-expanded") == "false"


def test_a_phone_gets_one_column_and_touch_moves_the_start(browser: Any,
                                                           server: LabServer) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True, device_scale_factor=2)
    try:
        page = context.new_page()
        open_lab(page, server.base)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        # the contour alone by default (3-D only when asked for), and the switch says so
        assert lab(page, "(l) => l.store.state.layout") == "contour"
        assert page.get_attribute("#layout-switch [aria-pressed='true']",
                                  "data-layout") == "contour"
        assert not page.locator("#surface-view").is_visible()
        b = boxes(page, ["#contour", "#loss", "#leaderboard", "#roster-panel", "#scenario-card"])
        assert b["#contour"]["width"] >= 330 and b["#contour"]["height"] >= 330
        assert b["#loss"]["width"] >= 330
        for name in ("#leaderboard", "#roster-panel", "#scenario-card"):
            assert b[name]["x"] >= 0 and b[name]["right"] <= 390, name
        # one column: the plot, the loss chart and the controls one under another
        assert b["#contour"]["bottom"] <= b["#loss"]["y"] <= b["#roster-panel"]["y"]
        screenshot(page, "phone-390x844")
        page.locator("#contour").scroll_into_view_if_needed()
        area = plot_area(page)
        before = race_id(page)
        page.touchscreen.tap(area["x"] + 0.25 * area["width"], area["y"] + 0.5 * area["height"])
        wait_race(page, before)
        view = lab(page, "(l) => l.current.grid.surface.view")
        start = lab(page, "(l) => l.current.race.start")
        x0, x1 = view["x"]
        assert start[0] == pytest.approx(x0 + 0.25 * (x1 - x0), abs=0.03 * (x1 - x0))
        page.screenshot(path=str(screenshot(page, "phone-390x844-full")), full_page=True)
    finally:
        context.close()


# ------------------------------------------------------------------ presenter mode

CONTRAST = """(el) => {
  const rgba = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((c) => { c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
    .reduce((s, c, i) => s + c * [0.2126, 0.7152, 0.0722][i], 0);
  let bg = null;
  for (let e = el; e && !bg; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) bg = c.slice(0, 3);
  }
  bg = bg || [255, 255, 255];
  const fg = rgba(getComputedStyle(el).color).slice(0, 3);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def font_px(page: Any, selector: str) -> float:
    return page.evaluate("(s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)",
                         selector)


def test_presenter_mode_reads_from_the_back_row(visit: Callable[..., Visit]) -> None:
    page = visit(width=1280, height=720).page
    page.keyboard.press("p")
    page.wait_for_function("() => document.body.classList.contains('presenter')")
    page.wait_for_timeout(600)
    assert font_px(page, ".question p") >= 28  # the question, while the class thinks
    # both views on a 1280-pixel projector: the contour keeps a plot the back row can read
    assert lab(page, "(l) => l.store.state.layout") == "both"
    assert plot_area(page)["width"] >= 300 and page.locator("#surface3d").is_visible()
    page.click("#scenario-card .reveal")
    assert font_px(page, ".notice p") >= 22
    assert font_px(page, ".question p") >= 22
    fits = page.evaluate("""() => { const c = document.getElementById('scenario-card');
        const p = document.getElementById('right');
        return c.getBoundingClientRect().bottom <= p.getBoundingClientRect().bottom + 1; }""")
    assert fits  # question and notice both on screen
    assert font_px(page, "#contour .xtick text") >= 16
    assert font_px(page, "#loss .ytick text") >= 16
    assert no_page_scrollbars(page)
    assert title_shown_whole(page)
    screenshot(page, "presenter-1280x720")


LESSON_PANEL_FITS = """() => { const p = document.getElementById('right');
    return p.scrollHeight <= p.clientHeight + 1; }"""


@pytest.mark.parametrize("language", ["en", "uk"])
def test_every_lessons_notice_fits_the_presenters_card(visit: Callable[..., Visit],
                                                       server: LabServer, language: str) -> None:
    """Presenter mode at 1280 × 720, every lesson of every lab once its notice is revealed:
    the lesson panel needs no scrolling (the question folds to a line, which a click or
    Enter unfolds), in English and in Ukrainian, whose texts run longest."""
    scenarios = server.get("/api/v1/scenarios")
    page = visit(f"#lang={language}", width=1280, height=720).page
    page.keyboard.press("p")
    page.wait_for_function("() => document.body.classList.contains('presenter')")
    for scenario in scenarios:
        pick_scenario(page, scenario["id"])
        page.wait_for_function(
            "(id) => document.querySelector('#scenario-card .reveal')"
            " && window.descentLab.store.state.scenario === id", arg=scenario["id"])
        page.click("#scenario-card .reveal")
        page.wait_for_selector("#scenario-card .notice")
        assert font_px(page, ".notice p") >= 22
        assert page.evaluate(LESSON_PANEL_FITS), scenario["id"]
    # the folded question opens whole on a click, and folds again
    question = page.locator("#scenario-card .question")
    assert question.get_attribute("aria-expanded") == "false"
    folded = question.bounding_box()["height"]
    question.click()
    page.wait_for_selector("#scenario-card .question[aria-expanded=true]")
    assert page.locator("#scenario-card .question").bounding_box()["height"] > 1.5 * folded
    page.locator("#scenario-card .question").press("Enter")
    page.wait_for_selector("#scenario-card .question[aria-expanded=false]")


def test_the_presenter_hide_menu_never_hides_itself(visit: Callable[..., Visit]) -> None:
    page = visit(width=1280, height=720).page
    page.keyboard.press("p")
    page.click("#presenter summary")
    boxes = page.locator("#presenter .menu-body input[type=checkbox]")
    for i in range(boxes.count()):
        if not boxes.nth(i).is_checked():
            boxes.nth(i).check()
    # everything hidden: each box is still there to bring its panel back
    for i in range(boxes.count()):
        assert boxes.nth(i).is_visible()
    page.locator("#presenter input[data-hides='scenario']").uncheck()
    page.wait_for_function("() => document.getElementById('scenario-card').offsetParent !== null")
    assert page.locator("#scenario-card .question").is_visible()


def test_pressed_controls_keep_their_contrast_under_the_pointer(
        visit: Callable[..., Visit]) -> None:
    page = visit(width=1280, height=720).page
    page.keyboard.press("p")
    page.wait_for_function("() => document.body.classList.contains('presenter')")
    pressed = page.locator("[aria-pressed='true']")
    assert pressed.count() >= 3  # a lab, a view and presenter mode
    for i in range(pressed.count()):
        button = pressed.nth(i)
        if not button.is_visible():
            continue
        assert button.evaluate(CONTRAST) >= 4.5
        button.hover()
        page.wait_for_timeout(50)
        ratio = button.evaluate(CONTRAST)
        assert ratio >= 3, (button.inner_text(), ratio)
    # the gallery's chapter tab on screen, under the pointer that chose it
    page.click("#scenarios-open")
    tab = page.locator(".chapter-tab[aria-selected='true']")
    tab.click()
    tab.hover()
    page.wait_for_timeout(50)
    assert tab.evaluate(CONTRAST) >= 3


# ------------------------------------------------------------------ lesson flow

def card(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => { const c = document.getElementById('scenario-card');
        return { head: c.querySelector('.card-head')?.innerText ?? '',
                 notice: Boolean(c.querySelector('.notice')), text: c.innerText,
                 changed: c.dataset.changed === 'true',
                 reset: Boolean(c.querySelector('.changed .reset')) }; }""")


def test_a_first_visit_opens_on_the_first_scenario_at_its_question(
        visit: Callable[..., Visit], server: LabServer) -> None:
    scenarios = server.get("/api/v1/scenarios")
    page = visit().page
    shown = card(page)
    assert shown["head"].endswith(f"scenario 1 of {len(scenarios)}")
    assert scenarios[0]["question"] in shown["text"]
    assert not shown["notice"] and scenarios[0]["notice"] not in shown["text"]
    assert lab(page, "(l) => l.player.frame") == 0
    play_to_end(page)
    page.wait_for_function("() => document.querySelector('#scenario-card .notice')")
    # the next scenario opens on its question, though the last race is still at its end
    for scenario in [s for s in scenarios if "request" in s][1:4]:  # (races, not maps)
        open_scenario(page, scenario["id"])
        shown = card(page)
        assert scenario["question"] in shown["text"]
        assert not shown["notice"] and scenario["notice"] not in shown["text"]
        assert lab(page, "(l) => l.player.frame") == 0
        play_to_end(page)
        page.wait_for_function("() => document.querySelector('#scenario-card .notice')")
    pick_scenario(page, scenarios[1]["id"])
    page.wait_for_timeout(300)
    assert not card(page)["notice"]  # opened again: the question first, again
    page.click("#scenario-card .reveal")
    assert card(page)["notice"]


def test_an_edited_scenario_says_changed_and_resets(visit: Callable[..., Visit]) -> None:
    page = visit().page
    assert not card(page)["changed"]
    staged = lab(page, "(l) => l.current.race.request")
    before = race_id(page)
    lr = page.locator(".run[data-index='0'] [data-hp='lr'] input.num")
    lr.fill("0.0004")
    lr.press("Enter")
    before = wait_race(page, before)
    shown = card(page)
    assert shown["changed"] and shown["reset"] and "Changed" in shown["text"]
    screenshot(page, "lesson-changed-1280x720")
    page.click("#scenario-card .changed .reset")
    wait_race(page, before)
    assert lab(page, "(l) => l.current.race.request") == staged
    assert not card(page)["changed"]


def test_the_gallery_fits_one_screen_with_whole_questions(visit: Callable[..., Visit]) -> None:
    """Each chapter of the lesson plan on one 1280×720 screen: every tile's picture loaded
    and its whole question shown, nothing below the dialog's edge, no scrolling."""
    page = visit(width=1280, height=720).page
    page.click("#scenarios-open")
    page.wait_for_function("() => document.getElementById('gallery').open")
    chapters = page.eval_on_selector_all(".chapter-tab", "(ts) => ts.map((t) => t.dataset.chapter)")
    assert len(chapters) >= 4
    for chapter in chapters:
        page.click(f".chapter-tab[data-chapter='{chapter}']")
        page.wait_for_function("""(c) => [...document.querySelectorAll(
            `.tiles[data-chapter='${c}'] img.thumb`)].every((i) => i.complete
            && i.naturalWidth > 0)""", arg=chapter)
        fit = page.evaluate("""() => { const d = document.getElementById('gallery');
            const r = d.getBoundingClientRect();
            const shown = [...d.querySelectorAll('.tiles:not([hidden]) .scenario-tile')];
            return { bottom: r.bottom, top: r.top, tiles: shown.length,
              scrolls: d.scrollHeight > d.clientHeight + 1,
              cut: shown.filter((t) => {
                const q = t.querySelector('.tile-question');
                const b = t.getBoundingClientRect();
                return q.scrollHeight > q.clientHeight + 1 || b.bottom > r.bottom; }).length };
            }""")
        assert fit["tiles"] >= 1 and fit["top"] >= 0 and fit["bottom"] <= 720, chapter
        assert not fit["scrolls"] and fit["cut"] == 0, chapter
        screenshot(page, f"gallery-{chapter}-1280x720")


# ------------------------------------------------------------------ honest drawing

def wait_overlay(page: Any, frame: int, arrows: bool = True) -> None:
    """Wait until the contour's overlay shows ``frame`` (with its inspector arrows): a
    loaded machine can still show an earlier frame's just after a seek."""
    page.wait_for_function("([f, arrows]) => { const d = document.getElementById('contour')"
                           ".drawn; return d?.frame === f && (!arrows || d.arrows?.length > 0);"
                           " }", arg=[frame, arrows])


def test_inspector_arrows_are_honest_about_magnitude(visit: Callable[..., Visit]) -> None:
    page = visit().page  # the first scenario: the inspector follows Adam to the minimum
    lab(page, "(l) => l.player.seek(1)")
    wait_overlay(page, 1)
    early = page.evaluate("() => document.getElementById('contour').drawn.arrows")
    gradient = next(a for a in early if a["label"] == "−g")
    assert gradient["length"] == pytest.approx(58, abs=1)
    assert "(" in gradient["text"]  # its magnitude printed beside it
    end = lab(page, "(l) => { l.player.seek(l.player.total); return l.player.total; }")
    wait_overlay(page, end)
    late = page.evaluate("() => document.getElementById('contour').drawn.arrows")
    for a in late:
        if a["mode"] == "direction":
            # an all-but-vanished direction is not drawn at full length
            tiny = a["magnitude"] <= 1e-6 * a["reference"]
            assert (a["length"] == 0) == tiny, a
        elif a["length"] > 0:  # to scale, magnified by a power of ten at most
            assert a["scale"] in (1, 10, 100, 1000)
    assert any(a["length"] == 0 for a in late)
    screenshot(page, "arrows-at-the-minimum-1280x720")


def test_inspector_arrow_labels_never_cover_one_another(visit: Callable[..., Visit]) -> None:
    """The first lesson at 1024 × 768, every 50th frame: the labels of the followed run's
    arrows stay clear of each other and inside the plot. Halfway, −g and −m̂ end at the same
    point beside a short step: the step's label was stepped down under −m̂'s and the two read
    "step ×100(m̂ (0.022)"."""
    page = visit(width=1024, height=768).page
    total = lab(page, "(l) => l.player.total")
    plot = page.evaluate("() => { const r = document.querySelector('#contour .nsewdrag')"
                         ".getBoundingClientRect(); const c = document.getElementById("
                         "'contour').getBoundingClientRect(); return { left: r.left - c.left,"
                         " top: r.top - c.top, right: r.right - c.left,"
                         " bottom: r.bottom - c.top }; }")
    for frame in range(1, total + 1, 50):
        lab(page, "(l, f) => l.player.seek(f)", frame)
        wait_overlay(page, frame)
        boxes_drawn = [a["box"] for a in page.evaluate(
            "() => document.getElementById('contour').drawn.arrows")]
        for k, a in enumerate(boxes_drawn):
            assert plot["left"] <= a["x"] and a["x"] + a["w"] <= plot["right"] + 1, (frame, a)
            assert plot["top"] <= a["y"] and a["y"] + a["h"] <= plot["bottom"] + 1, (frame, a)
            for b in boxes_drawn[k + 1:]:
                apart = (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"]
                         or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"])
                assert apart, (frame, a, b)


def test_schedule_free_shows_its_three_sequences_as_three_points(
        visit: Callable[..., Visit]) -> None:
    """x is the drawn path; z (the base optimizer's own sequence) and y (where the gradient
    is taken) are drawn from x, each as far as the state says."""
    page = visit("#s=ravine&o=id:schedule_free_sgd;lr:0.05&n=80").page
    lab(page, "(l) => l.player.seek(6)")
    wait_overlay(page, 6)
    arrows = {a["label"]: a for a in
              page.evaluate("() => document.getElementById('contour').drawn.arrows")}
    state = lab(page, """(l) => { const r = l.current.race.runs[0];
        return [r.state.z_offset[12], r.state.z_offset[13],
                r.derived.y_offset.values[12], r.derived.y_offset.values[13]]; }""")
    beta1 = lab(page, "(l) => l.current.race.runs[0].info.hyperparameters.beta1")
    assert {"z", "y"} <= set(arrows)
    # y − x = (1 − β₁)(z − x)
    assert state[2:] == pytest.approx([(1 - beta1) * v for v in state[:2]])
    assert arrows["z"]["magnitude"] == pytest.approx(math.hypot(*state[:2]))


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1280, 720)])
def test_the_leaderboard_shows_twelve_runs_with_whole_labels_and_columns(
        visit: Callable[..., Visit], server: LabServer, width: int, height: int) -> None:
    ids = [o["id"] for o in server.get("/api/v1/optimizers")]
    runs = "&".join(f"o=id:{i}" for i in ids[:12])
    page = visit(f"#s=rosenbrock&n=300&{runs}", width=width, height=height).page
    lab(page, "(l) => l.player.seek(l.player.total)")
    page.wait_for_timeout(300)
    header = page.inner_text("#leaderboard thead")
    assert "f − f*" in header and "f − f*:" in page.inner_text("#leaderboard .board-note")
    cut = page.evaluate("""() => { const box = document.getElementById('leaderboard')
        .getBoundingClientRect();
        return [...document.querySelectorAll('#leaderboard th, #leaderboard td')].filter((c) =>
          c.getBoundingClientRect().right > box.right + 0.5 || c.scrollWidth > c.clientWidth + 1)
          .map((c) => c.innerText); }""")
    assert cut == []
    rows = leaderboard(page)
    assert len(rows) == min(12, len(ids))
    for label in rows:
        assert label in page.inner_text(f"#leaderboard tr[data-label='{label}'] .who")
    screenshot(page, f"leaderboard-12-runs-{width}x{height}")


@pytest.mark.parametrize(("width", "height", "presenter"),
                         [(1024, 768, False), (1280, 720, True)])
def test_every_scenario_ends_on_a_labelled_screen(visit: Callable[..., Visit],
                                                  server: LabServer, width: int, height: int,
                                                  presenter: bool) -> None:
    """Each scenario at its last frame: every run in the contour's legend with its
    optimizer's marker, no marker covering another or the start mark, every path inside the
    view but for a run the scenario throws out of it (whose marker is pinned to the edge),
    no page scrolling; a screenshot of each to look at."""
    scenarios = [s for s in server.get("/api/v1/scenarios") if "request" in s]  # the races
    optimizers = {o["id"]: o for o in server.get("/api/v1/optimizers")}
    page = visit(width=width, height=height).page
    if presenter:
        page.keyboard.press("p")
    for scenario in scenarios:
        if scenario is not scenarios[0]:
            open_scenario(page, scenario["id"])
        wait_overlay(page, lab(page, "(l) => { l.player.seek(l.player.total);"
                                     " return l.player.total; }"), arrows=False)
        page.wait_for_timeout(200)  # (the legend and the 3-D follow the same redraw)
        legend = legend_runs(page, "#contour")
        for run in scenario["request"]["optimizers"]:
            assert legend[run["label"]]["marker"] == optimizers[run["id"]]["marker"]
        # every run's marker is visible: none covers another (the start is drawn under them)
        drawn = page.evaluate("() => document.getElementById('contour').drawn.markers")
        assert len(drawn) == len(scenario["request"]["optimizers"])
        for k, a in enumerate(drawn):
            for b in drawn[k + 1:]:
                assert math.hypot(a["x"] - b["x"], a["y"] - b["y"]) >= 1.8 * a["r"], (a, b)
        start = page.evaluate("() => document.getElementById('contour').drawn.start")
        for a in drawn:
            assert math.hypot(a["x"] - start["x"], a["y"] - start["y"]) >= start["r"] + 0.8 * a[
                "r"], (scenario["id"], a, start)
        leaving = {e["label"] for e in scenario["expect"] if e.get("leaves_view")}
        inside = lab(page, """(l) => { const { x, y } = l.current.grid.surface.view;
            return l.current.race.runs.map((r) => { for (let t = 0; t <= r.path.length / 2 - 1;
              t += 1) { const [px, py] = [r.path[2 * t], r.path[2 * t + 1]];
              if (Number.isFinite(px) && (px < x[0] || px > x[1] || py < y[0] || py > y[1]))
                return false; }
              return true; }); }""")
        for a, stays in zip(sorted(drawn, key=lambda d: d["run"]), inside, strict=True):
            assert stays != (a["label"] in leaving), (scenario["id"], a["label"])
            assert a["inside"] == stays, (scenario["id"], a)  # a leaver: pinned to the edge
        assert no_page_scrollbars(page)
        if presenter:  # the notice, shown at the end, fits the lesson card
            assert page.locator("#scenario-card .notice").count() == 1
            assert page.evaluate(LESSON_PANEL_FITS), scenario["id"]
        screenshot(page, f"scenario-{scenario['id']}-{width}x{height}"
                   f"{'-presenter' if presenter else ''}")


def test_ab_compare_races_the_same_race_with_one_setting_changed(
        visit: Callable[..., Visit]) -> None:
    """The rotated-ravine lesson opens in A/B: B is A's race with θ = 0, drawn beside it at
    the same size and frame; B's knob can be changed, and a bad value is refused beside it
    with B dimmed."""
    page = visit(width=1024, height=768).page
    open_scenario(page, "rotation_hurts_adaptive")
    assert lab(page, "(l) => l.store.state.layout") == "ab"
    wait_b = """(want) => { const b = window.descentLab.compare.shown();
        return b && b.race.done && b.race.request.surface.params.theta === want; }"""
    page.wait_for_function(wait_b, arg=0)
    a_request, b_request = lab(page, """(l) => [l.current.race.request,
        l.compare.shown().race.request]""")
    assert a_request["surface"]["params"]["theta"] == 45
    assert {**b_request, "surface": a_request["surface"]} == a_request
    sizes = page.evaluate("""() => ['contour', 'contour-b'].map((id) => {
        const r = document.getElementById(id).getBoundingClientRect();
        return [Math.round(r.width), Math.round(r.height)]; })""")
    assert sizes[0] == sizes[1] and sizes[0][0] >= 300, sizes
    play_to_end(page)
    page.wait_for_timeout(300)
    drawn = page.evaluate("() => document.getElementById('contour-b').drawn")
    assert len(drawn["markers"]) == len(a_request["optimizers"])
    assert "A" in page.inner_text("#ab-caption-a") and "45" in page.inner_text("#ab-caption-a")
    screenshot(page, "ab-compare-1024x768")
    # B set to A's own θ is A again, path for path
    value = page.locator("#compare-bar input.num")
    value.fill("45")
    value.press("Enter")
    page.wait_for_function(wait_b, arg=45)
    same = lab(page, """(l) => l.current.race.runs.every((r, i) => r.path.every((v, k) =>
        Object.is(v, l.compare.shown().race.runs[i].path[k])))""")
    assert same
    # a value the surface refuses: the message beside the knob, B dimmed
    value.fill("500")
    value.press("Enter")
    page.wait_for_function("() => document.getElementById('compare-view').classList"
                           ".contains('stale')")
    assert "theta" in page.inner_text("#compare-bar .error")


def test_a_link_that_names_no_optimizer_races_the_default_lineup(
        visit: Callable[..., Visit], server: LabServer) -> None:
    """A link to the surfaces lab without a roster (`#view=ab`, `#present=1`) races the
    default lineup at the rates the surface suggests, where it opened on a bare surface.
    With every run switched off, A/B's B says so as A does, where it showed the API's own
    refusal of an empty race."""
    v = visit("#view=ab&s=himmelblau", width=1024, height=768)
    page = v.page
    runs = lab(page, "(l) => l.store.state.runs")
    surface = next(s for s in server.get("/api/v1/surfaces") if s["id"] == "himmelblau")
    assert [(r["id"], r["hp"]["lr"]) for r in runs] == [
        (o, surface["suggested_lr"][o]) for o in ("sgd", "momentum", "adam")]
    lab(page, "(l) => l.store.update({ runs: l.store.state.runs.map((r) => ({ ...r, on: false }))"
              " })")
    page.wait_for_function("() => document.querySelector('#compare-bar .error').textContent"
                           " === 'Switch on at least one optimizer.'")
    page.wait_for_timeout(300)
    assert v.errors == []


def test_the_learning_rate_slider_gives_each_decade_room(visit: Callable[..., Visit]) -> None:
    page = visit().page
    slider = page.locator(".run[data-index='0'] [data-hp='lr'] input[type=range]")
    value = lab(page, "(l) => l.store.state.runs[0].hp.lr")
    lo, hi = (float(slider.get_attribute(k)) for k in ("data-lo", "data-hi"))
    assert lo <= value <= hi and math.log10(hi / lo) <= 3.01
    # the box still takes a value far outside the slider's window, which re-centres on it
    box = page.locator(".run[data-index='0'] [data-hp='lr'] input.num")
    before = race_id(page)
    box.fill("2")
    box.press("Enter")
    wait_race(page, before)
    lo, hi = (float(slider.get_attribute(k)) for k in ("data-lo", "data-hi"))
    assert lo <= 2 <= hi


def test_the_page_names_no_optimizer_colour_and_no_optimizer_by_id(server: LabServer) -> None:
    """Colours and markers reach the page only through the catalogue: no script repeats an
    optimizer's colour, and none names an optimizer (the networks lab's first roster comes
    from the network catalogue)."""
    optimizers = server.get("/api/v1/optimizers")
    root = ROOT_DIR / "frontend" / "js"
    # (an id that is also a hyperparameter's name, momentum, is a name the page may use)
    names = {h["name"] for o in optimizers for h in o["hyperparameters"]}
    for path in root.rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix()
        for o in optimizers:
            assert o["color"].lower() not in text.lower(), (name, o["color"])
            for quoted in (f"'{o['id']}'", f'"{o["id"]}"'):
                assert quoted not in text or o["id"] in names, (name, o["id"])


def test_a_new_surface_brings_learning_rates_that_suit_it(visit):
    """Rosenbrock's rates on Himmelblau used to make SGD diverge at step 3: picking a
    surface sets each run's rate to the one the surface suggests, and the race holds."""
    page = visit().page
    before = race_id(page)
    page.click("[data-tab='surface']")
    page.select_option("#surface-select", "himmelblau")
    wait_race(page, before)
    suggested = lab(page, """(l) => l.catalogues.surfaces.find((s) => s.id === 'himmelblau')
      .suggested_lr""")
    runs = lab(page, "(l) => l.store.state.runs.map((r) => [r.id, r.hp.lr])")
    assert runs and all(lr == suggested[run_id] for run_id, lr in runs)
    assert lab(page, "(l) => l.current.race.runs.every((r) => r.divergedAt === null)")


def test_a_learning_rate_past_the_starts_stable_limit_is_warned_and_a_set_rate_is_kept(
        visit: Callable[..., Visit], server: LabServer) -> None:
    """SGD at 0.002 from (−1.5, 2) on Rosenbrock: lr·λ_max ≈ 4 > 2, so a warning stands
    beside its rate (with the server's limit); a rate below the limit clears it. A rate the
    person typed survives a change of surface; the others take the surface's suggestion."""
    page = visit("#s=rosenbrock&x0=-1.5,2&n=200&o=id:sgd;lr:0.002&o=id:adam;lr:0.05").page
    warning = page.locator(".run[data-index='0'] .field-warning")
    page.wait_for_function("() => document.querySelector(\".run[data-index='0'] "
                           ".field-warning\").textContent.length > 0")
    limit = lab(page, "(l) => l.current.race.runs[0].info.stability.lr_limit")
    assert limit < 0.002 and "2/λ_max" in warning.inner_text()
    assert page.locator(".run[data-index='1'] .field-warning").inner_text() == ""
    page.click("[data-tab='roster']")
    box = page.locator(".run[data-index='0'] [data-hp='lr'] input.num")
    before = race_id(page)
    box.fill(str(round(limit / 2, 6)))
    box.press("Enter")
    before = wait_race(page, before)
    assert warning.inner_text() == "" and not warning.is_visible()
    assert lab(page, "(l) => l.store.state.runs.map((r) => r.ownLr)") == [True, False]
    page.click("[data-tab='surface']")
    page.select_option("#surface-select", "himmelblau")
    wait_race(page, before)
    suggested = next(s for s in server.get("/api/v1/surfaces")
                     if s["id"] == "himmelblau")["suggested_lr"]
    rates = lab(page, "(l) => l.store.state.runs.map((r) => r.hp.lr)")
    assert rates == [round(limit / 2, 6), suggested["adam"]]
    screenshot(page, "lr-kept-after-surface-change-1280x720")
