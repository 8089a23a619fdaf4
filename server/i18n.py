"""The server's side of the page's languages: which one a request asks for, and its messages.

The catalogues are the page's own (``frontend/locales/{lang}.json``), so a message is
translated once for the page and the API alike. A message is a string with ``{name}``
placeholders, or, where a number decides the wording, a mapping of plural categories
(``one``, ``few``, ``other``) chosen by the same rules as the page's ``Intl.PluralRules``.
A key missing from a language falls back to English, so a half-translated language still
answers every request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from descentlab.server.settings import REPO_FRONTEND

LOCALES = REPO_FRONTEND / "locales"
DEFAULT = "en"
#: The languages the lab speaks, in the order the page's picker lists them.
LANGUAGES = ("en", "bs", "hr", "sr", "uk", "fa")
#: Tags a browser may send for the languages above (Serbian in Latin script is ``sr``).
ALIASES = {"sr-latn": "sr", "sh": "hr", "uk-ua": "uk", "fa-ir": "fa", "per": "fa"}

#: The plural categories each language's messages must give (CLDR's cardinal sets).
PLURAL_FORMS = {"en": ("one", "other"), "fa": ("one", "other"),
                "bs": ("one", "few", "other"), "hr": ("one", "few", "other"),
                "sr": ("one", "few", "other"), "uk": ("one", "few", "many", "other")}

Message = str | Mapping[str, str]
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def catalogue(lang: str, directory: Path = LOCALES) -> dict[str, Message]:
    """One language's messages, read once."""
    return json.loads((directory / f"{lang}.json").read_text(encoding="utf-8"))


def negotiate(query: str | None, accept: str | None) -> str:
    """The language of a request: ``?lang=`` first, then the best ``Accept-Language`` tag we
    speak, else English."""
    if query:
        return match(query) or DEFAULT
    ranked = []
    for position, part in enumerate((accept or "").split(",")):
        tag, _, weight = part.strip().partition(";q=")
        try:
            q = float(weight) if weight else 1.0
        except ValueError:
            q = 0.0
        if tag and q > 0:
            ranked.append((-q, position, tag))
    for _, _, tag in sorted(ranked):
        found = match(tag)
        if found:
            return found
    return DEFAULT


def match(tag: str) -> str | None:
    """Our language for a BCP 47 tag (``uk-UA`` → ``uk``, ``sr-Latn-RS`` → ``sr``), if any.
    Serbian in Cyrillic script is not ours: the lab writes Serbian in Latin."""
    tag = tag.strip().lower().replace("_", "-")
    if tag.startswith("sr-cyrl"):
        return None
    for candidate in (tag, "-".join(tag.split("-")[:2]), tag.split("-")[0]):
        found = ALIASES.get(candidate, candidate)
        if found in LANGUAGES:
            return found
    return None


def plural_category(lang: str, n: float) -> str:
    """CLDR's cardinal category for ``n`` in ``lang``, as ``Intl.PluralRules`` gives it.

    Bosnian, Croatian and Serbian have one/few/other; Ukrainian says many where they say
    other for whole numbers (5 кроків) and keeps other for fractions; Persian and English
    have one/other. ``PLURAL_FORMS`` lists each language's set, which a catalogue must fill."""
    if lang in ("bs", "hr", "sr", "uk"):
        if n != int(n):
            return "other"
        i = abs(int(n))
        if i % 10 == 1 and i % 100 != 11:
            return "one"
        if 2 <= i % 10 <= 4 and not 12 <= i % 100 <= 14:
            return "few"
        return "many" if lang == "uk" else "other"
    if lang == "fa":
        return "one" if 0 <= n <= 1 else "other"
    return "one" if n == 1 else "other"


def message(lang: str, key: str, params: Mapping[str, object] | None = None) -> str | None:
    """The message ``key`` in ``lang`` with its placeholders filled, English where ``lang``
    lacks it, None where English lacks it too (the caller keeps its own text)."""
    params = params or {}
    text = catalogue(lang).get(key) if lang in LANGUAGES else None
    if text is None:
        lang, text = DEFAULT, catalogue(DEFAULT).get(key)
    if text is None:
        return None
    if "kind" in params:  # a catalogue's name (optimizer, surface, …) is said in the language
        params = {**params, "kind": catalogue(lang).get(f"kind.{params['kind']}", params["kind"])}
    if not isinstance(text, str):
        count = params.get("count", 0)
        number = float(count) if isinstance(count, int | float) else 0.0
        text = text.get(plural_category(lang, number), text["other"])
    return _PLACEHOLDER.sub(lambda m: str(params.get(m.group(1), m.group(0))), text)
