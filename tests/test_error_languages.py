"""Refused formulas and network settings are said in the reader's language.

The expression parser and the network engine speak English and give every refusal a message
key and its values;
the server says the same refusal from the message catalogues in the request's language. The
English catalogue message must be the parser's own sentence, word for word, so that the key
and the English never drift apart; every language must have every key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from descentlab.engine.errors import EngineError
from descentlab.engine.expressions import compile_expression
from descentlab.engine.expressions.parser import MAX_HEIGHT
from descentlab.engine.networks.architecture import Architecture
from descentlab.engine.networks.holdout import EarlyStopping, split
from descentlab.engine.networks.toy_data import dataset_from_spec, make_dataset
from descentlab.server import i18n
from descentlab.server.app import create_app

#: One refused formula per message key (with the parser's limits where they matter).
BAD = {
    "expression.too_many_parts": ("x + y + x + y", {"max_nodes": 5}),
    "expression.too_high": ("+".join(["x"] * (MAX_HEIGHT + 2)),
                            {"max_nodes": 10_000, "max_length": 10_000}),
    "expression.empty": ("   ", {}),
    "expression.too_deep": ("(" * 40 + "x" + ")" * 40, {}),
    "expression.unknown_name": ("foo(x) + y", {}),
    "expression.unknown_name_alias": ("ln(x) + y", {}),
    "expression.needs_parentheses": ("sin x", {}),
    "expression.arity": ("min(x)", {}),
    "expression.unclosed": ("(x + 1", {}),
    "expression.ends_early": ("x +", {}),
    "expression.empty_parentheses": ("x * ()", {}),
    "expression.needs_value_start": ("* x", {}),
    "expression.needs_value_parenthesis": ("(* x)", {}),
    "expression.cannot_follow": ("x + * y", {}),
    "expression.unmatched": ("x)", {}),
    "expression.comma": ("x, y", {}),
    "expression.missing_operator": ("x y", {}),
    "expression.keyword": ("lambda", {}),
    "expression.floor_division": ("x // 2", {}),
    "expression.lookalike": ("x × y", {}),
    "expression.not_ascii": ("x + €", {}),
    "expression.character": ("x $ y", {}),
    "expression.digit_separator": ("1_000 * x", {}),
    "expression.implicit_product": ("2x + y", {}),
    "expression.number_too_large": ("1e999 * x", {}),
    "expression.exponent_too_large": ("x**100", {}),
    "expression.no_value_divides_by_zero": ("x + 1/0", {}),
    "expression.no_value_too_large": ("x + exp(1000)", {}),
    "expression.no_value_outside_domain": ("x + log(-1)", {}),
    "expression.not_text": (5, {}),
    "expression.too_long": ("x + y", {"max_length": 3}),
    "expression.refused_assign": ("z = x", {}),
    "expression.refused_compare": ("x < y", {}),
    "expression.refused_factorial": ("x!", {}),
    "expression.refused_semicolon": ("x; y", {}),
    "expression.refused_colon": ("x: y", {}),
    "expression.refused_remainder": ("x % 2", {}),
    "expression.refused_matmul": ("x @ y", {}),
    "expression.refused_bitwise": ("x & y", {}),
    "expression.refused_bar": ("|x|", {}),
    "expression.refused_brackets": ("[x]", {}),
    "expression.refused_braces": ("{x}", {}),
    "expression.refused_string": ("'x'", {}),
    "expression.refused_comment": ("x # y", {}),
    "expression.refused_dot": ("x.y", {}),
    "expression.refused_backslash": ("\\sqrt{x}", {}),
}
#: Refused network settings, each as the engine meets it (a notebook's call).
NETWORK_BAD = {
    "network.hidden_not_list": lambda: Architecture(hidden=5),  # type: ignore[arg-type]
    "network.hidden_range": lambda: Architecture(hidden=(16, 0)),
    "network.init_scale_range": lambda: Architecture(init_scale=0.0),
    "network.dropout_range": lambda: Architecture(dropout=2.0),
    "network.bias_range": lambda: Architecture(bias=100.0),
    "network.architecture_type": lambda: Architecture.from_spec(5),  # type: ignore[arg-type]
    "network.architecture_fields": lambda: Architecture.from_spec({"depth": 3}),
    "network.dataset_type": lambda: dataset_from_spec(5),  # type: ignore[arg-type]
    "network.validation_range": lambda: split(make_dataset(), 0.9, 0),
    "network.validation_seed": lambda: split(make_dataset(), 0.2, -1),
    "network.patience_range": lambda: EarlyStopping(patience=0),
}
OTHERS = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]


def refusal(text: object, limits: dict) -> EngineError:
    with pytest.raises(EngineError) as caught:
        compile_expression(text, **limits)  # type: ignore[arg-type]
    return caught.value


def messages(lang: str) -> dict:
    return json.loads((i18n.LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", list(BAD))
def test_each_refusal_carries_its_key_and_the_catalogues_english_is_the_parsers(key):
    text, limits = BAD[key]
    err = refusal(text, limits)
    assert err.key == key, err.message
    assert i18n.message("en", key, err.params) == err.message
    for lang in OTHERS:
        said = i18n.message(lang, key, err.params)
        assert said and said != err.message, (lang, said)
        if "{column}" in json.dumps(messages("en")[key]):  # the place, in every language
            assert str(err.column) in said, (lang, said)


def test_every_expression_message_is_exercised():
    """A key no refusal uses any more would rot in six catalogues."""
    for lang in i18n.LANGUAGES:
        keys = {k for k in messages(lang) if k.startswith("expression.")}
        assert keys == set(BAD), (lang, sorted(keys ^ set(BAD)))


@pytest.mark.parametrize("key", list(NETWORK_BAD))
def test_each_network_refusal_is_said_in_every_language(key):
    with pytest.raises(EngineError) as caught:
        NETWORK_BAD[key]()
    err = caught.value
    assert err.key == key, err.message
    assert i18n.message("en", key, err.params) == err.message
    for lang in OTHERS:
        said = i18n.message(lang, key, err.params)
        assert said and said != err.message, (lang, said)
        for value in err.params.values():  # the values the student typed are quoted back
            assert str(value) in said, (lang, said, value)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def test_a_bad_formula_answers_in_ukrainian_with_its_column(client):
    body = {"surface": {"expression": "x**2 + 10y"}, "start": [1, 1], "steps": 10,
            "optimizers": [{"id": "sgd", "hyperparameters": {"lr": 0.01}}]}
    english = client.post("/api/v1/races", json=body).json()["detail"][0]
    assert english["msg"] == "write 10*y, not 10y (column 8)"
    r = client.post("/api/v1/races", json=body, headers={"Accept-Language": "uk"})
    assert r.status_code == 422
    (item,) = r.json()["detail"]
    assert item["loc"] == ["body", "surface", "expression"]
    assert item["column"] == 8
    assert item["msg"] == "пишіть 10*y, а не 10y (стовпець 8)"
    persian = client.post("/api/v1/races?lang=fa", json=body).json()["detail"][0]["msg"]
    assert persian == "بنویسید 10*y، نه 10y (ستون 8)"
