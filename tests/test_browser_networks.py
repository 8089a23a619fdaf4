"""The networks lab in a real browser: Debian's Chromium driven by Playwright against a live
server (the fixtures of test_browser.py).

A network race is set up through the page's own controls — moons, a 2-16-16-1 tanh net, SGD
against Adam, 300 steps — and what the page draws is checked against the API's answers to the
same request: the landscape grid, every path's end on the plane, the decision boundary at a
frame. Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest
from browser_helpers import LabServer, lab, race_id, screenshot, wait_3d_markers, wait_race
from test_browser import (  # noqa: F401  (fixtures: the live server and the browser)
    PIXEL_STATS,
    Visit,
    browser,
    no_page_scrollbars,
    server,
    title_shown_whole,
    visit,
)

STEPS = 300

NETWORK_RACE = """(l) => { const r = l.networks.race; return { request: r.request, done: r.done,
    steps: r.steps, available: r.available, labels: r.runs.map((run) => run.info.label),
    ends: r.runs.map((run) => [run.path[2 * r.steps], run.path[2 * r.steps + 1]]),
    paths: r.runs.map((run) => Array.from(run.path)),
    losses: r.runs.map((run) => Array.from(run.loss)) }; }"""

# The colour of the landscape's overlay canvas under each run's end point, and the colour
# the run is drawn in: the marker at the last frame sits exactly there.
MARKER_PIXELS = """(l) => {
  const el = document.getElementById('landscape');
  const gd = el.querySelector('.graph');
  const canvas = el.querySelector('canvas.overlay');
  const { xaxis, yaxis } = gd._fullLayout;
  const dpr = canvas.width / gd._fullLayout.width;
  const ctx = canvas.getContext('2d');
  const race = l.networks.race;
  return race.runs.map((run) => {
    const x = xaxis._offset + xaxis.l2p(run.path[2 * race.steps]);
    const y = yaxis._offset + yaxis.l2p(run.path[2 * race.steps + 1]);
    const [r, g, b] = ctx.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
    // the optimizer's own colour, from the catalogue (each runs once in this race)
    const optimizer = l.catalogues.optimizers.find((o) => o.id === run.info.optimizer);
    return { pixel: [r, g, b], colour: optimizer.color };
  });
}"""


def http_error(call: Callable[[], Any]) -> dict:
    """The first detail item of the 422 that ``call`` is expected to raise."""
    try:
        call()
    except urllib.error.HTTPError as err:
        assert err.code == 422
        return json.loads(err.read())["detail"][0]
    pytest.fail("the server accepted a request it should refuse")


def hex_rgb(colour: str) -> list[int]:
    return [int(colour[i:i + 2], 16) for i in (1, 3, 5)]


def boundary_on_screen(page: Any) -> dict:
    return lab(page, """(l) => { const b = l.networks.boundary; return { run: b.run,
        frame: b.frame, probability: b.data.probability }; }""")


def wait_boundary(page: Any, frame: int) -> None:
    page.wait_for_function("(t) => document.getElementById('boundary').dataset.frame === "
                           "String(t)", arg=frame, timeout=30_000)


def set_up_race(page: Any) -> None:
    """From the surfaces lab: the Networks tab, then SGD and Adam only, 300 steps."""
    before = race_id(page)
    page.click("#lab-switch [data-lab=networks]")
    before = wait_race(page, before)
    page.click("[data-tab=roster]")
    labels = lab(page, "(l) => l.store.state.netRuns.map((r) => r.id)")
    for index in reversed(range(len(labels))):
        if labels[index] not in ("sgd", "adam"):
            page.click(f".run[data-index='{index}'] [aria-label='remove this run']")
            before = wait_race(page, before)
    page.click("[data-tab=netsettings]")
    steps = page.locator("#netsettings-panel .field input.num").first
    steps.fill(str(STEPS))
    steps.press("Enter")
    wait_race(page, before)
    page.wait_for_function("(n) => window.descentLab.player.frame === n", arg=STEPS)


def test_a_network_race_draws_its_landscape_paths_and_decision_boundary(
        visit: Callable[..., Visit], server: LabServer) -> None:  # noqa: F811
    v = visit()
    page = v.page
    set_up_race(page)
    race = lab(page, NETWORK_RACE)
    assert race["done"] and race["steps"] == STEPS and race["available"] == STEPS
    assert race["labels"] == ["SGD", "Adam"]
    assert race["request"]["dataset"]["id"] == "moons"
    assert race["request"]["architecture"]["hidden"] == [16, 16]
    expected = server.post("/api/v1/networks/races", race["request"])

    # the landscape: the API's grid as a contour, every path ending where the API says
    page.locator("#landscape .main-svg").first.wait_for()
    contour = lab(page, """() => { const d = document.querySelector('#landscape .graph')
        .data[0]; return { type: d.type, x: d.x, y: d.y }; }""")
    assert contour["type"] == "contour"
    assert contour["x"] == expected["landscape"]["alphas"]
    assert contour["y"] == expected["landscape"]["betas"]
    assert race["ends"] == [run["path"][-1] for run in expected["runs"]]
    assert race["losses"] == [run["loss"] for run in expected["runs"]]
    for marker in lab(page, MARKER_PIXELS):
        assert marker["pixel"] == pytest.approx(hex_rgb(marker["colour"]), abs=40), marker

    # the decision boundary of the selected run: at the last frame, then at the first
    wait_boundary(page, STEPS)
    last = boundary_on_screen(page)
    direct = server.post("/api/v1/networks/boundary", {"race": race["request"],
                                                       "run": last["run"], "frame": STEPS,
                                                       "resolution": 61})
    assert last["probability"] == direct["probability"]
    stats = page.evaluate(PIXEL_STATS, base64.b64encode(
        page.locator("#boundary canvas.overlay").screenshot()).decode())
    assert stats["colours"] > 200 and stats["std"] > 10, stats
    screenshot(page, "networks-1280x720")
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("Home")
    wait_boundary(page, 0)
    first = boundary_on_screen(page)
    change = max(abs(a - b) for row_a, row_b in zip(first["probability"], last["probability"],
                                                    strict=True)
                 for a, b in zip(row_a, row_b, strict=True))
    assert change > 0.3, "the boundary at step 0 is the one at the end"

    # loss and accuracy per step, with the playhead
    titles = page.evaluate("""() => ['loss', 'accuracy'].map((id) => document.querySelector(
        `#${id} .graph`)._fullLayout.yaxis.title.text)""")
    assert titles[0].startswith("loss") and titles[1] == "accuracy"
    assert page.locator("#standings tbody tr").count() == 2

    assert no_page_scrollbars(page)
    origin = urllib.parse.urlsplit(server.base).netloc
    assert [u for u in v.requests if urllib.parse.urlsplit(u).scheme in ("http", "https")
            and urllib.parse.urlsplit(u).netloc != origin] == []
    assert v.errors == []


def test_a_shared_link_reproduces_the_network_race(visit: Callable[..., Visit]) -> None:  # noqa: F811
    page = visit().page
    set_up_race(page)
    page.wait_for_function("(n) => window.location.hash.includes('nn=' + n)", arg=STEPS)
    original = lab(page, NETWORK_RACE)
    fresh = visit(f"#{urllib.parse.urlsplit(page.url).fragment}")
    assert lab(fresh.page, "(l) => l.store.state.lab") == "networks"
    reproduced = lab(fresh.page, NETWORK_RACE)
    assert reproduced["request"] == original["request"]
    assert reproduced["paths"] == original["paths"]
    fresh.page.reload()
    wait_race(fresh.page, 0)
    assert lab(fresh.page, NETWORK_RACE)["paths"] == original["paths"]
    assert fresh.errors == []


def test_a_width_above_the_limit_shows_the_servers_message_under_the_layers(
        visit: Callable[..., Visit], server: LabServer) -> None:  # noqa: F811
    page = visit("#lab=networks").page
    width = server.get("/api/v1/networks")["architecture"]["width"]["max"] + 1
    page.click("[data-tab=network]")
    box = page.locator("#layers input").first
    box.fill(str(width))
    box.press("Enter")
    error = page.locator("#layers-error .error")
    error.wait_for()
    request = lab(page, "(l) => l.networks.race.request")
    request["architecture"]["hidden"][0] = width
    detail = http_error(lambda: server.post("/api/v1/networks/races", request))
    assert detail["loc"][:3] == ["body", "architecture", "hidden"]
    assert error.inner_text() == detail["msg"]
    below = box.bounding_box()
    message = error.bounding_box()
    assert 0 <= message["y"] - (below["y"] + below["height"]) < 40
    screenshot(page, "networks-width-error-1280x720")


def test_a_race_over_the_compute_budget_says_so_in_whole_words(
        visit: Callable[..., Visit]) -> None:  # noqa: F811
    """The budget's message carries its arithmetic in parentheses; the page drops that
    arithmetic and the setting's name, never half a sentence (it once read "this race
    passes 37697 weights ×: at most …")."""
    page = visit("#lab=networks").page
    page.evaluate("() => { location.hash = 'lab=networks&hid=' + Array(10).fill(64).join(',')"
                  " + '&nn=500'; }")
    error = page.locator("#race-error .error")
    error.wait_for(timeout=30_000)
    text = error.inner_text()
    assert text.startswith("This race passes 37697 weights × data points through the network")
    assert "at most 10000000000" in text
    assert "(" not in text and "×:" not in text and "DESCENTLAB" not in text


def test_two_weight_networks_are_listed_together_in_the_surface_picker(
        visit: Callable[..., Visit], server: LabServer) -> None:  # noqa: F811
    page = visit().page
    nets = [s["id"] for s in server.get("/api/v1/surfaces") if "network" in s["tags"]]
    assert nets
    listed = page.evaluate("""() => [...document.querySelectorAll('#surface-select optgroup')]
        .map((g) => [g.label, [...g.querySelectorAll('option')].map((o) => o.value)])""")
    groups = [options for _, options in listed if set(nets) & set(options)]
    assert groups == [nets]


def test_the_landscape_turns_to_3d_and_its_markers_follow_the_frame(
        visit: Callable[..., Visit]) -> None:  # noqa: F811
    """A link with ``nview=3d`` shows the landscape as a WebGL mesh with every run's trail
    and marker on it, at the player's frame; the switch turns it back to the contour."""
    v = visit("#lab=networks&nview=3d")
    page = v.page
    page.wait_for_function("() => window.descentLab.networks.race?.done", timeout=60_000)
    canvas = page.locator("#landscape3d canvas").first
    canvas.wait_for(timeout=30_000)
    page.wait_for_function("""() => document.querySelector('#landscape3d .graph')?.data?.length
        === window.descentLab.networks.race.runs.length + 2""", timeout=30_000)
    assert not page.locator("#landscape").is_visible()
    assert lab(page, """() => document.querySelector('#landscape3d .graph').data[0].type""") \
        == "mesh3d"
    stats = page.evaluate(PIXEL_STATS, base64.b64encode(canvas.screenshot()).decode())
    assert stats["colours"] > 200 and stats["std"] > 10, stats

    for frame in (0, 120):
        lab(page, "(l, t) => l.player.seek(t)", frame)
        expected = lab(page, """(l, t) => l.networks.race.runs.map((r) =>
            [r.path[2 * t], r.path[2 * t + 1]])""", frame)
        wait_3d_markers(page, "landscape3d", expected)
    page.wait_for_timeout(300)
    assert no_page_scrollbars(page)
    screenshot(page, "networks-3d-1280x720")

    page.click("#net-view-switch [data-view=contour]")
    page.locator("#landscape .main-svg").first.wait_for()
    assert not page.locator("#landscape3d").is_visible()
    page.wait_for_function("() => !window.location.hash.includes('nview')")
    assert v.errors == []


@pytest.mark.parametrize(("width", "height", "presenter"),
                         [(1920, 1080, False), (1280, 720, True)])
def test_network_screenshots_fit_the_screen(visit: Callable[..., Visit], width: int,  # noqa: F811
                                            height: int, presenter: bool) -> None:
    page = visit("#lab=networks", width=width, height=height).page
    if presenter:
        page.keyboard.press("p")
        page.wait_for_function("() => document.body.classList.contains('presenter')")
    lab(page, "(l) => l.player.seek(Math.round(l.player.total * 0.3))")
    page.wait_for_function("() => document.getElementById('boundary').dataset.frame === "
                           "String(window.descentLab.player.frame)", timeout=30_000)
    page.wait_for_timeout(500)
    assert no_page_scrollbars(page)
    screenshot(page, f"networks-{width}x{height}{'-presenter' if presenter else ''}")
    assert title_shown_whole(page)


OVERFIT = {"dataParams": {"n": 64, "noise": 0.35, "seed": 1}, "layers": [32, 32],
           "netSteps": 400}
HELD_OUT = """(l) => { const r = l.networks.race; return { request: r.request,
    held: r.validation, best: r.runs.map((run) => run.bestStep),
    stopped: r.runs.map((run) => run.stoppedAt),
    valLoss: r.runs.map((run) => Array.from(run.valLoss)) }; }"""


STANDINGS_FIT = """() => { const box = document.getElementById('standings');
  return box.querySelector('table').scrollWidth <= box.clientWidth; }"""


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (390, 844)])
def test_held_out_data_draws_validation_curves_and_the_early_stop(
        visit: Callable[..., Visit], server: LabServer, width: int,  # noqa: F811
        height: int) -> None:
    """The validation share and early stopping set through the page's own controls: the race
    is the API's, the loss chart's legend names the dotted curve, the best step and the
    stop, the standings add the validation loss and the gap."""
    v = visit("#lab=networks", width=width, height=height)
    page = v.page
    before = wait_race(page, 0)
    lab(page, "(l, changes) => l.store.update(changes)", OVERFIT)
    before = wait_race(page, before)
    drawer = page.locator("#drawer-toggle")
    if drawer.is_visible():  # on narrower screens the controls live in a drawer
        drawer.click()
        page.wait_for_selector("[data-tab=network]:visible, #held-out:visible")
    tab = page.locator("[data-tab=network]")
    if tab.is_visible():  # the panels are tabs on narrow screens only
        tab.click()
    fraction = page.locator("#held-out .field input.num").first
    fraction.fill("0.3")
    fraction.press("Enter")
    before = wait_race(page, before)
    page.locator("#early-stopping input[aria-label='use patience']").check()
    before = wait_race(page, before)
    box = page.locator("#early-stopping .field input.num")
    box.fill("40")
    box.press("Enter")
    before = wait_race(page, before)
    page.locator("#stop-early").check()
    wait_race(page, before)
    shot = screenshot(page, f"networks-held-out-controls-{width}x{height}")
    page.locator("#held-out").screenshot(path=str(shot))
    if drawer.is_visible() and drawer.get_attribute("aria-expanded") == "true":
        drawer.click()

    race = lab(page, HELD_OUT)
    assert race["request"]["validation"] == {"fraction": 0.3, "seed": 0}
    assert race["request"]["early_stopping"] == {"patience": 40, "stop": True}
    expected = server.post("/api/v1/networks/races", race["request"])
    assert race["held"] == expected["validation"]
    assert race["best"] == [run["best_step"] for run in expected["runs"]]
    assert race["stopped"] == [run["stopped_at"] for run in expected["runs"]]
    assert race["valLoss"] == [run["val_loss"] for run in expected["runs"]]
    assert all(s is not None for s in race["stopped"])  # every run overfits and is stopped

    lab(page, "(l) => l.player.seek(l.player.total)")
    marks = page.locator("#loss .legend-mark").all_inner_texts()
    assert marks == ["validation", "best step", "stopped"]
    heads = page.locator("#standings thead th").all_inner_texts()
    assert heads[-2:] == ["val. loss", "gap"]
    page.wait_for_timeout(300)
    assert page.evaluate(STANDINGS_FIT), "the standings' last columns are cut off"
    if width < 700:  # a phone stacks the lower row: the standings as wide as the charts
        widths = page.evaluate("() => ['standings', 'loss'].map((id) =>"
                               " document.getElementById(id).getBoundingClientRect().width)")
        assert widths[0] >= widths[1] - 2, widths
    if width >= 1024:
        assert no_page_scrollbars(page)
    else:  # a phone scrolls down the views, never sideways
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(screenshot(page, f"networks-held-out-{width}x{height}")),
                    full_page=True)
    assert v.errors == []


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1024, 768)])
def test_presenter_mode_shows_every_column_of_the_held_out_standings(
        visit: Callable[..., Visit], width: int, height: int) -> None:  # noqa: F811
    """In the back row's large type the validation loss and the gap were cut off whole."""
    v = visit("#lab=networks&vf=0.3&present=1", width=width, height=height)
    v.page.wait_for_selector("#standings table.held")
    v.page.wait_for_timeout(300)
    assert v.page.evaluate(STANDINGS_FIT), "the standings' last columns are cut off"
    screenshot(v.page, f"networks-held-out-presenter-{width}x{height}")
    assert v.errors == []


def test_the_dropout_control_sets_the_races_dropout(visit: Callable[..., Visit]) -> None:  # noqa: F811
    v = visit("#lab=networks")
    page = v.page
    before = wait_race(page, 0)
    page.click("[data-tab=network]")
    box = page.locator("#network-panel .field:has(label:text-is('dropout')) input.num")
    box.fill("0.3")
    box.press("Enter")
    wait_race(page, before)
    race = lab(page, "(l) => ({ asked: l.networks.race.request.architecture.dropout, "
                     "ran: l.networks.race.architecture.dropout })")
    assert race == {"asked": 0.3, "ran": 0.3}
    # (the link is written a quarter second after the last change; a race can be faster)
    page.wait_for_function("() => window.location.hash.includes('drop=0.3')")
    assert v.errors == []


def test_the_batch_norm_box_switches_the_races_normalization(
        visit: Callable[..., Visit]) -> None:  # noqa: F811
    v = visit("#lab=networks&nn=30&bn=1")
    page = v.page
    before = wait_race(page, 0)
    page.click("[data-tab=network]")
    box = page.locator("#batch-norm")
    assert box.is_checked()
    asked = "(l) => ({ asked: l.networks.race.request.architecture.batch_norm, " \
            "ran: l.networks.race.architecture.batch_norm })"
    assert lab(page, asked) == {"asked": True, "ran": True}
    box.click()
    wait_race(page, before)
    assert lab(page, asked) == {"asked": False, "ran": False}
    # off is the default, so the link drops it (written a moment after the change)
    page.wait_for_function("() => !window.location.hash.includes('bn=')")
    assert v.errors == []


def test_standardising_shifted_inputs_through_the_page_frees_the_race(
        visit: Callable[..., Visit]) -> None:  # noqa: F811
    """Inputs around 1000 keep every run at ln 2; the standardise box (shown beside the
    dataset's other parameters) makes the same race train."""
    v = visit("#lab=networks&nn=150&dp=shift:1000")
    page = v.page
    stuck = lab(page, NETWORK_RACE)
    assert all(abs(loss[-1] - 0.6931) < 1e-3 for loss in stuck["losses"])
    page.click("[data-tab=network]")
    before = race_id(page)
    page.check("#data-standardise")
    wait_race(page, before)
    freed = lab(page, NETWORK_RACE)
    assert freed["request"]["dataset"]["params"]["standardise"] == 1
    assert freed["request"]["dataset"]["params"]["shift"] == 1000
    assert min(loss[-1] for loss in freed["losses"]) < 0.4
    page.wait_for_function("() => window.location.hash.includes('standardise')")
    screenshot(page, "networks-standardised-1280x720")
    assert v.errors == []
