"""The server's JSON writer: piecewise, yet byte for byte what one ``orjson.dumps`` writes."""

from __future__ import annotations

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab.server import jsonio

finite = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.none() | st.booleans() | st.integers(-2**53, 2**53) | finite | st.text(max_size=8)
arrays = st.lists(finite, max_size=6).map(np.array) | st.integers(0, 4).map(
    lambda n: np.arange(2.0 * n).reshape(n, 2))
documents = st.recursive(
    scalars | arrays,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_piecewise_writing_gives_the_bytes_of_one_call(document):
    assert jsonio.dumps(document) == orjson.dumps(document, option=jsonio.OPTIONS)


def test_a_race_sized_document_is_written_identically():
    runs = [{"optimizer": name, "path": np.random.default_rng(i).normal(size=(20_001, 2)),
             "lr": [None] + [0.1] * 20_000, "state": {"v": np.ones((20_001, 2))}}
            for i, name in enumerate(("sgd", "adam"))]
    document = {"surface": {"id": "rosenbrock"}, "runs": runs}
    assert jsonio.dumps(document) == orjson.dumps(document, option=jsonio.OPTIONS)


@pytest.mark.parametrize("document", [{"x": {1, 2}}, [{"a": object()}], {1: "a"}])
def test_what_json_cannot_hold_is_refused(document):
    with pytest.raises(TypeError):
        jsonio.dumps(document)


def test_non_finite_values_are_spelled_as_null_by_array():
    assert jsonio.dumps({"a": jsonio.array(np.array([1.0, np.nan, np.inf]))}) == \
        b'{"a":[1.0,null,null]}'
