"""Each optimizer is defined in one place, and that definition is complete and honest.

An optimizer's id may appear in source only in its own definition (its family module under
``engine/optimizers/``). Elsewhere it may appear only as content that *uses* the catalogue:
lesson scenarios, docstrings, and the OpenAPI examples. Everything else — thread balancing,
network learning rates, stability rules, the inspector's derived values, the page's symbols —
reads the definition.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from descentlab import engine
from descentlab.engine.optimizers import kernels
from descentlab.engine.optimizers.catalog import DEFAULT_LINEUP, OPTIMIZERS
from descentlab.engine.optimizers.inspect import derived_state

ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "engine" / "optimizers"
# Lessons name the optimizers they race: content, not behaviour.
CONTENT = {"scenarios.py", "map_scenarios.py", "network_scenarios.py"}
# OpenAPI's request examples are documentation of the contract.
EXAMPLE_KEYWORDS = {"examples", "json_schema_extra", "openapi_examples"}
EXAMPLE_CONSTANTS = {"EXAMPLES"}
# An id that is also a hyperparameter's name (momentum) is a word code may use.
IDS = set(OPTIMIZERS) - {p.name for o in OPTIMIZERS.values() for p in o.hyperparameters}


def _allowed_constants(tree: ast.AST) -> set[int]:
    """The string constants of docstrings and of OpenAPI examples in ``tree``."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)):
            allowed.add(id(body[0].value))
        examples: list[ast.AST] = []
        if isinstance(node, ast.keyword) and node.arg in EXAMPLE_KEYWORDS:
            examples.append(node.value)
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in EXAMPLE_CONSTANTS for t in node.targets):
            examples.append(node.value)
        for example in examples:
            allowed |= {id(c) for c in ast.walk(example) if isinstance(c, ast.Constant)}
    return allowed


def _named_ids(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = _allowed_constants(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in IDS and id(node) not in allowed]


def _own_ids(path: Path) -> set[str]:
    """The ids a definition module defines (the first argument of each Optimizer entry)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {call.args[0].value for call in ast.walk(tree)
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Optimizer"
            and call.args and isinstance(call.args[0], ast.Constant)}


def test_no_source_names_an_optimizer_outside_its_definition() -> None:
    offences = []
    for folder in ("engine", "server"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name in CONTENT:
                continue
            own = _own_ids(path) if path.parent == DEFINITIONS else set()
            if path == DEFINITIONS / "catalog.py":  # the default line-up, checked at import
                own = set(DEFAULT_LINEUP)
            offences += [f"{path.relative_to(ROOT)}:{line} names '{name}'"
                         for line, name in _named_ids(path) if name not in own]
    for path in sorted((ROOT / "frontend").rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        offences += [f"{path.relative_to(ROOT)} names '{name}'" for name in IDS
                     if f"'{name}'" in text or f'"{name}"' in text]
    assert offences == []


def test_the_one_place_check_catches_a_stray_id(tmp_path: Path) -> None:
    """The scan above is not vacuous: a branch on an id is found, a docstring is not."""
    stray = tmp_path / "stray.py"
    stray.write_text('"""Mentions adam in a docstring: fine."""\n'
                     'def f(o):\n    return o.id == "adam"\n', encoding="utf-8")
    assert _named_ids(stray) == [(3, "adam")]


def test_an_unknown_code_fails_loudly() -> None:
    with pytest.raises(ValueError, match="no update rule"):
        kernels.check_code(max(kernels.CODES) + 1)


GRADIENT_ONLY = [o for o in OPTIMIZERS.values()
                 if not (o.needs_hessian or o.needs_loss or o.needs_surface)]


@pytest.mark.parametrize("opt", GRADIENT_ONLY, ids=[o.id for o in GRADIENT_ONLY])
def test_every_code_is_routed_to_a_rule(opt) -> None:
    """Each catalogued code moves x down a gradient (an unrouted one would leave it)."""
    kernels.check_code(opt.code)
    x = np.zeros(4)
    kernels.update(opt.code, x, np.ones(4), np.zeros((len(opt.state), 4)),
                   np.array(opt.scalar_state or (0.0,)), 1, 0.1,
                   opt.kernel_vector(opt.resolve()), 2)
    assert (x < 0).all()


@pytest.mark.parametrize("opt", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
def test_a_definition_is_complete(opt) -> None:
    """Symbols of the hyperparameters appear in the equations; the look-ahead is declared
    where the kernel takes one; a step cost and (except surface-only methods) a network
    rate; the theory's limit for the linear methods."""
    equations = " ".join(opt.equations)
    for p in opt.hyperparameters:
        assert p.symbol and p.symbol in equations, (opt.id, p.name)
    assert kernels.uses_lookahead(opt.code) == (opt.gradient_at != "x")
    assert opt.step_cost >= 1.0
    assert (opt.network_lr is None) == (opt.needs_hessian or opt.needs_loss
                                        or opt.needs_surface)


@pytest.mark.parametrize("opt", [o for o in OPTIMIZERS.values() if o.derived],
                         ids=[o.id for o in OPTIMIZERS.values() if o.derived])
def test_derived_values_are_the_declared_ones(opt) -> None:
    """What an optimizer derives for the inspector is exactly what its entry declares (the
    page labels each by the declaration), and nothing non-finite."""
    r = engine.race("rosenbrock", [opt.id], start=(-1.2, 1.0), steps=20, record_state=True)
    state = {name: r.state[0][name] for name in r.state[0]}
    out = derived_state(opt, state, r.lr[0], r.runs[0].hyperparameters)
    assert set(out) == {d.name for d in opt.derived}
    assert all(np.isfinite(v).all() for v in out.values())
