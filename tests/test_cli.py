"""The ``descentlab`` command: races and network races to JSON, CSV and HTML, help, and
one-line errors."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """``descentlab argv`` in this process: (exit code, stdout, stderr)."""
    try:
        main(argv)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv", [["--help"], ["race", "--help"], ["serve", "--help"],
                                  ["network-race", "--help"], ["warmup", "--help"]])
def test_help_everywhere(argv, capsys):
    code, out, _ = run(argv, capsys)
    assert code == 0 and out.startswith("usage: descentlab")


def test_module_entry_points():
    for module in ("server.cli", "server"):
        done = subprocess.run([sys.executable, "-m", module, "race", "--help"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0 and "--optimizer" in done.stdout, done.stderr


def test_race_json_is_what_the_api_returns(tmp_path, capsys):
    out = tmp_path / "race.json"
    code, _, err = run(["race", "--surface", "rosenbrock", "--param", "b=50",
                        "--optimizer", "sgd:lr=0.001", "--optimizer", "adam:lr=0.05,beta1=0.8",
                        "--steps", "200", "--start", "-1.5,2", "--noise", "0.1", "--seed", "4",
                        "--state", "--output", str(out)], capsys)
    assert code == 0 and "racing 2 optimizers × 200 steps" in err
    body = {"surface": {"id": "rosenbrock", "params": {"b": 50}}, "start": [-1.5, 2],
            "steps": 200, "gradient": {"noise_std": 0.1, "seed": 4},
            "record": {"state": True},
            "optimizers": [{"id": "sgd", "label": "sgd lr=0.001",
                            "hyperparameters": {"lr": 0.001}},
                           {"id": "adam", "label": "adam lr=0.05,beta1=0.8",
                            "hyperparameters": {"lr": 0.05, "beta1": 0.8}}]}
    with TestClient(create_app()) as client:
        assert client.post("/api/v1/races", json=body).content == out.read_bytes()


def test_race_csv(tmp_path, capsys):
    out = tmp_path / "race.csv"
    code, _, _ = run(["race", "--expression", "x**2 + 10*y**2", "--start=-2,1", "--steps", "30",
                      "--schedule", "exponential:gamma=0.9", "-q", "--output", str(out)], capsys)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0][:5] == ["run", "label", "optimizer", "start_index", "step"]
    assert len(rows) == 1 + 3 * 31
    assert rows[1][5:7] == ["-2.0", "1.0"] and rows[1][9] == ""  # no rate before step 1


def test_race_json_to_stdout(capsys):
    code, out, err = run(["race", "--surface", "bowl", "--steps", "5", "-q"], capsys)
    assert code == 0 and err == ""
    assert [r["optimizer"] for r in json.loads(out)["runs"]] == ["sgd", "momentum", "adam"]


def test_race_html_is_standalone(tmp_path, capsys):
    out = tmp_path / "race.html"
    code, _, err = run(["race", "--surface", "himmelblau", "--optimizer", "sgd",
                        "--optimizer", "adam:lr=0.1", "--steps", "150", "--frames", "30",
                        "--output", str(out)], capsys)
    assert code == 0 and "wrote" in err
    html = out.read_text()
    assert "plotly.js v" in html  # inlined
    assert re.search(r"<script[^>]*\bsrc=", html) is None
    assert "Plotly.addFrames" in html and "data:image/png;base64," in html
    assert html.count('"name":"') >= 30


@pytest.mark.parametrize("argv,words", [
    (["race", "--optimizer", "adam:lr=50"],
     "optimizers.0.hyperparameters.lr: "),
    (["race", "--optimizer", "adamw"], "optimizers.0.id: "),
    (["race", "--surface", "himalaya"], "surface.id: "),
    (["race", "--expression", "x**2 +", "--start=1,1"], "surface.expression:"),
    (["race", "--steps", "0"], "steps:"),
    (["race", "--start", "1"], "'1' is not X,Y"),
    (["race", "--param", "b"], "'b' is not NAME=NUMBER"),
    (["race", "--optimizer", "sgd:lr=fast"], "'fast' is not a number"),
    (["race", "--frames", "0"], "--frames must be at least 1"),
    (["race", "--surface", "bowl", "--expression", "x"], "not allowed with argument"),
    (["race", "--colour"], "unrecognized arguments: --colour"),
    (["fly"], "invalid choice: 'fly'"),
    (["network-race", "--dataset", "moon"], "dataset.id: unknown dataset 'moon'"),
    (["network-race", "--param", "n=3"], "dataset.params.n: "),
    (["network-race", "--hidden", "16,64"], "architecture.hidden: "),
    (["network-race", "--hidden", "a,b"], "'a,b' is not a list of widths"),
    (["network-race", "--activation", "gelu"], "architecture.activation: "),
    (["network-race", "--optimizer", "newton"], "optimizers.0: "),
    (["network-race", "--batch-size", "0"], "batch_size: "),
    (["network-race", "--plane", "random", "--resolution", "500"], "landscape.resolution: "),
    (["network-race", "--format", "html"], "invalid choice: 'html'"),
    ([], "choose a command"),
])
def test_bad_arguments_cost_one_line_and_exit_2(argv, words, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("descentlab: error: "), err
    assert words in err and "Traceback" not in err


def test_unwritable_output_is_one_line(tmp_path, capsys):
    code, _, err = run(["race", "--steps", "3", "-q", "--output",
                        str(tmp_path / "missing" / "race.json")], capsys)
    assert code == 1 and err.count("\n") == 1 and err.startswith("descentlab: error: ")


NETWORK_ARGV = ["network-race", "--dataset", "xor", "--param", "n=64", "--param", "noise=0.1",
                "--hidden", "8,8", "--activation", "relu", "--batch-size", "16", "--seed", "2",
                "--init-seed", "5", "--steps", "80", "--optimizer", "sgd:lr=0.3",
                "--optimizer", "adam:lr=0.02", "--clip-norm", "2", "--noise", "0.01",
                "--schedule", "exponential:gamma=0.99", "--plane", "random",
                "--resolution", "7"]
NETWORK_BODY = {"dataset": {"id": "xor", "params": {"n": 64, "noise": 0.1}},
                "architecture": {"hidden": [8, 8], "activation": "relu"},
                "batch_size": 16, "seed": 2, "init_seed": 5, "steps": 80,
                "optimizers": [{"id": "sgd", "label": "sgd lr=0.3", "hyperparameters": {"lr": 0.3},
                                "schedule": {"kind": "exponential", "gamma": 0.99}},
                               {"id": "adam", "label": "adam lr=0.02",
                                "hyperparameters": {"lr": 0.02},
                                "schedule": {"kind": "exponential", "gamma": 0.99}}],
                "gradient": {"clip_norm": 2, "noise_std": 0.01},
                "landscape": {"plane": "random", "resolution": 7}}


def test_network_race_json_is_what_the_api_returns(tmp_path, capsys):
    out = tmp_path / "net.json"
    code, _, err = run([*NETWORK_ARGV, "--output", str(out)], capsys)
    assert code == 0 and "training 105 weights with 2 optimizers × 80 steps" in err
    with TestClient(create_app()) as client:
        assert client.post("/api/v1/networks/races", json=NETWORK_BODY).content == \
            out.read_bytes()


def test_network_race_csv_has_every_frame_of_every_run(tmp_path, capsys):
    out = tmp_path / "net.csv"
    code, _, _ = run([*NETWORK_ARGV, "-q", "--output", str(out)], capsys)
    assert code == 0
    document = json.loads(run([*NETWORK_ARGV, "-q"], capsys)[1])
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == ["run", "label", "optimizer", "step", "loss", "accuracy", "grad_norm",
                       "lr", "alpha", "beta"]
    assert len(rows) == 1 + 2 * 81
    adam = [row for row in rows[1:] if row[2] == "adam"]
    assert [float(row[4]) for row in adam] == document["runs"][1]["loss"]
    assert [float(row[5]) for row in adam] == document["runs"][1]["accuracy"]
    assert adam[0][7] == "" and float(adam[1][7]) == 0.02  # no rate before step 1
    assert [float(adam[-1][8]), float(adam[-1][9])] == document["runs"][1]["path"][-1]


def test_network_race_defaults_to_three_optimizers_at_their_suggested_rates(capsys):
    code, out, err = run(["network-race", "--steps", "3", "--hidden=", "-q"], capsys)
    assert code == 0 and err == ""
    document = json.loads(out)
    assert document["architecture"]["n_params"] == 3  # logistic regression
    assert [(r["optimizer"], r["hyperparameters"]["lr"]) for r in document["runs"]] == [
        ("sgd", 0.5), ("momentum", 0.05), ("adam", 0.01)]
