"""Lookahead in the page (fixtures of test_browser.py): the roster switches it on for a run,
the link keeps it, and the inspector shows the fast point the optimizer is at."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

from browser_helpers import lab, race_id, screenshot, wait_race
from test_browser import (  # noqa: F401  (fixtures: the live server and the browser)
    Visit,
    browser,
    open_scenario,
    server,
    visit,
    wait_overlay,
)


def test_the_roster_wraps_a_run_in_lookahead_and_the_link_keeps_it(
        visit: Callable[..., Visit]) -> None:  # noqa: F811
    v = visit()
    page = v.page
    card = page.locator(".run[data-index='0']")
    card.locator("details.more summary").click()
    before = race_id(page)
    card.locator(".lookahead-row input[type=checkbox]").check()
    before = wait_race(page, before)
    sent = lab(page, "(l) => l.current.race.request.optimizers[0].lookahead")
    catalogue = lab(page, "(l) => l.catalogues.run_options[0].params")
    assert sent == {p["name"]: p["default"] for p in catalogue}
    assert lab(page, "(l) => l.current.race.runs[0].info.lookahead") == sent
    k = page.locator(".run[data-index='0'] [data-setting='k'] input.num")
    k.fill("3")
    k.press("Enter")
    wait_race(page, before)
    page.wait_for_function("() => window.location.hash.includes('la.k%3A3')"
                           " || window.location.hash.includes('la.k:3')")
    url = page.url
    fresh = visit(f"#{urllib.parse.urlsplit(url).fragment}")
    assert lab(fresh.page, "(l) => l.current.race.request.optimizers[0].lookahead") == {
        "k": 3, "alpha": sent["alpha"]}
    assert v.errors == [] and fresh.errors == []


def test_the_inspector_shows_the_fast_point_of_the_lookahead_scenario(
        visit: Callable[..., Visit]) -> None:  # noqa: F811
    v = visit(width=1024, height=768)
    page = v.page
    open_scenario(page, "lookahead_calms_zigzag")
    selected = lab(page, "(l) => l.current.race.runs[l.store.state.selected].info.label")
    assert selected == "SGD + Lookahead"
    lab(page, "(l) => l.player.seek(3)")
    wait_overlay(page, 3)
    arrows = page.evaluate("() => document.getElementById('contour').drawn.arrows")
    assert any(a["label"] == "x̃" and a["length"] > 0 for a in arrows)  # slow → fast point
    page.click("#right [data-tab=inspector]")  # (typeset when its tab shows, a frame later)
    page.wait_for_function("() => document.getElementById('inspector').textContent.length")
    text = page.locator("#inspector").inner_text()
    assert "x̃" in text and "k, α" in text
    lab(page, "(l) => l.player.seek(l.player.total)")
    page.wait_for_timeout(300)
    screenshot(page, "lookahead-calms-zigzag-1024x768")
    assert v.errors == []


def test_the_momentum_schedule_is_offered_only_where_there_is_a_momentum(
        visit: Callable[..., Visit]) -> None:  # noqa: F811
    v = visit()  # the first scenario: SGD, Momentum, Nesterov, …
    page = v.page
    ids = lab(page, "(l) => l.store.state.runs.map((r) => r.id)")
    with_mu = lab(page, """(l) => l.catalogues.optimizers.filter((o) =>
        o.run_options.includes('momentum_schedule')).map((o) => o.id)""")
    plain, rising = (ids.index(next(i for i in ids if i not in with_mu)),
                     ids.index(next(i for i in ids if i in with_mu)))
    assert page.locator(f".run[data-index='{plain}'] .momentum_schedule-row").count() == 0
    card = page.locator(f".run[data-index='{rising}']")
    card.locator("details.more summary").click()
    before = race_id(page)
    card.locator(".momentum_schedule-row input[type=checkbox]").check()
    wait_race(page, before)
    row = lab(page, """(l) => l.current.race.request.optimizers.findIndex((o) =>
        o.momentum_schedule)""")
    assert lab(page, f"(l) => l.current.race.runs[{row}].info.momentum_schedule") == {
        "tau": 250}
    page.wait_for_function("() => window.location.hash.includes('ms.tau')")
    assert v.errors == []
