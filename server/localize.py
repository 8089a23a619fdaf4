"""The catalogues in another language: the engine's English texts replaced by translations.

The engine keeps one English text per entry (it is the reference a notebook reads); the
translations live in the page's message catalogues under keys derived from the entry, so
nothing in the engine names a language:

- ``{catalogue}.{id}.{field}`` for an entry's own texts (``optimizers.adam.summary``);
- ``{catalogue}.{id}.{list}.{name}`` for the meaning of one of its parameters or state
  variables (``optimizers.adam.hyperparameters.beta1``);
- ``topics.{topic}`` for a scenario's topic, which several scenarios share.
- ``run_labels.{label}`` for the names a scenario gives its runs ("Gradient descent",
  "linear decay"), wherever the scenario uses them (its runs, focus, expectations).
- ``networks.{path}`` for what the networks document's settings mean (``networks.race.seed``).

A text without a translation stays English (``missing`` lists them for the report test).
Ids, symbols, formulas, LaTeX and numbers are never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from descentlab.server import i18n

#: Per catalogue: the texts of an entry, and its lists whose items have a ``meaning``.
TEXTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "surfaces": (("name", "note"), ("params",)),
    "optimizers": (("name", "summary", "notes"), ("hyperparameters", "state")),
    "schedules": (("name", "note"), ("params",)),
    "run_options": (("name", "note"), ("params",)),
    "scenarios": (("title", "question", "notice"), ()),
    "datasets": (("name", "note"), ("params",)),
    "activations": (("note",), ()),
    "inits": (("name", "note"), ()),
    "two_param_nets": (("name", "note"), ("params",)),
}
#: The catalogues of entries inside the networks document.
NETWORK_LISTS = ("datasets", "activations", "inits", "two_param_nets")
#: The networks document's own texts (what a setting means), by their path in it; the key is
#: ``networks.`` and the path (``networks.race.seed``).
NETWORK_TEXTS: tuple[tuple[str, ...], ...] = (
    ("architecture", "init_scale", "meaning"), ("architecture", "bias", "meaning"),
    ("architecture", "dropout", "meaning"), ("architecture", "batch_norm", "meaning"),
    ("architecture", "output"),
    ("race", "batch_size", "meaning"), ("race", "seed"), ("race", "init_seed"),
    ("race", "validation", "fraction", "meaning"), ("race", "validation", "seed"),
    ("race", "early_stopping", "patience", "meaning"), ("race", "early_stopping", "stop"),
    ("landscape", "planes", "pca"), ("landscape", "planes", "random"),
)


#: The fields of a scenario that hold one of its run labels.
LABEL_FIELDS = ("label", "focus", "lower_loss_than")


def run_labels(value: Any) -> Iterator[tuple[str, dict, str]]:
    """Every run label inside a scenario (at any depth): its key, holder and field."""
    if isinstance(value, dict):
        for field, inner in value.items():
            if field in LABEL_FIELDS and isinstance(inner, str) and inner:
                yield f"run_labels.{inner}", value, field
            else:
                yield from run_labels(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from run_labels(inner)


def texts(catalogue: str, entries: list[dict[str, Any]]) -> Iterator[tuple[str, dict, str]]:
    """Every translatable text of ``entries``: its key, the dict that holds it, its field."""
    fields, lists = TEXTS[catalogue]
    for entry in entries:
        base = f"{catalogue}.{entry['id']}"
        if catalogue == "scenarios":
            yield f"topics.{entry['topic']}", entry, "topic"
            yield from run_labels(entry)
        for field in fields:
            if isinstance(entry.get(field), str):
                yield f"{base}.{field}", entry, field
        for name in lists:
            for part in entry.get(name) or ():
                if isinstance(part.get("meaning"), str):
                    yield f"{base}.{name}.{part['name']}", part, "meaning"


def _translated(catalogue: str, entries: list[dict[str, Any]], lang: str) -> list[dict]:
    messages = i18n.catalogue(lang)
    copies = [_deep_copy(entry) for entry in entries]
    for key, holder, field in texts(catalogue, copies):
        text = messages.get(key)
        if isinstance(text, str):
            holder[field] = text
    return copies


def network_texts(document: dict[str, Any]) -> Iterator[tuple[str, dict, str]]:
    """The networks document's own texts present in ``document``: key, holder, field."""
    for path in NETWORK_TEXTS:
        holder: Any = document
        for part in path[:-1]:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and isinstance(holder.get(path[-1]), str):
            yield "networks." + ".".join(path), holder, path[-1]


def _translated_network(document: dict[str, Any], lang: str) -> dict[str, Any]:
    messages = i18n.catalogue(lang)
    shown = {**_deep_copy(document), **{part: _translated(part, document[part], lang)
                                        for part in NETWORK_LISTS}}
    for key, holder, field in network_texts(shown):
        text = messages.get(key)
        if isinstance(text, str):
            holder[field] = text
    return shown


def localize(name: str, document: Any, lang: str) -> Any:
    """``document`` (one catalogue as the API serves it) with its texts in ``lang``."""
    if lang == i18n.DEFAULT:
        return document
    if name in TEXTS:
        return _translated(name, document, lang)
    if name == "networks":
        return _translated_network(document, lang)
    return document


def all_texts(documents: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every translatable key of the served catalogues with its English text."""
    for name, document in documents.items():
        if name in TEXTS:
            parts = [(name, document)]
        elif name == "networks":
            parts = [(part, document[part]) for part in NETWORK_LISTS]
            for key, holder, field in network_texts(document):
                yield key, holder[field]
        else:
            continue
        for catalogue, entries in parts:
            for key, holder, field in texts(catalogue, entries):
                yield key, holder[field]


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
