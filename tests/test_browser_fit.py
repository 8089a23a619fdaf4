"""What the plots and boxes draw stays whole on a projector: the 3-D view's loss-axis title in
a narrow view, the decision boundary's legend, the presenter's leaderboard and the networks
lab's charts beside the held-out standings — measured from the page itself (the pixels a
WebGL scene and a canvas drew, element boxes), in Debian's Chromium against a live server
(the fixtures of test_browser.py). Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from browser_helpers import PNG_PIXELS, lab, screenshot
from test_browser import (  # noqa: F401  (fixtures: the live server and the browser)
    Visit,
    boxes,
    browser,
    no_page_scrollbars,
    open_scenario,
    server,
    visit,
)

TITLE_INK = "#ff00ff"

# The columns of a PNG holding the 3-D view's z title, painted TITLE_INK for the measurement
# (Plotly draws a 3-D axis's title in WebGL: there is no text element to measure).
TITLE_COLUMNS = PNG_PIXELS + """
  let left = Infinity, right = -1, count = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] > 170 && data[i + 1] < 110 && data[i + 2] > 170) {
      const x = (i / 4) % image.width;
      left = Math.min(left, x);
      right = Math.max(right, x);
      count += 1;
    }
  }
  return { width: image.width, left, right, count };
}"""

# Painted pixels of the boundary's overlay canvas outside Plotly's plot area (the overlay
# covers the whole figure; everything it draws belongs on the plot).
OVERLAY_SPILL = """() => {
  const el = document.getElementById('boundary');
  const gd = el.querySelector('.graph');
  const canvas = el.querySelector('canvas.overlay');
  const { xaxis, yaxis, width } = gd._fullLayout;
  const dpr = canvas.width / width;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const [x0, x1] = [xaxis._offset, xaxis._offset + xaxis._length];
  const [y0, y1] = [yaxis._offset, yaxis._offset + yaxis._length];
  let spill = 0;
  for (let i = 0; i < data.length; i += 4) {
    const x = ((i / 4) % canvas.width) / dpr;
    const y = Math.floor(i / 4 / canvas.width) / dpr;
    if (data[i + 3] > 0 && (x < x0 - 1 || x > x1 + 1 || y < y0 - 1 || y > y1 + 1)) spill += 1;
  }
  return spill;
}"""

BOX_FITS = """(id) => { const box = document.getElementById(id);
  return { scroll: box.scrollHeight, client: box.clientHeight,
           wide: box.querySelector('table').scrollWidth, room: box.clientWidth }; }"""


def z_title(page: Any, plot: str) -> dict:
    """Where the 3-D view in element ``plot`` draws its z-axis title, in px of the view: the
    title is inked and the view photographed until no redraw of the page's own came between
    (the view may still be drawing the race's last frame)."""
    inked = """([plot, ink]) => document.querySelector(`#${plot} .graph`).layout.scene.zaxis
        .title.font?.color === ink"""
    for _ in range(20):
        page.evaluate("""async ([plot, ink]) => {
            const gd = document.querySelector(`#${plot} .graph`);
            await Plotly.relayout(gd, { 'scene.zaxis.title.font.color': ink }); }""",
                      [plot, TITLE_INK])
        page.wait_for_timeout(400)
        png = page.locator(f"#{plot} .graph").screenshot()
        if page.evaluate(inked, [plot, TITLE_INK]):
            return page.evaluate(TITLE_COLUMNS, base64.b64encode(png).decode())
    raise AssertionError(f"the 3-D view in #{plot} kept redrawing")


@pytest.mark.parametrize(("width", "height", "fragment", "plot"), [
    (1024, 768, "#view=both&s=bowl", "surface3d"),
    (1024, 900, "#view=both&s=bowl", "surface3d"),  # a tall, narrow view: cut to "oss"
    (1280, 720, "#view=both&s=rosenbrock&present=1", "surface3d"),
    (1024, 768, "#lab=networks&nview=3d", "landscape3d"),
])
def test_the_3d_views_loss_title_is_drawn_whole(
        visit: Callable[..., Visit], width: int, height: int, fragment: str,  # noqa: F811
        plot: str) -> None:
    """The loss axis stands at the scene's left edge and Plotly sets its title a fixed number of
    pixels off it: in a view narrower than tall the title ran off the view ("oss")."""
    v = visit(fragment, width=width, height=height)
    v.page.locator(f"#{plot} canvas").first.wait_for(timeout=20_000)
    screenshot(v.page, f"fit-3d-title-{plot}-{width}x{height}")
    title = z_title(v.page, plot)
    assert title["count"] >= 30, title  # drawn, not left off the view altogether
    assert title["left"] >= 6 and title["width"] - 1 - title["right"] >= 6, title
    assert v.errors == []


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1024, 768)])
def test_the_boundarys_legend_stays_on_the_plot_in_presenter_mode(
        visit: Callable[..., Visit], width: int, height: int) -> None:  # noqa: F811
    """With held-out data the legend has four entries; in presenter type one row of them ran
    "— P = ½" past the plot (60 px at 1280 × 720) and at 1024 × 768 off the view."""
    v = visit("#lab=networks&vf=0.3&present=1", width=width, height=height)
    page = v.page
    page.wait_for_function("() => document.getElementById('boundary').dataset.frame === "
                           "String(window.descentLab.player.frame)", timeout=30_000)
    page.wait_for_timeout(300)
    page.locator("#boundary-view").screenshot(
        path=str(screenshot(page, f"fit-boundary-legend-presenter-{width}x{height}")))
    assert page.evaluate(OVERLAY_SPILL) == 0
    assert v.errors == []


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1024, 768)])
def test_the_presenters_leaderboard_shows_every_row_of_a_three_run_race(
        visit: Callable[..., Visit], width: int, height: int) -> None:  # noqa: F811
    """The default race's three rows in the back row's type, none behind a scroll (at
    1280 × 720 the last one was past the box's edge)."""
    v = visit("#present=1", width=width, height=height)
    page = v.page
    page.wait_for_timeout(300)
    assert page.locator("#leaderboard tbody tr").count() == 3
    fit = page.evaluate(BOX_FITS, "leaderboard")
    assert fit["scroll"] <= fit["client"], fit
    assert fit["wide"] <= fit["room"], fit
    assert no_page_scrollbars(page)
    screenshot(page, f"fit-leaderboard-presenter-{width}x{height}")
    assert v.errors == []


def test_the_presenters_leaderboard_fits_results_on_two_lines(
        visit: Callable[..., Visit]) -> None:  # noqa: F811
    """A finished three-run lesson whose every result reads "converged, step N", on two lines
    in the back row's type: at 1280 × 720 the third row was 43 px below the box's edge."""
    v = visit("#present=1", width=1280, height=720)
    page = v.page
    open_scenario(page, "ravine_zigzag")
    lab(page, "(l) => l.player.seek(l.player.total)")
    page.wait_for_function("() => [...document.querySelectorAll('#leaderboard td.status')]"
                           ".every((td) => td.textContent.startsWith('converged, step'))")
    page.wait_for_timeout(300)
    fit = page.evaluate(BOX_FITS, "leaderboard")
    assert fit["scroll"] <= fit["client"], fit
    screenshot(page, "fit-leaderboard-presenter-two-line-results-1280x720")
    assert v.errors == []


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1280, 720)])
def test_presenter_charts_have_room_beside_the_held_out_standings(
        visit: Callable[..., Visit], width: int, height: int) -> None:  # noqa: F811
    """A network lesson with held-out data, presented: beside five columns and the lesson the
    loss and accuracy charts were 172 px wide at 1024 × 768 (the loss plot 2 px) and 236 px
    at 1280 × 720 (30 px); they get the row's width while every column of the standings stays
    in view."""
    v = visit("#lab=networks", width=width, height=height)
    page = v.page
    open_scenario(page, "net_overfit_early_stop")
    page.keyboard.press("p")
    page.wait_for_function("() => document.body.classList.contains('presenter')")
    lab(page, "(l) => l.player.seek(l.player.total)")
    page.wait_for_selector("#standings table.held")
    page.wait_for_timeout(800)
    screenshot(page, f"fit-networks-held-out-presenter-{width}x{height}")
    widths = page.evaluate("() => ['loss', 'accuracy'].map((id) =>"
                           " document.getElementById(id).getBoundingClientRect().width)")
    assert min(widths) >= 300, widths
    plot = page.evaluate("() => document.querySelector('#loss .graph')._fullLayout.xaxis._length")
    assert plot >= 100, plot
    assert len(page.locator("#standings thead th").all_inner_texts()) == 5
    fit = page.evaluate(BOX_FITS, "standings")
    assert fit["wide"] <= fit["room"], fit  # every column whole
    assert fit["scroll"] <= fit["client"], fit  # every run in view
    assert no_page_scrollbars(page)
    assert v.errors == []


LEGEND_ENTRIES = """() => [...document.querySelectorAll('#loss .legend-list li')].map((li) => {
  const r = li.getBoundingClientRect();
  return { x: r.x, y: r.y, right: r.right, bottom: r.bottom }; })"""


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1280, 720)])
def test_presenter_loss_chart_keeps_its_plot_wide(
        visit: Callable[..., Visit], width: int, height: int) -> None:  # noqa: F811
    """Presenter mode at 1024 × 768: the legend's column beside the plot left the plot 70 px
    of a 290-px chart (ticks 200 and 400 ran together). The legend goes where it leaves the
    plot more room, here above it in rows, clear of it."""
    v = visit("#present=1", width=width, height=height)
    page = v.page
    lab(page, "(l) => l.player.seek(Math.round(l.player.total / 2))")
    page.wait_for_timeout(600)
    screenshot(page, f"fit-presenter-loss-chart-{width}x{height}")
    found = boxes(page, ["#loss", "#loss .nsewdrag"])
    chart, plot = found["#loss"], found["#loss .nsewdrag"]
    entries = page.evaluate(LEGEND_ENTRIES)
    assert plot["width"] >= 0.55 * chart["width"], (chart, plot)
    assert len(entries) == 3
    for entry in entries:
        assert chart["x"] - 1 <= entry["x"] and entry["right"] <= chart["right"] + 1, entry
        assert chart["y"] - 1 <= entry["y"] and entry["bottom"] <= chart["bottom"] + 1, entry
        assert entry["bottom"] <= plot["y"] or entry["x"] >= plot["right"], (entry, plot)
    assert v.errors == []


def test_presenter_step_readout_is_whole_beside_the_speed_menu(
        visit: Callable[..., Visit]) -> None:  # noqa: F811
    """Presenter mode at 1024 × 768, the first lesson (2,000 steps): the readout shrank with
    the scrub bar below its text, and the speed menu covered "2000" of "step 1000 / 2000"."""
    v = visit(width=1024, height=768)
    page = v.page
    page.keyboard.press("p")
    page.wait_for_function("() => document.body.classList.contains('presenter')")
    lab(page, "(l) => l.player.seek(Math.round(l.player.total / 2))")
    page.wait_for_function("() => document.getElementById('readout').textContent"
                           ".includes('1000 / 2000')")
    whole = page.evaluate("() => { const r = document.getElementById('readout');"
                          " return [r.scrollWidth, r.clientWidth]; }")
    found = boxes(page, ["#readout", ".transport select"])
    assert whole[0] <= whole[1], whole
    assert found["#readout"]["right"] <= found[".transport select"]["x"], found
    assert no_page_scrollbars(page)
