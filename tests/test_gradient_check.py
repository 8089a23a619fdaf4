"""Gradient checking: the finite-difference sweep in the engine, backprop's check on sampled
weights, the lesson's numbers, the two endpoints and the CLI.

The check is itself checked: it must pass every gradient the engine computes and fail a
gradient that is slightly wrong.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from test_cli import run

from descentlab import engine
from descentlab.engine import networks as nn
from descentlab.engine.gradient_check import (
    STEPS,
    GradientCheck,
    check_gradient,
    differences,
    relative_error,
)
from descentlab.engine.networks.gradient_check import (
    check_network_gradient,
    locate,
    sample_parameters,
)
from descentlab.engine.scenarios import SCENARIOS
from descentlab.server.app import create_app

API = "/api/v1"


def strict(text: str) -> dict:
    """JSON as the API promises it: NaN and Infinity are errors."""
    def refuse(token: str) -> float:
        raise ValueError(f"{token} in a response")
    return json.loads(text, parse_constant=refuse)


def test_relative_error_is_the_lectures_ratio():
    assert relative_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_error([3.0, 4.0], [0.0, 0.0]) == 1.0
    # ‖(0, 1)‖ / max(‖(3, 4)‖, ‖(3, 5)‖)
    assert relative_error([3.0, 4.0], [3.0, 5.0]) == pytest.approx(1 / math.sqrt(34))
    assert np.isnan(relative_error([1.0, 1.0], [np.nan, 1.0]))


def test_the_sweep_is_two_steps_a_decade_written_as_decimals():
    assert STEPS[0] == 1.0 and STEPS[-1] == 1e-14 and STEPS.size == 29
    assert STEPS[10] == 1e-5  # not 9.999999999999999e-06: the table prints what was used
    assert np.all(np.diff(np.log10(STEPS)) == pytest.approx(-0.5))


@pytest.mark.parametrize("surface", [s.id for s in engine.surfaces()])
def test_every_catalogue_gradient_passes_its_check(surface):
    for start in engine.get_surface(surface).starts:
        check = check_gradient(surface, start)
        k = check.best("centred")
        assert check.centred_error[k] < 1e-6, (surface, start, check.centred_error[k])


def test_a_gradient_off_by_a_thousandth_fails_at_every_step():
    """The check can fail: sin's derivative with 1e-3 added is wrong by about 1e-3 however
    h is chosen."""
    x = np.array([0.7, -0.2])

    def values_along(i: int, offsets: np.ndarray) -> np.ndarray:
        points = np.repeat(x[None], offsets.size, axis=0)
        points[:, i] += offsets
        return np.sin(points).sum(axis=1)

    forward, centred = differences(values_along, float(np.sin(x).sum()), (0, 1), STEPS)
    wrong = GradientCheck(float(np.sin(x).sum()), np.cos(x) + 1e-3, STEPS, forward, centred)
    right = GradientCheck(wrong.value, np.cos(x), STEPS, forward, centred)
    assert wrong.centred_error.min() > 5e-4 and wrong.forward_error.min() > 5e-4
    assert right.centred_error.min() < 1e-9


def test_coordinate_errors_flag_a_wrong_small_derivative_not_an_exact_zero():
    """Against the checked derivatives' typical size: an exact 0 beside rounding's 1e-12
    agrees; 1e-6 where 2e-6 is right is flagged although both are small."""
    steps = np.array([1e-5])
    analytic = np.array([1e-3, 0.0, 1e-6])
    centred = np.array([[1e-3 * (1 + 1e-9), 1e-12, 2e-6]])
    errors = GradientCheck(1.0, analytic, steps, centred, centred).coordinate_errors
    assert errors[0] < 1e-8 and errors[1] < 1e-8 and errors[2] > 1e-4


def test_the_two_vs_have_the_shape_theory_gives():
    """Truncation: forward error ∝ h, centred ∝ h²; rounding ∝ 1/h. So the centred floor is
    lower and at a larger h (near ∛ε against √ε), and both rise again for tiny h."""
    check = check_gradient("rosenbrock", (-1.2, 1.0))
    kf, kc = check.best("forward"), check.best("centred")
    assert check.steps[kc] > 10 * check.steps[kf]
    assert 1e-7 <= check.steps[kc] <= 1e-5 and 1e-10 <= check.steps[kf] <= 1e-7
    assert check.centred_error[kc] < check.forward_error[kf] / 100
    # slopes on the truncation side (h from 1e-2 to 1e-4): one decade per decade, and two
    slope = np.diff(np.log10([check.forward_error[[4, 8]], check.centred_error[[4, 8]]]))
    assert slope.ravel() == pytest.approx([-2, -4], abs=0.1)
    assert check.centred_error[-1] > 1e3 * check.centred_error[kc]


def test_a_quadratics_centred_difference_is_exact_and_its_zero_error_stays_finite():
    check = check_gradient({"expression": "x**2 + 10*y**2"}, (1.0, 1.0))
    assert check.centred_error[0] == 0.0 and check.best("centred") == 0


def test_at_a_minimum_the_check_says_it_measures_rounding():
    assert check_gradient("rosenbrock", (1.0, 1.0)).small_gradient
    assert not check_gradient("rosenbrock", (-1.2, 1.0)).small_gradient


def test_probes_where_the_loss_is_not_finite_are_nan_not_errors():
    check = check_gradient({"expression": "log(x) + y"}, (0.5, 1.0))
    assert np.isnan(check.centred[0, 0]) and np.isnan(check.centred_error[0])
    assert check.centred_error[check.best("centred")] < 1e-9


@pytest.mark.parametrize("point", [(-1.0, 2.0), (np.nan, 1.0), (1.0, 2.0, 3.0)])
def test_a_point_that_cannot_be_checked_is_refused(point):
    with pytest.raises(engine.EngineError) as err:
        check_gradient({"expression": "log(x)"}, point)
    assert err.value.field == "point"


# --------------------------------------------------------------------------- networks


ARCHITECTURES = [nn.Architecture((16, 16)), nn.Architecture((8, 8, 8), "relu", batch_norm=True),
                 nn.Architecture((8,), "elu"), nn.Architecture((8, 8), "leaky_relu"),
                 nn.Architecture((), "tanh")]


@pytest.mark.parametrize("arch", ARCHITECTURES, ids=lambda a: f"{a.hidden}-{a.activation}"
                         f"{'-bn' if a.batch_norm else ''}")
def test_backprop_passes_its_check_in_every_layer(arch):
    race = nn.network_race("moons", arch, ["sgd", ("adam", {"lr": 0.01})], steps=30)
    result = check_network_gradient(race, "Adam", 30, samples=min(12, arch.n_params))
    check = result.check
    assert check.centred_error[check.best("centred")] < 1e-6
    assert np.all(check.coordinate_errors < 1e-4)
    assert {p.layer for p in result.parameters} == set(range(1, len(arch.hidden) + 2))
    assert result.run == "Adam" and result.frame == 30


def test_a_checked_weight_is_named_where_it_sits():
    arch = nn.Architecture((4, 3), batch_norm=True)
    weights = np.arange(arch.n_params, dtype=float)
    for index in range(arch.n_params):
        p = locate(arch, index)
        if p.kind in ("weight", "bias"):
            w, b = arch.unflatten(weights)[p.layer - 1]
            value = w[p.row, p.column] if p.kind == "weight" else b[p.row]
        else:
            gamma, beta = arch.norm_params(weights)[p.layer - 1]
            value = (gamma if p.kind == "gamma" else beta)[p.row]
        assert value == index


def test_the_sample_covers_every_layer_first_and_is_seeded():
    arch = nn.Architecture((64,) * 10)
    a = sample_parameters(arch, 12, seed=0)
    assert np.array_equal(a, sample_parameters(arch, 12, seed=0))
    assert not np.array_equal(a, sample_parameters(arch, 12, seed=1))
    assert len(set(a)) == 12 and {locate(arch, int(i)).layer for i in a} == set(range(1, 12))


def test_too_many_samples_are_refused():
    race = nn.network_race("moons", nn.Architecture((2,)), ["sgd"], steps=2)
    with pytest.raises(engine.EngineError) as err:
        check_network_gradient(race, samples=race.architecture.n_params + 1)
    assert err.value.field == "samples"


# --------------------------------------------------------------------------- the lesson


def test_the_gradient_check_lessons_numbers():
    """What the scenario's notice says, at its start and at its last step."""
    scenario = SCENARIOS["gradient_check"]
    race = engine.race(**scenario.race_kwargs())
    start = check_gradient(scenario.surface, scenario.start)
    kf, kc = start.best("forward"), start.best("centred")
    assert 1e-11 < start.centred_error[kc] < 1e-9 and 1e-7 <= start.steps[kc] <= 1e-5
    assert 1e-8 < start.forward_error[kf] < 1e-6 and 1e-10 <= start.steps[kf] <= 1e-8
    assert start.forward_error[24] > 1e-5 and start.centred_error[24] > 1e-5  # h = 1e-12
    end = check_gradient(scenario.surface, race.positions[0, 0, -1])
    shrunk = np.linalg.norm(start.analytic) / np.linalg.norm(end.analytic)
    assert 1e8 <= shrunk < 1e9
    assert 1e-4 <= end.forward_error[end.best("forward")] < 1e-3
    assert scenario.to_dict()["panel"] == "check"


# --------------------------------------------------------------------------- API and CLI


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def test_the_api_returns_the_engines_check(client):
    response = client.post(f"{API}/gradient-check",
                           json={"surface": {"id": "rosenbrock"}, "point": [-1.5, 2.0]})
    assert response.status_code == 200
    document = strict(response.text)
    check = check_gradient("rosenbrock", (-1.5, 2.0))
    assert document["analytic"] == check.analytic.tolist()
    assert document["centred_error"] == check.centred_error.tolist()
    assert document["best"] == {"forward": check.best("forward"),
                                "centred": check.best("centred")}
    assert document["coordinates"] == ["x", "y"] and document["point"] == [-1.5, 2.0]


def test_a_probe_outside_the_domain_reaches_json_as_null(client):
    response = client.post(f"{API}/gradient-check",
                           json={"surface": {"expression": "log(x) + y"}, "point": [0.5, 1]})
    document = strict(response.text)
    assert document["centred"][0][0] is None and document["centred_error"][0] is None


@pytest.mark.parametrize("body, loc", [
    ({"surface": {"expression": "log(x)"}, "point": [-1, 0]}, ["body", "point"]),
    ({"surface": {"id": "nope"}, "point": [0, 0]}, ["body", "surface", "id"]),
    ({"surface": {"id": "bowl"}}, ["body", "point"]),
    ({"surface": {"id": "bowl"}, "point": [1, "2"]}, ["body", "point", 1]),
])
def test_the_api_refuses_what_it_cannot_check(client, body, loc):
    response = client.post(f"{API}/gradient-check", json=body)
    assert response.status_code == 422
    assert strict(response.text)["detail"][0]["loc"] == loc


def test_the_refusal_is_said_in_the_requests_language(client):
    response = client.post(f"{API}/gradient-check", headers={"Accept-Language": "uk"},
                           json={"surface": {"expression": "log(x)"}, "point": [-1, 0]})
    assert "не скінченні" in response.json()["detail"][0]["msg"]


RACE = {"dataset": {"id": "moons", "params": {"n": 64}}, "architecture": {"hidden": [8, 8]},
        "optimizers": [{"id": "sgd"}, {"id": "adam", "hyperparameters": {"lr": 0.01}}],
        "steps": 40}


def test_the_network_check_is_the_engines_on_the_remembered_race(client):
    response = client.post(f"{API}/networks/gradient-check",
                           json={"race": RACE, "run": "Adam", "frame": 20, "samples": 6})
    assert response.status_code == 200
    document = strict(response.text)
    race = nn.network_race({"id": "moons", "n": 64}, nn.Architecture((8, 8)),
                           ["sgd", ("adam", {"lr": 0.01})], steps=40)
    check = check_network_gradient(race, "Adam", 20, samples=6)
    assert document["analytic"] == check.check.analytic.tolist()
    assert [p["index"] for p in document["parameters"]] == [p.index for p in check.parameters]
    assert document["run"] == "Adam" and document["frame"] == 20


@pytest.mark.parametrize("extra, loc", [({"frame": 41}, ["body", "frame"]),
                                        ({"samples": 0}, ["body", "samples"]),
                                        ({"run": "Lion"}, ["body", "run"])])
def test_the_network_check_refuses_with_the_field(client, extra, loc):
    response = client.post(f"{API}/networks/gradient-check", json={"race": RACE, **extra})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_the_cli_prints_the_sweep_with_each_floor_marked(capsys):
    code, out, _ = run(["gradient-check", "--surface", "rosenbrock", "--point", "-1.2,1"],
                       capsys)
    assert code == 0
    rows = [line for line in out.splitlines() if line.strip().startswith(("1.0e", "3.2e"))]
    assert len(rows) == 29
    assert [r.split()[0] for r in rows if r.rstrip().endswith("*")] == ["3.2e-06"]
    assert sum("*" in r for r in rows) == 2


def test_the_cli_json_is_the_apis(client, capsys):
    code, out, _ = run(["gradient-check", "--expression", "sin(x)*y**2", "--point", "1,2",
                        "--format", "json"], capsys)
    api = client.post(f"{API}/gradient-check",
                      json={"surface": {"expression": "sin(x)*y**2"}, "point": [1, 2]})
    assert code == 0 and strict(out) == strict(api.text)


@pytest.mark.parametrize("argv, flag", [
    (["--expression", "x**2"], "--point"),
    (["--expression", "log(x)", "--point", "-1,0"], "--point"),
    (["--surface", "nope"], "--surface"),
    (["--param", "q=1"], "--param q"),
])
def test_the_cli_names_the_flag_at_fault(argv, flag, capsys):
    code, _, err = run(["gradient-check", *argv], capsys)
    assert code == 2 and err.startswith(f"descentlab: error: {flag}"), err


def test_the_network_cli_checks_the_run_the_api_checks(client, capsys):
    code, out, _ = run(["network-gradient-check", "--dataset", "moons", "--param", "n=64",
                        "--hidden", "8,8", "--optimizer", "sgd", "--optimizer",
                        "adam:lr=0.01", "--steps", "40", "--run", "1", "--frame", "20",
                        "--samples", "6", "--format", "json", "-q"], capsys)
    api = client.post(f"{API}/networks/gradient-check",
                      json={"race": RACE, "run": 1, "frame": 20, "samples": 6})
    mine, theirs = strict(out), strict(api.text)
    assert code == 0
    assert mine["analytic"] == theirs["analytic"] and mine["parameters"] == theirs["parameters"]
    assert mine["centred_error"] == theirs["centred_error"]


def test_the_network_cli_table_names_each_weight(capsys):
    code, out, _ = run(["network-gradient-check", "--hidden", "8,8", "--steps", "20",
                        "--samples", "5", "-q"], capsys)
    assert code == 0
    rows = [line.split() for line in out.splitlines()[2:7]]
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # in the vector's order
    assert {r[0] for r in rows} == {"1", "2", "3"}  # every layer
    assert all(float(r[-1]) < 1e-4 for r in rows)


@pytest.mark.parametrize("argv, flag", [(["--frame", "99"], "--frame"),
                                        (["--samples", "0"], "--samples"),
                                        (["--run", "Lion"], "--run")])
def test_the_network_cli_names_the_flag_at_fault(argv, flag, capsys):
    code, _, err = run(["network-gradient-check", "--hidden", "4", "--steps", "5", "-q",
                        *argv], capsys)
    assert code == 2 and err.startswith(f"descentlab: error: {flag}"), err
