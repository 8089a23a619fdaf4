"""Gradient checks in a real browser (fixtures of test_browser.py): the surfaces lab's Check
panel at the selected run's point, the networks lab's Check view of backprop on sampled
weights, and the lesson that opens the panel — each drawn from the API's own answer,
labelled, whole, and without console errors at 1280×720, 1024×768 in presenter mode and
390×844. Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browser_helpers import LabServer, lab, screenshot, wait_race
from test_browser import (  # noqa: F401  (fixtures: the live server and the browser)
    Visit,
    browser,
    pick_scenario,
    server,
    visit,
)

CHART = """(id) => {
  const gd = document.querySelector(`#${id} .js-plotly-plot`) ?? document.getElementById(id);
  const full = gd._fullLayout;
  return { names: gd.data.filter((d) => d.showlegend !== false).map((d) => d.name),
    y: gd.data.map((d) => d.y), x: gd.data[0].x,
    xtitle: full.xaxis.title.text, ytitle: full.yaxis.title.text,
    xtype: full.xaxis.type, ytype: full.yaxis.type,
    legendItems: gd.querySelectorAll('.legend .traces').length };
}"""

# every text of the chart (ticks, titles, legend) inside the box that holds it and the window
CUT = """([id, box]) => {
  const outer = document.getElementById(box).getBoundingClientRect();
  const out = [];
  for (const el of document.querySelectorAll(`#${id} .main-svg text`)) {
    const r = el.getBoundingClientRect();
    if (!r.width) continue;
    if (r.left < outer.left - 1 || r.right > outer.right + 1 || r.top < outer.top - 1
        || r.bottom > outer.bottom + 1 || r.right > window.innerWidth + 1) {
      out.push(el.textContent);
    }
  }
  return out;
}"""

# the surfaces lab's followed run at the frame on screen: its point, as the panel checks it
POINT = """(l) => { const race = l.current.race; const t = l.player.frame;
  const selected = race.runs.findIndex((r) => r.roster === l.store.state.selected);
  const run = race.runs[Math.max(0, selected)];
  return { surface: race.request.surface, point: [run.path[2 * t], run.path[2 * t + 1]] }; }"""


def checked_errors(chart: dict) -> tuple[list, list]:
    """The plotted forward and centred errors (first two traces), floored as drawn."""
    return chart["y"][0], chart["y"][2]


def floored(values: list) -> list:
    return [None if v is None else max(v, 1e-17) for v in values]


@pytest.mark.parametrize(("width", "height", "present"),
                         [(1280, 720, False), (1024, 768, True), (390, 844, False)])
def test_the_check_panel_draws_the_apis_check_at_the_runs_point(
        visit: Callable[..., Visit], server: LabServer, width: int, height: int,  # noqa: F811
        present: bool) -> None:
    v = visit("#present=1&hide=surface,roster,gradient" if present else "", width, height)
    page = v.page
    page.click("button[data-tab=check]")
    page.wait_for_function("() => document.getElementById('check').dataset.checked")
    asked = lab(page, POINT)
    answer = server.post("/api/v1/gradient-check", asked)
    chart = page.evaluate(CHART, "check-plot")
    forward, centred = checked_errors(chart)
    assert forward == floored(answer["forward_error"])
    assert centred == floored(answer["centred_error"])
    assert chart["x"] == answer["steps"] and chart["xtype"] == chart["ytype"] == "log"
    assert chart["xtitle"] == "step h" and chart["ytitle"] == "relative error"
    # both methods with their best step, and the 1e-7 line: three legend entries
    assert chart["legendItems"] == 3 and "best h" in chart["names"][1]
    numbers = page.inner_text("#check .check-numbers")
    assert "g (analytic)" in numbers and "relative error" in numbers
    assert page.evaluate(CUT, ["check-plot", "check"]) == []
    assert v.errors == []
    screenshot(page, f"check-surfaces-{width}x{height}{'-presenter' if present else ''}")


def test_the_check_follows_the_frame_on_screen(visit: Callable[..., Visit],  # noqa: F811
                                               server: LabServer) -> None:  # noqa: F811
    v = visit()
    page = v.page
    page.click("button[data-tab=check]")
    page.wait_for_function("() => document.getElementById('check').dataset.checked")
    first = page.evaluate("() => document.getElementById('check').dataset.checked")
    lab(page, "(l) => l.player.seek(3)")
    page.wait_for_function("(old) => document.getElementById('check').dataset.checked !== old",
                           arg=first)
    asked = lab(page, POINT)
    answer = server.post("/api/v1/gradient-check", asked)
    assert checked_errors(page.evaluate(CHART, "check-plot"))[1] == floored(
        answer["centred_error"])
    assert v.errors == []


NET_LINK = "#lab=networks&nview=check"


@pytest.mark.parametrize(("width", "height", "present"),
                         [(1280, 720, False), (1280, 720, True), (1024, 768, True),
                          (390, 844, False)])
def test_the_networks_check_view_lists_sampled_weights_in_every_layer(
        visit: Callable[..., Visit], server: LabServer, width: int, height: int,  # noqa: F811
        present: bool) -> None:
    v = visit(NET_LINK + ("&present=1" if present else ""), width, height)
    page = v.page
    page.wait_for_function("() => document.getElementById('net-check-plot').dataset.checked")
    request = lab(page, "(l) => l.networks.race.request")
    run = lab(page, """(l) => Math.max(0, l.networks.race.runs.findIndex(
        (r) => r.roster === l.store.state.netSelected))""")
    frame = lab(page, "(l) => Math.min(l.player.frame, l.networks.race.steps)")
    answer = server.post("/api/v1/networks/gradient-check",
                         {"race": request, "run": run, "frame": frame, "samples": 12})
    names = page.eval_on_selector_all("#net-check-table tbody th", "(els) => els.map((e) => "
                                      "e.textContent)")
    assert len(names) == 12
    layers = {p["layer"] for p in answer["parameters"]}
    assert layers == set(range(1, len(request["architecture"]["hidden"]) + 2))
    # W₂[3, 5]: kind, layer (subscript) and position, in the API's order
    first = answer["parameters"][0]
    assert names[0].startswith({"weight": "W", "bias": "b"}[first["kind"]])
    assert str(first["row"]) in names[0]
    chart = page.evaluate(CHART, "net-check-plot")
    assert checked_errors(chart)[1] == floored(answer["centred_error"])
    # backprop is right: no weight is flagged
    assert page.locator("#net-check-table tr.suspect").count() == 0
    assert page.evaluate(CUT, ["net-check-plot", "check-view"]) == []
    # the table shows every row whole, and the error column, in presenter mode too
    whole = page.evaluate("""() => { const box = document.getElementById('net-check-table');
      const view = document.getElementById('check-view').getBoundingClientRect();
      const rows = [...box.querySelectorAll('tr')].map((r) => r.getBoundingClientRect());
      const last = box.querySelector('tbody tr:last-child td:last-child').getBoundingClientRect();
      return rows.every((r) => r.bottom <= view.bottom + 1) && last.right <= view.right + 1
        && last.width > 0; }""")
    assert whole
    assert v.errors == []
    screenshot(page, f"check-networks-{width}x{height}{'-presenter' if present else ''}")


def test_the_gradient_check_lesson_opens_its_panel(visit: Callable[..., Visit]  # noqa: F811
                                                   ) -> None:
    v = visit("#present=1", 1280, 720)
    page = v.page
    before = int(page.evaluate("() => document.body.dataset.raceId"))
    pick_scenario(page, "gradient_check")
    wait_race(page, before)
    assert page.is_visible("#scenario-card button.open-panel")
    assert not page.is_visible("#check")  # presenter mode hides the diagnostics at first
    page.click("#scenario-card button.open-panel")
    page.wait_for_function("() => document.getElementById('check').dataset.checked")
    assert page.is_visible("#check .check-plot")
    text = page.inner_text("#check")
    assert "at the start" in text and "(−1.5, 2)" in text
    assert v.errors == []
    screenshot(page, "check-lesson-presenter-1280x720")


def test_probes_outside_a_formulas_domain_are_left_out_of_the_chart(
        visit: Callable[..., Visit], server: LabServer) -> None:  # noqa: F811
    v = visit("#f=log(x)-y&x0=0.5,0.5&n=20", 1280, 720)
    page = v.page
    page.click("button[data-tab=check]")
    lab(page, "(l) => l.player.seek(0)")
    page.wait_for_function("""() => (document.getElementById('check').dataset.checked || '')
        .includes('[0.5,0.5]')""")
    assert page.locator("#check .error").count() == 0
    answer: dict[str, Any] = server.post("/api/v1/gradient-check", lab(page, POINT))
    assert answer["centred_error"][0] is None  # x − 1 < 0: log is not defined there …
    chart = page.evaluate(CHART, "check-plot")
    assert chart["y"][2][0] is None  # … and the chart leaves that point out
    assert checked_errors(chart)[1] == floored(answer["centred_error"])
    assert v.errors == []
