"""The maps lab in a real browser: Debian's Chromium driven by Playwright against a live
server (the fixtures of test_browser.py).

A basin map and a hyperparameter map are opened from links and what the page holds is
checked against the API's answer to the same request; a box dragged on the map asks for that
sub-rectangle at full resolution; a click on a cell opens its race in the surfaces lab and the
lab switch comes back to the same map; a request the server refuses is explained beside the
control. Screenshots go to /tmp/maps-shots/ for a person to look at.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import LabServer, lab, race_id, wait_race
from test_browser import browser, no_page_scrollbars, server  # noqa: F401  (fixtures)

SHOTS = Path("/tmp/maps-shots")
BASINS = "#lab=maps&s=himmelblau&mr=48&mn=300&mo=id:sgd;lr:0.01"
RAVINE = ("#lab=maps&s=ravine&p=kappa:100&x0=-2.5,1.2&mk=hyperparameters&mr=40&mn=300"
          "&mo=id:momentum;lr:0.01;momentum:0.5")
MAP_STREAMS = "/api/v1/maps/"
STATUS_DIVERGED = 2  # (engine.outcome.STATUSES)


class MapPage:
    """A page of the maps lab, the URLs it requested and the errors it logged."""

    def __init__(self, page: Any):
        self.page = page
        self.requests: list[tuple[str, str]] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append((r.url, r.post_data or "")))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def map_id(self) -> int:
        return self.page.evaluate("() => Number(document.body.dataset.mapId || 0)")

    def wait_map(self, after: int, timeout: float = 90_000) -> int:
        """Wait until a map newer than ``after`` is complete and drawn; its id."""
        self.page.wait_for_function(
            "(after) => Number(document.body.dataset.mapId || 0) > after"
            " && document.body.dataset.map === 'ready'", arg=after, timeout=timeout)
        return self.map_id()

    def posted(self) -> list[dict]:
        """The bodies of every map posted to a stream, in order."""
        return [json.loads(body) for url, body in self.requests
                if MAP_STREAMS in url and url.endswith("/stream")]

    def shown(self) -> dict:
        return lab(self.page, """(l) => { const m = l.maps.map; const f = m.fine();
            return { kind: m.kind, request: m.request, x: m.x.centres, y: f.y,
              status: Array.from(f.cells.status), basin: Array.from(f.cells.basin),
              step: Array.from(f.cells.step), done: m.done,
              traces: document.getElementById('map').data.map((t) => ({ type: t.type,
                name: t.name, x: t.x, y: t.y, rows: t.z ? t.z.length : 0 })) }; }""")


@pytest.fixture
def open_maps(browser: Any, server: LabServer) -> Iterator[Callable[..., MapPage]]:  # noqa: F811
    contexts = []

    def open_page(fragment: str, width: int = 1280, height: int = 720) -> MapPage:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      accept_downloads=True)
        contexts.append(context)
        page = MapPage(context.new_page())
        page.page.goto(f"{server.base}/{fragment}")
        page.wait_map(0)
        return page

    yield open_page
    for context in contexts:
        context.close()


def block(b: dict) -> list[int]:
    """An API block of small integers as a list."""
    raw = base64.b64decode(b["data"])
    fmt = {"int8": "b", "int16": "h", "int32": "i"}[b["dtype"]]
    return list(struct.unpack(f"<{len(raw) // struct.calcsize(fmt)}{fmt}", raw))


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def drag_box(page: Any, box: dict, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Drag a zoom box on the map from and to fractions of its plot area."""
    page.mouse.move(box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + (start[0] + end[0]) / 2 * box["width"],
                    box["y"] + (start[1] + end[1]) / 2 * box["height"], steps=4)
    page.mouse.move(box["x"] + end[0] * box["width"], box["y"] + end[1] * box["height"],
                    steps=4)
    page.mouse.up()


def plot_area(page: Any) -> dict:
    return page.locator("#map .nsewdrag").first.bounding_box()


def test_a_basin_map_draws_the_apis_cells_with_a_legend(
        open_maps: Callable[..., MapPage], server: LabServer) -> None:  # noqa: F811
    v = open_maps(BASINS)
    shown = v.shown()
    assert shown["kind"] == "basins" and shown["done"]
    expected = server.post("/api/v1/maps/basins", shown["request"])
    assert shown["status"] == block(expected["cells"]["status"])
    assert shown["basin"] == block(expected["cells"]["basin"])
    assert shown["step"] == block(expected["cells"]["step"])
    assert shown["x"] == expected["x"]["centres"]
    heatmaps = [t for t in shown["traces"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 1 and heatmaps[0]["rows"] == 48
    # every minimum reached is in the legend, with the contour's glyph and its share
    entries = v.page.eval_on_selector_all("#map-view .legend-list li",
                                          "(li) => li.map((e) => e.dataset.entry)")
    reached = {i for i, p in enumerate(expected["points"]) if p["cells"]}
    assert {f"point-{i}" for i in reached} <= set(entries)
    assert "speed" in entries
    # the critical points are drawn on the map (layout images), and the kinds no cell
    # reached (Himmelblau's saddles and its maximum) have their glyph in the legend too
    assert lab(v.page, "() => document.getElementById('map').layout.images.length") == 9
    assert {"critical-saddle", "critical-local_max"} <= set(entries)
    assert "Himmelblau" in v.page.inner_text("#race-title")
    assert v.errors == []


def test_a_box_zoom_recomputes_the_sub_rectangle_at_full_resolution(
        open_maps: Callable[..., MapPage]) -> None:
    v = open_maps(BASINS)
    before = v.map_id()
    drag_box(v.page, plot_area(v.page), (0.55, 0.2), (0.8, 0.45))
    v.wait_map(before)
    first, last = v.posted()[0], v.posted()[-1]
    assert "region" not in first and len(last["region"]) == 4
    x0, x1, y0, y1 = last["region"]
    # a sub-rectangle of Himmelblau's view (−5 … 5), right and up, at the same resolution
    assert -5 < x0 < x1 < 5 and -5 < y0 < y1 < 5 and x0 > 0 and y1 > 0
    assert last["resolution"] == first["resolution"] == 48
    shown = v.shown()
    assert shown["request"]["region"] == last["region"]
    assert x0 < min(shown["x"]) and max(shown["x"]) < x1 and len(shown["x"]) == 48
    assert v.page.locator("#map-unzoom").is_enabled()
    v.page.wait_for_function("() => window.location.hash.includes('mbox=')")
    # "Whole map" goes back to the surface's view
    before = v.map_id()
    v.page.click("[data-tab=map]")
    v.page.click("#map-unzoom")
    v.wait_map(before)
    assert "region" not in v.posted()[-1]
    assert v.errors == []


def open_cell_race(page, fx: float, fy: float) -> None:
    """Click the map at (fx, fy) of its plot area and wait for that cell's race in Surfaces."""
    box = plot_area(page)
    before = race_id(page)
    page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    page.wait_for_function("() => window.descentLab.store.state.lab === 'surfaces'")
    wait_race(page, before)


def test_a_click_on_a_cell_opens_its_race_and_the_switch_comes_back(
        open_maps: Callable[..., MapPage]) -> None:
    v = open_maps(BASINS)
    page = v.page
    open_cell_race(page, 0.8, 0.3)
    state = lab(page, """(l) => ({ start: l.store.state.start, runs: l.store.state.runs,
        steps: l.store.state.steps, race: l.current.race.request })""")
    x, y = state["start"]
    assert 1 < x < 5 and 0 < y < 5  # the cell clicked: right, upper half
    assert [r["id"] for r in state["runs"]] == ["sgd"] and state["runs"][0]["hp"]["lr"] == 0.01
    assert state["steps"] == 300 and state["race"]["start"] == [x, y]
    # the race ends at the minimum whose basin the cell is in
    shown = v.shown()
    col = min(range(48), key=lambda i: abs(shown["x"][i] - x))
    row = min(range(48), key=lambda j: abs(shown["y"][j] - y))
    basin = shown["basin"][row * 48 + col]
    points = lab(page, "(l) => l.maps.map.points.map((p) => p.point)")
    end = lab(page, """(l) => { const r = l.current.race; const p = r.runs[0].path;
        return [p[2 * r.steps], p[2 * r.steps + 1]]; }""")
    assert abs(end[0] - points[basin][0]) < 0.05 and abs(end[1] - points[basin][1]) < 0.05
    # back: the same map, not computed again
    posted = len(v.posted())
    page.click("#lab-switch [data-lab=maps]")
    page.wait_for_function("() => document.body.dataset.lab === 'maps'")
    page.wait_for_timeout(500)
    assert len(v.posted()) == posted
    assert page.locator("#map .main-svg").first.is_visible()
    assert v.errors == []


def test_a_hyperparameter_map_draws_the_theory_and_the_current_setting(
        open_maps: Callable[..., MapPage], server: LabServer) -> None:  # noqa: F811
    v = open_maps(RAVINE)
    shown = v.shown()
    assert shown["kind"] == "hyperparameters"
    expected = server.post("/api/v1/maps/hyperparameters", shown["request"])
    assert shown["status"] == block(expected["cells"]["status"])
    traces = {t["name"]: t for t in shown["traces"]}
    limit = traces["theory: stability limit"]
    assert limit["x"] == expected["theory"]["lr_limit"]
    assert limit["y"] == expected["theory"]["momentum"]
    assert traces["theory: fastest setting"]["x"] == [expected["theory"]["optimum"][0]]
    assert traces["current setting"]["x"] == [0.01] and traces["current setting"]["y"] == [0.5]
    # a click on a cell opens that setting's race
    page = v.page
    open_cell_race(page, 0.5, 0.5)
    run = lab(page, "(l) => l.store.state.runs[0]")
    assert run["id"] == "momentum" and run["hp"]["lr"] != 0.01 and run["hp"]["momentum"] != 0.5
    assert lab(page, "(l) => l.store.state.start") == [-2.5, 1.2]
    assert v.errors == []


def test_a_link_straight_to_the_maps_lab_maps_the_rate_the_surface_suggests(
        open_maps: Callable[..., MapPage]) -> None:
    """No roster in the link: the map is of the first optimizer at the rate the surface
    suggests. At the catalogue's default rate every start on Rosenbrock diverged, and that
    rate was off the hyperparameter map's axis."""
    v = open_maps("#lab=maps&mr=24&mn=200")
    run = lab(v.page, "(l) => l.store.state.mapRuns[0]")
    assert run["id"] == "sgd" and run["hp"]["lr"] < 1e-3
    status = v.shown()["status"]
    assert status.count(STATUS_DIVERGED) < len(status) / 2
    v = open_maps("#lab=maps&mk=hyperparameters&mr=24&mn=200")
    shown = v.shown()
    current = next(t for t in shown["traces"] if t["name"] == "current setting")
    axis = shown["request"]["x"]
    assert axis["name"] == "lr" and axis["lo"] <= current["x"][0] == run["hp"]["lr"] <= axis["hi"]
    assert v.errors == []


def test_grid_and_random_search_are_drawn_on_the_map_and_readable_on_diverged_cells(
        open_maps: Callable[..., MapPage], server: LabServer) -> None:  # noqa: F811
    """The Search tab's answer: each search's trials and best as the API gives them, each
    dark mark over a white halo of its own (half of this map is near-black, diverged)."""
    v = open_maps(RAVINE)
    page = v.page
    page.click("button[aria-controls=map-search]")
    page.click("#run-search")
    page.wait_for_function("() => document.getElementById('map').data"
                           ".some((t) => t.name === 'random trials')", timeout=60_000)
    traces = v.shown()["traces"]
    names = [t["name"] for t in traces]
    posted = [json.loads(body) for url, body in v.requests if url.endswith("/maps/search")]
    assert sorted(b["method"] for b in posted) == ["grid", "random"]
    for body in posted:
        answer = server.post("/api/v1/maps/search", body)
        trials = traces[names.index(f"{body['method']} trials")]
        assert [list(p) for p in zip(trials["x"], trials["y"], strict=True)] == answer["trials"][0]
        best = traces[names.index(f"{body['method']}: best found")]
        assert [best["x"][0], best["y"][0]] == answer["best"][0]
    for name in ("grid trials", "random: best found", "theory: stability limit"):
        halo = names.index(f"{name} (halo)")
        assert halo < names.index(name) and traces[halo]["x"] == traces[names.index(name)]["x"]
    assert v.errors == []


def test_a_map_over_the_budget_is_refused_beside_the_control_and_dimmed(
        open_maps: Callable[..., MapPage]) -> None:
    v = open_maps(BASINS)
    page = v.page
    page.click("[data-tab=map]")
    box = page.locator("#map-panel .field").filter(has_text="cells per side").locator(
        "input.num")
    box.fill("512")
    box.press("Enter")
    message = page.locator("#map-panel .field-error .error").first
    message.wait_for(timeout=30_000)
    assert "at most" in message.inner_text()
    assert "DESCENTLAB" not in message.inner_text()
    assert page.evaluate("() => document.body.classList.contains('input-invalid')")
    # the map on screen no longer matches the controls: dimmed (after a short fade)
    page.wait_for_function("() => Number(getComputedStyle(document.getElementById("
                           "'map-views')).opacity) < 0.5", timeout=5_000)
    # a value the server takes again clears it
    before = v.map_id()
    box.fill("40")
    box.press("Enter")
    v.wait_map(before)
    assert page.locator("#map-panel .field-error .error").count() == 0


def test_exports_png_csv_and_npz(open_maps: Callable[..., MapPage]) -> None:
    v = open_maps(BASINS)
    page = v.page

    def download(button: str) -> bytes:
        with page.expect_download() as info:
            page.click(button)
        return Path(info.value.path()).read_bytes()

    png = download("#export-png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    plot = page.locator("#map").bounding_box()
    assert abs(width - 2 * plot["width"]) <= 4 and height > 2 * plot["height"] + 100
    rows = list(csv.DictReader(io.StringIO(download("#export-csv").decode())))
    assert len(rows) == 48 * 48 and rows[0]["status"] in ("converged", "stalled")
    assert download("#export-npz").startswith(b"PK")
    assert v.errors == []


# the boxes of an axis's tick labels that overlap its title
TICKS_ON_TITLE = """() => ['x', 'y'].flatMap((a) => {
  const title = document.querySelector(`#map .${a}title`).getBoundingClientRect();
  return [...document.querySelectorAll(`#map .${a}tick text`)].filter((t) => {
    const r = t.getBoundingClientRect();
    return r.width && r.left < title.right && r.right > title.left && r.top < title.bottom
      && r.bottom > title.top; }).map((t) => `${a}: ${t.textContent}`); })"""


@pytest.mark.parametrize(("width", "height", "presenter"),
                         [(1280, 720, False), (1024, 768, False), (390, 844, False),
                          (1280, 720, True)])
def test_maps_screenshots(open_maps: Callable[..., MapPage], width: int, height: int,
                          presenter: bool) -> None:
    for name, fragment in (("basins", BASINS), ("hyperparameters", RAVINE)):
        v = open_maps(fragment + ("&present=1" if presenter else ""), width, height)
        page = v.page
        if width >= 700:
            assert no_page_scrollbars(page)
        legend = page.locator("#map-view .legend-list").bounding_box()
        plot = page.locator("#map").bounding_box()
        assert legend["y"] >= plot["y"] + plot["height"] - 1  # under the plot, not over it
        # a log axis's decades stand under its minor labels: never on the axis's title
        assert page.evaluate(TICKS_ON_TITLE) == []
        shot(page, f"maps-{name}-{width}x{height}{'-presenter' if presenter else ''}")
        assert v.errors == []
