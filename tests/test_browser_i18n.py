"""The page in each of its languages, as a student sees it.

In every language no English interface word stays visible: the visible text nodes are
scanned for the words of the English interface messages that the language's own messages
do not also use (Descent Lab, PNG, JSON, …). Catalogue texts the language does not have
yet are shown in English on purpose (tests/test_i18n.py reports them), so the texts the
server sent are allowed, like optimizer names, math and numbers. Persian lays out right to
left without overflow while its plots keep their axes left to right with Latin digits.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from browser_helpers import CHROMIUM, LabServer, launch, open_lab, screenshot

playwright_api = pytest.importorskip("playwright.sync_api")

from descentlab.server import i18n  # noqa: E402
from descentlab.server.localize import all_texts  # noqa: E402

WORD = re.compile(r"[A-Za-z][a-z]{3,}")
VISIBLE_TEXT = """() => {
  const out = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    // a text cut only by <wbr> (line-break hints in long identifiers) is read as one
    const whole = el && [...el.childNodes].some((n) => n.nodeName === 'WBR')
      && [...el.childNodes].every((n) => n.nodeType === Node.TEXT_NODE || n.nodeName === 'WBR');
    if (whole && seen.has(el)) continue;
    if (whole) seen.add(el);
    const text = (whole ? el : node).textContent.trim();
    if (!text || !el || el.closest('script, style, option:not(:checked), .tx')) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    if (el.closest('[hidden], dialog:not([open])')) continue;
    out.push(text);
  }
  return out;
}"""


def messages(lang: str) -> dict[str, Any]:
    return json.loads((i18n.LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


def words(message: Any) -> set[str]:
    texts = [message] if isinstance(message, str) else list(message.values())
    return {w.lower() for text in texts for w in WORD.findall(re.sub(r"\{\w+\}", "", text))}


def english_words(lang: str) -> set[str]:
    """Words of the English interface that a page in ``lang`` must not show."""
    own = set().union(*(words(m) for m in messages(lang).values()))
    return set().union(*(words(m) for m in messages("en").values())) - own


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


def served_texts(server: LabServer, lang: str) -> set[str]:
    """Every catalogue text the server sends in ``lang`` (translated or not), and every
    name, symbol, id and hyperparameter name in the catalogues."""
    documents = {name: server.get(f"/api/v1/{name}?lang={lang}")
                 for name in ("surfaces", "optimizers", "schedules", "scenarios", "networks")}
    allowed = {text for _, text in all_texts(documents)}
    for name in ("surfaces", "optimizers", "schedules"):
        allowed |= {entry["id"] for entry in documents[name]}
    # hyperparameter names are identifiers the API takes (lr, beta1, weight_decay)
    allowed |= {p["name"] for entry in documents["optimizers"] for p in entry["hyperparameters"]}
    return allowed


#: Per lab: the link's state after ``lang``, and when its first result is on screen.
LABS = {
    "surfaces": ("", "document.body.dataset.race === 'ready'"),
    "networks": ("&lab=networks&nn=60", "window.descentLab?.networks?.race?.done === true"),
    "maps": ("&lab=maps&s=himmelblau&mr=12&mn=60&mo=id:sgd;lr:0.01",
             "document.body.dataset.map === 'ready'"),
}


def page_in(browser: Any, server: LabServer, lang: str, width: int = 1280,
            height: int = 720, lab: str = "surfaces") -> Any:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    fragment, ready = LABS[lab]
    if lab == "surfaces":
        open_lab(page, server.base, f"#lang={lang}{fragment}")
    else:
        page.goto(f"{server.base}/#lang={lang}{fragment}")
        page.wait_for_function(f"() => {ready}", timeout=120_000)
    page.wait_for_timeout(300)
    assert not errors, errors
    return page


@pytest.mark.parametrize("lab", list(LABS))
@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_no_english_interface_word_is_visible(browser, server, lang, lab):
    """Every lab's panels (each tab in turn), captions, readouts and legends, as they stand
    after the first result arrived."""
    page = page_in(browser, server, lang, lab=lab)
    try:
        assert page.evaluate("document.documentElement.lang").startswith(lang)
        forbidden = english_words(lang)
        allowed = served_texts(server, lang)
        leftovers = []
        texts = page.evaluate(VISIBLE_TEXT)
        cut = page.evaluate("""() => [...document.querySelectorAll('[role=tab]')]
          .filter((b) => b.closest('.panel')?.getBoundingClientRect().width > 100
            && b.offsetWidth && b.scrollWidth > b.clientWidth + 1)
          .map((b) => b.textContent)""")
        assert not cut, f"tab names cut: {cut}"
        for k in range(page.locator("[role=tab]").count()):  # every panel of the lab, in turn
            tab = page.locator("[role=tab]").nth(k)
            if tab.is_visible():
                tab.click()
                texts += page.evaluate(VISIBLE_TEXT)
        for text in texts:
            if any(text in served or served in text for served in allowed if len(served) > 3):
                continue
            found = words(text) & forbidden
            if found:
                leftovers.append(f"{text!r}: {sorted(found)}")
        screenshot(page, f"language-{lang}-{lab}")
        assert not leftovers, "\n".join(leftovers)
    finally:
        page.context.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (390, 844)])
def test_persian_lays_out_right_to_left_without_overflow(browser, server, width, height):
    page = page_in(browser, server, "fa", width, height)
    try:
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.evaluate("getComputedStyle(document.getElementById('contour')).direction") \
            == "ltr"
        ticks = page.evaluate("[...document.querySelectorAll('#contour .xtick text')]"
                              ".map((t) => t.textContent)")
        assert ticks and all(re.fullmatch(r"[−\-0-9.]+", t) for t in ticks), ticks
        header = page.evaluate("(() => { const b = document.querySelector('.brand')"
                               ".getBoundingClientRect(); return b.left + b.width / 2; })()")
        assert header > width / 2, "the brand starts the header on the right"
        if width >= 1024:
            left = page.evaluate("document.getElementById('left').getBoundingClientRect().left")
            stage = page.evaluate("document.getElementById('stage')"
                                  ".getBoundingClientRect().left")
            assert left > stage, "the controls panel is mirrored to the right"
        # math reads left to right: a point the page writes in a sentence keeps x left of y
        order = page.evaluate("""async () => {
          const { pair } = await import('/static/js/format.js');
          const p = document.createElement('p'); p.className = 'note';
          p.textContent = `شروع ${pair(-1.5, 2.5)} · ۲۶`; document.body.append(p);
          const node = p.firstChild; const text = node.textContent;
          const left = (s) => { const r = document.createRange(); const i = text.indexOf(s);
            r.setStart(node, i); r.setEnd(node, i + s.length);
            return r.getBoundingClientRect().left; };
          const ok = left('−1.5') < left('2.5'); p.remove(); return [text, ok]; }""")
        assert order[1], f"the point in {order[0]!r} reads right to left"
        font = page.evaluate("document.fonts.check('16px Vazirmatn', 'نرخ یادگیری')")
        assert font
        screenshot(page, f"language-fa-{width}x{height}")
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_header_fits_a_1024_projector_in_every_language_and_lab(browser, server, lang):
    """At 1024 × 768, plain and in presenter mode, every switch and button of the header
    shows its whole name and the header does not overflow: only the race's title gives way
    (Ukrainian cut "Карти" and "A/B" short; presenter mode cut English ones)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        for lab in LABS:
            for presenter in ("", "&present=1"):
                page.goto(f"{server.base}/#lang={lang}&lab={lab}{presenter}")
                page.reload()  # (a new hash alone does not reload the page)
                page.wait_for_function("() => !document.body.classList.contains('loading')")
                page.wait_for_timeout(200)
                cut = page.evaluate("""() => {
                  const bar = document.querySelector('.topbar');
                  const shown = [...bar.querySelectorAll(':scope > *, .seg button, .tools > *')]
                    .filter((e) => e.getClientRects().length && e.id !== 'race-title');
                  return { bar: bar.scrollWidth - bar.clientWidth,
                    cut: shown.filter((e) => e.scrollWidth > e.clientWidth + 1)
                      .map((e) => e.id || e.textContent.trim()) }; }""")
                assert cut == {"bar": 0, "cut": []}, (lab, presenter, cut)
    finally:
        context.close()


def test_the_picker_switches_language_and_keeps_it_in_the_link(browser, server):
    page = page_in(browser, server, "en")
    try:
        page.select_option("#language", "hr")
        page.wait_for_function("() => document.documentElement.lang === 'hr'")
        assert "lang=hr" in page.url
        assert page.inner_text("#scenarios-open") == "Scenariji"
    finally:
        page.context.close()


def test_the_picker_shows_every_language_name_whole(browser, server):
    """Each language is offered in its own name; the longest (Українська) must not be cut
    by the picker's arrow."""
    page = page_in(browser, server, "uk", 1024, 768)
    try:
        room = page.evaluate("""() => { const s = document.getElementById('language');
          const st = getComputedStyle(s); const c = document.createElement('canvas')
            .getContext('2d'); c.font = `${st.fontSize} ${st.fontFamily}`;
          const widest = Math.max(...[...s.options].map((o) => c.measureText(o.text).width));
          const arrow = 16;  // Chromium's drop-down arrow at this size
          return s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight)
            - arrow - widest; }""")
        assert room >= 0, f"the picker is {-room:.1f} px too narrow"
    finally:
        page.context.close()
