"""The networks lab's Layers view in a real browser (fixtures of test_browser.py): the
selected run's per-layer statistics as a layer × step heat map with its colour bar and the
histograms of every hidden layer at the frame on screen, both from the engine's numbers
(the API's answer to the same request), labelled, and whole at 1280×720, 1024×768 and
390×844. Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import LabServer, lab, screenshot, wait_race
from test_browser import (  # noqa: F401  (fixtures: the live server and the browser)
    Visit,
    browser,
    no_page_scrollbars,
    server,
    visit,
)

# a 6-layer tanh net drawn with N(0, 1): its deep layers saturate (the CS231n experiment)
LINK = ("#lab=networks&hid=32,32,32,32,32,32&act=tanh&init=normal&isg=1&nn=200"
        "&nview=layers&lq=saturated")

FIGURES = """() => ['layer-heat', 'layer-hist'].map((id) => {
  const gd = document.querySelector(`#${id} .js-plotly-plot`) ?? document.getElementById(id);
  const full = gd._fullLayout;
  const d = gd.data[0];
  return { type: d.type, x: d.x, z: d.z, y: d.y, base: d.base, name: d.name,
    showlegend: full.showlegend, legendItems: gd.querySelectorAll('.legend .traces').length,
    colorbar: d.type === 'heatmap' ? full._colorBars?.length
      ?? gd.querySelectorAll('.colorbar').length : null,
    colorbarTitle: gd.querySelector('.cbtitle')?.textContent ?? null,
    xtitle: full.xaxis.title.text, ytitle: full.yaxis.title.text,
    shapes: (full.shapes || []).map((s) => s.x0) };
})"""

# every drawn part of the view's plots (axes titles, tick labels, colour bar, legend) lies
# inside the view's box and inside the window
CUT = """() => {
  const view = document.getElementById('layers-view').getBoundingClientRect();
  const out = [];
  for (const el of document.querySelectorAll(
      '#layers-view .main-svg text, #layers-view .colorbar, #layers-view .legend')) {
    const r = el.getBoundingClientRect();
    if (!r.width) continue;
    if (r.left < view.left - 1 || r.right > view.right + 1 || r.top < view.top - 1
        || r.bottom > view.bottom + 1 || r.right > window.innerWidth + 1) {
      out.push(el.textContent || el.getAttribute('class'));
    }
  }
  return { out, view: [view.left, view.top, view.width, view.height] };
}"""


def statistics_of(running: LabServer, page: Any) -> tuple[dict, int]:
    request = lab(page, "(l) => l.networks.race.request")
    assert request["statistics"] == {}
    run = lab(page, """(l) => Math.max(0, l.networks.race.runs.findIndex(
        (r) => r.roster === l.store.state.netSelected))""")
    answer = running.post("/api/v1/networks/races", request)
    return answer["runs"][run]["statistics"], run


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1024, 768), (390, 844)])
def test_the_layers_view_draws_the_engines_statistics_labelled_and_whole(
        visit: Callable[..., Visit], server: LabServer, width: int,  # noqa: F811
        height: int) -> None:
    v = visit(LINK, width, height)
    page = v.page
    page.wait_for_function("() => document.querySelector('#layer-hist .main-svg')")
    stats, _ = statistics_of(server, page)
    heat, hist = page.evaluate(FIGURES)

    # the heat map: the share saturated per layer (rows) and recorded step (columns)
    assert heat["type"] == "heatmap"
    assert heat["x"] == stats["frames"] and stats["frames"][-1] == 200
    assert heat["z"] == [[row[layer] for row in stats["saturated"]] for layer in range(6)]
    assert heat["colorbar"] and heat["colorbarTitle"]
    assert heat["xtitle"] and heat["ytitle"]
    assert heat["shapes"] == [200]  # the playhead at the last frame
    # N(0, 1) saturates the deep tanh layers from the start
    assert min(stats["saturated"][0][2:]) > 0.5

    # the histograms at the frame on screen: every bin's bar, one row per layer
    counts = stats["histograms"]["counts"][-1]
    bins = len(counts[0])
    assert hist["type"] == "bar" and len(hist["x"]) == 6 * bins
    assert hist["legendItems"] == 1 and hist["name"]
    for layer, row in enumerate(counts):
        bars = hist["y"][layer * bins:(layer + 1) * bins]
        assert bars == pytest.approx([-0.85 * c / max(row) for c in row])  # upwards
        assert hist["base"][layer * bins] == pytest.approx(layer + 1.45)
    assert hist["xtitle"] and hist["ytitle"]

    if width < 1000:
        page.locator("#layers-view").scroll_into_view_if_needed()
    screenshot(page, f"networks-layers-{width}x{height}")
    cut = page.evaluate(CUT)
    assert cut["out"] == [], cut
    if width >= 1000:
        assert no_page_scrollbars(page)
    assert v.errors == []


def test_the_heat_maps_quantity_and_frame_follow_the_controls(
        visit: Callable[..., Visit], server: LabServer) -> None:  # noqa: F811
    v = visit(LINK)
    page = v.page
    page.wait_for_function("() => document.querySelector('#layer-hist .main-svg')")
    stats, _ = statistics_of(server, page)
    page.click("[data-tab=netsettings]")
    page.select_option("#layer-stat-select", "grad_norm")
    page.wait_for_function("() => document.getElementById('layer-heat')"
                           ".data[0].z.length === 7")
    heat, _ = page.evaluate(FIGURES)
    assert heat["z"][6][0] == pytest.approx(math.log10(stats["grad_norm"][0][6]))
    assert heat["y"][-1] != "6"  # the output layer has its own name
    # back to step 0: the histograms of the initialisation
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("Home")
    page.wait_for_function("() => document.getElementById('layer-heat')"
                           "._fullLayout.shapes[0].x0 === 0")
    caption = page.locator("#layers-caption").inner_text()
    assert caption.endswith(" 0")
    # leaving and coming back to the view needs no new race
    before = lab(page, "(l) => Number(document.body.dataset.raceId)")
    page.click("#net-view-switch [data-view=contour]")
    page.click("#net-view-switch [data-view=layers]")
    page.wait_for_timeout(500)
    assert lab(page, "(l) => Number(document.body.dataset.raceId)") == before
    assert v.errors == []


def test_the_layers_view_in_presenter_mode_exports_its_own_charts(
        visit: Callable[..., Visit]) -> None:  # noqa: F811
    """The Layers view's PNG holds its heat map above its histograms, beside the boundary
    (it held the hidden landscape, drawn at no size: Plotly logged "Infinity" in its SVG)."""
    v = visit(LINK + "&present=1", 1280, 720)
    page = v.page
    page.wait_for_function("() => document.querySelector('#layer-hist .main-svg')")
    with page.expect_download() as info:
        page.click("#export-png")
    png = Path(info.value.path()).read_bytes()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    heat, hist, boundary = page.evaluate("""() => ['layer-heat', 'layer-hist', 'boundary']
        .map((id) => document.getElementById(id).getBoundingClientRect())
        .map((r) => [r.width, r.height])""")
    assert abs(width - 2 * (max(heat[0], hist[0]) + boundary[0])) <= 8, (width, heat, boundary)
    assert height >= 2 * (heat[1] + hist[1]) - 8, (height, heat, hist)
    assert v.errors == []


def test_switching_to_the_layers_view_reruns_a_race_without_statistics(
        visit: Callable[..., Visit]) -> None:  # noqa: F811
    v = visit("#lab=networks&nn=100")
    page = v.page
    before = wait_race(page, 0)
    assert lab(page, "(l) => l.networks.race.request.statistics") is None
    page.click("#net-view-switch [data-view=layers]")
    wait_race(page, before)
    assert lab(page, "(l) => l.networks.race.request.statistics") == {}
    page.wait_for_function("() => document.querySelector('#layer-hist .main-svg')")
    assert v.errors == []


def test_a_network_scenario_opens_the_networks_lab_with_its_settings(
        visit: Callable[..., Visit], server: LabServer) -> None:  # noqa: F811
    v = visit()
    page = v.page
    entry = next(s for s in server.get("/api/v1/scenarios") if s["id"] == "net_deep_saturate")
    before = wait_race(page, 0)
    page.click("#scenarios-open")
    page.click(f".chapter-tab[data-chapter='{entry['chapter']}']")
    page.click("[data-scenario=net_deep_saturate]")
    wait_race(page, before)
    state = lab(page, "(l) => l.store.state")
    assert state["lab"] == "networks" and state["netView"] == "layers"
    request = lab(page, "(l) => l.networks.race.request")
    wanted = entry["network"]["request"]
    assert request["architecture"]["hidden"] == wanted["architecture"]["hidden"]
    assert request["architecture"]["init"] == "normal"
    assert request["architecture"]["init_scale"] == 1.0
    assert request["steps"] == wanted["steps"]
    assert [o["id"] for o in request["optimizers"]] == ["adam"]
    assert lab(page, "(l) => l.player.frame") == 0
    page.wait_for_function("() => document.querySelector('#layer-hist .main-svg')")
    screenshot(page, "networks-scenario-1280x720")
    card = page.locator("#scenario-card").inner_text()
    assert entry["question"] in card and entry["notice"] not in card
    # played to its last step, the race shows what to notice
    lab(page, "(l) => l.store.update({ speed: 960 })")
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("Space")
    page.wait_for_function("(notice) => document.getElementById('scenario-card').innerText"
                           ".includes(notice)", arg=entry["notice"], timeout=30_000)
    assert v.errors == []
