"""The message catalogues: complete, consistent, and used as written.

The interface's messages (every key of ``en.json``) are required in every language: a
missing one fails. The catalogues' texts (optimizer notes, scenario questions, …) are
translated as they land; a missing one falls back to English in the app, and
``test_report_untranslated_catalogue_texts`` lists them without failing, so the list is
always at hand (``pytest -rA tests/test_i18n.py -k report``).
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest

from descentlab.server import i18n, network_translate, translate
from descentlab.server.localize import all_texts, localize

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"
OTHERS = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
MARKUP = re.compile(r"<[^>]+>")
#: Message keys of the catalogues' texts (localize.py), as opposed to the interface's.
CATALOGUE_PREFIXES = ("surfaces.", "optimizers.", "schedules.", "scenarios.", "datasets.",
                      "activations.", "inits.", "two_param_nets.", "topics.", "networks.",
                      "run_labels.", "run_options.")


def messages(lang: str) -> dict:
    return json.loads((i18n.LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


def interface_keys() -> set[str]:
    return {k for k in messages(i18n.DEFAULT) if not k.startswith(CATALOGUE_PREFIXES)}


def forms(message: str | dict) -> list[str]:
    return [message] if isinstance(message, str) else list(message.values())


def shape(message: str | dict) -> tuple[set[str], list[str]]:
    """The placeholders and the markup of a message (over all its plural forms)."""
    texts = forms(message)
    return ({name for text in texts for name in PLACEHOLDER.findall(text)},
            sorted({tag for text in texts for tag in MARKUP.findall(text)}))


@pytest.fixture(scope="module")
def served() -> dict:
    return {**translate.catalogues(), "networks": network_translate.catalogue()}


def test_every_language_is_valid_json_with_string_messages():
    for lang in i18n.LANGUAGES:
        for key, message in messages(lang).items():
            assert all(isinstance(text, str) and text.strip() for text in forms(message)), \
                (lang, key)


@pytest.mark.parametrize("lang", OTHERS)
def test_every_interface_key_exists_in_every_language(lang):
    have = set(messages(lang))
    missing = sorted(interface_keys() - have)
    assert not missing, f"{lang} lacks {len(missing)} interface messages: {missing}"
    unknown = sorted(k for k in have - set(messages(i18n.DEFAULT))
                     if not k.startswith(CATALOGUE_PREFIXES))
    assert not unknown, f"{lang} has messages English does not: {unknown}"


@pytest.mark.parametrize("lang", OTHERS)
def test_placeholders_and_markup_are_preserved(lang):
    english = messages(i18n.DEFAULT)
    for key, message in messages(lang).items():
        if key in english:
            assert shape(message) == shape(english[key]), (lang, key)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_plural_messages_have_every_form_of_their_language(lang):
    for key, message in messages(lang).items():
        if isinstance(message, dict):
            assert set(message) == set(i18n.PLURAL_FORMS[lang]), (lang, key)


@pytest.mark.parametrize(("lang", "cases"), [
    ("en", {0: "other", 1: "one", 2: "other", 21: "other"}),
    ("hr", {1: "one", 2: "few", 4: "few", 5: "other", 11: "other", 12: "other", 21: "one",
            22: "few", 25: "other", 1.5: "other"}),
    ("bs", {1: "one", 3: "few", 14: "other", 101: "one", 0: "other"}),
    ("sr", {21: "one", 24: "few", 111: "other"}),
    ("uk", {1: "one", 2: "few", 5: "many", 0: "many", 11: "many", 21: "one", 22: "few",
            2.5: "other"}),
    ("fa", {0: "one", 1: "one", 2: "other", 10: "other"}),
])
def test_the_servers_plural_rule_matches_cldr(lang, cases):
    """The same categories ``Intl.PluralRules`` gives in the page (CLDR's cardinal rules)."""
    for n, category in cases.items():
        assert i18n.plural_category(lang, n) == category, (lang, n)
        assert category in i18n.PLURAL_FORMS[lang]


def test_every_key_the_page_uses_exists_in_english():
    """``t('…')`` and ``data-i18n*="…"`` in the page name real messages (a typo would show
    the key itself)."""
    sources = [*FRONTEND.glob("js/**/*.js"), FRONTEND / "index.html"]
    used = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\btr\(\s*'([a-z_]+\.[\w.]+)'", text))
        used |= set(re.findall(r'data-i18n(?:-\w+)?="([\w.]+)"', text))
        used |= set(re.findall(r"\['\w+', '([a-z_]+\.[\w.]+)'\]", text))
    assert used, "no message keys found: the pattern above no longer matches the page"
    missing = sorted(used - set(messages(i18n.DEFAULT)))
    assert not missing, missing


def test_stalled_outcomes_cover_every_kind_of_critical_point(served):
    """The leaderboard builds ``outcome.stalled_{kind}`` from the surfaces' critical points."""
    kinds = {p["kind"] for s in served["surfaces"] for p in s["critical_points"]}
    english = messages(i18n.DEFAULT)
    for kind in kinds:
        assert f"outcome.stalled_{kind}" in english and f"outcome.stalled_{kind}_title" in english


def test_every_catalogue_kind_in_errors_is_translated():
    for lang in OTHERS:
        for kind in ("optimizer", "surface", "scenario", "schedule", "dataset"):
            assert f"kind.{kind}" in messages(lang), (lang, kind)


@pytest.mark.parametrize("lang", OTHERS)
def test_catalogue_translations_name_real_entries(lang, served):
    """A translation under a renamed or removed id would never be shown: it must not rot."""
    known = dict(all_texts(served))
    stale = sorted(k for k in messages(lang) if k.startswith(CATALOGUE_PREFIXES)
                   and k not in known)
    assert not stale, stale


@pytest.mark.parametrize("lang", OTHERS)
def test_catalogue_translations_keep_the_englishs_math(lang, served):
    """Formulas written inline (``lr × curvature < 2``) keep their symbols in translation."""
    for key, english in all_texts(served):
        translated = messages(lang).get(key)
        if translated is None:
            continue
        for symbol in re.findall(r"[εδβρσκαγηλμ₁₂²ᵗ√×∞≈≤≥]", english):
            assert symbol in translated, (lang, key, symbol)


def test_localized_catalogues_keep_everything_but_the_texts(served):
    for name, document in served.items():
        shown = localize(name, document, "uk")
        assert json.dumps(shown, sort_keys=True).count('"id"') == \
            json.dumps(document, sort_keys=True).count('"id"')
    first = served["optimizers"][0]
    translated = localize("optimizers", served["optimizers"], "uk")[0]
    assert translated["equations"] == first["equations"]
    assert translated["hyperparameters"][0]["default"] == first["hyperparameters"][0]["default"]


def test_report_untranslated_catalogue_texts(served):
    """Lists, per language, the catalogue texts still shown in English. Not a failure: they
    fall back to English in the app; the list says what is left to translate."""
    keys = [key for key, _ in all_texts(served)]
    lines = []
    for lang in OTHERS:
        missing = [k for k in keys if k not in messages(lang)]
        if missing:
            lines.append(f"{lang}: {len(missing)} of {len(keys)} catalogue texts untranslated, "
                         f"e.g. {', '.join(missing[:5])}")
    if lines:
        warnings.warn("untranslated catalogue texts (shown in English):\n" + "\n".join(lines),
                      stacklevel=1)
