"""The ``descentlab`` command: races and network races to JSON, CSV and HTML, help, and
one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest
from fastapi.testclient import TestClient

import descentlab
from descentlab.server import cli, warmup
from descentlab.server.app import create_app
from descentlab.server.cli import main, write_all

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
    for module in ("descentlab", "descentlab.server.cli", "descentlab.server"):
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
                      "--schedule", "exponential:gamma=0.9", "-q", "-o", str(out)], capsys)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0][:5] == ["run", "label", "optimizer", "start_index", "step"]
    assert len(rows) == 1 + 3 * 31
    assert rows[1][5:7] == ["-2.0", "1.0"] and rows[1][9] == ""  # no rate before step 1


def test_a_race_nobody_chose_runs_the_default_lineup_at_the_surfaces_rates(capsys):
    """As the page does; at the catalogue's rates SGD and momentum left Rosenbrock at step 3."""
    from descentlab.engine.suggest import catalogue_rates

    code, out, err = run(["race", "--surface", "rosenbrock", "--steps", "50", "-q"], capsys)
    assert code == 0, err
    runs = json.loads(out)["runs"]
    rates = catalogue_rates("rosenbrock")
    assert [(r["optimizer"], r["hyperparameters"]["lr"]) for r in runs] == [
        (name, rates[name]) for name in ("sgd", "momentum", "adam")]
    assert all(r["status"] != "diverged" for r in runs)


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
     "--optimizer adam:lr=50: "),
    (["race", "--optimizer", "lbfgs"], "--optimizer lbfgs: "),
    (["race", "--surface", "himalaya"], "--surface: "),
    (["race", "--expression", "x**2 +", "--start=1,1"], "--expression:"),
    (["race", "--steps", "0"], "--steps:"),
    (["race", "--steps", "10000000"], "--steps: steps is 10000000; the limit is 20000 "
                                       "(DESCENTLAB_MAX_STEPS)"),
    (["race", "--expression", "x**2"], "--start: an expression has no suggested start"),
    (["race", "--surface", "rosenbrock", "--param", "b=-3"], "--param b: "),
    (["race", "--optimizer", "sgd", "--optimizer", "adam:lr=0", "--noise", "-1"], "--noise: "),
    (["race", "--schedule", "sawtooth"], "--schedule: "),
    (["race", "--start", "1"], "'1' is not X,Y"),
    (["race", "--param", "b"], "'b' is not NAME=NUMBER"),
    (["race", "--optimizer", "sgd:lr=fast"], "'fast' is not a number"),
    (["race", "--frames", "0"], "--frames must be at least 1"),
    (["race", "--surface", "bowl", "--expression", "x"], "not allowed with argument"),
    (["race", "--colour"], "unrecognized arguments: --colour"),
    (["fly"], "invalid choice: 'fly'"),
    (["network-race", "--dataset", "moon"], "--dataset: unknown dataset 'moon'"),
    (["network-race", "--param", "n=3"], "--param n: "),
    (["network-race", "--hidden", "16,200"], "--hidden: "),
    (["network-race", "--hidden", "a,b"], "'a,b' is not a list of widths"),
    (["network-race", "--activation", "gelu"], "--activation: "),
    (["network-race", "--optimizer", "newton"], "--optimizer newton: "),
    (["network-race", "--batch-size", "0"], "--batch-size: "),
    (["network-race", "--param", "n=16", "--hidden", "2", "--resolution", "500"],
     "--resolution: "),
    (["network-race", "--steps", "3000", "--hidden", "128,128"],
     "limit is 10000000000 (DESCENTLAB_NETWORK_COMPUTE_BUDGET)"),
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
                       "lr", "alpha", "beta", "val_loss", "val_accuracy"]
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


class Trickle(io.RawIOBase):
    """A raw stream that takes at most ``size`` bytes per call, as a pipe or a 2 GiB write
    to a raw file does."""

    def __init__(self, size: int):
        self.size, self.received = size, bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        taken = bytes(data[:self.size])
        self.received += taken
        return len(taken)


def test_the_writer_writes_everything_a_few_bytes_at_a_time():
    data = bytes(range(256)) * 40
    sink = Trickle(7)
    write_all(sink, data)
    assert bytes(sink.received) == data


def test_the_writer_fails_loudly_when_the_output_takes_nothing():
    with pytest.raises(OSError, match="took no bytes"):
        write_all(Trickle(0), b"{}")


def test_standard_output_that_takes_a_few_bytes_per_call_gets_the_whole_race(monkeypatch,
                                                                            capsys):
    sink = Trickle(1000)
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(sink))
    code, _, _ = run(["race", "--steps", "300", "-q"], capsys)
    assert code == 0 and len(sink.received) > 10_000
    assert json.loads(bytes(sink.received))["steps"] == 300


def test_a_failed_write_leaves_the_old_output_in_place(tmp_path, monkeypatch, capsys):
    out = tmp_path / "race.json"
    out.write_text("the previous race")
    monkeypatch.setattr(cli, "write_all", lambda stream, data: stream.write(b"{") and
                        (_ for _ in ()).throw(OSError(28, "No space left on device")))
    code, _, err = run(["race", "--steps", "3", "-q", "--output", str(out)], capsys)
    assert code == 1 and "No space left on device" in err and str(out) in err
    assert out.read_text() == "the previous race"
    assert [p.name for p in tmp_path.iterdir()] == ["race.json"]


def test_the_limits_are_the_servers_and_raised_the_same_way(monkeypatch, capsys):
    code, _, err = run(["race", "--steps", "30000", "-q"], capsys)
    assert code == 2 and "DESCENTLAB_MAX_STEPS" in err
    monkeypatch.setenv("DESCENTLAB_MAX_STEPS", "40000")
    monkeypatch.setenv("DESCENTLAB_COMPUTE_BUDGET", "1000000")
    code, out, err = run(["race", "--steps", "30000", "--optimizer", "sgd", "-q"], capsys)
    assert code == 0 and json.loads(out)["steps"] == 30000, err


def test_version(capsys):
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out == f"descentlab {descentlab.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", descentlab.__version__)


def test_timings_leave_compilation_out(capsys):
    """The kernels are warm (the engine was used above), so the race line says nothing of
    compiling, and the warm-up that precedes it is silent."""
    code, _, err = run(["race", "--steps", "50"], capsys)
    assert code == 0 and "compil" not in err and "raced in" in err


def test_a_compiling_stage_is_announced_once_then_counted():
    @numba.njit(cache=False)
    def fresh(x):
        return x + 1

    said: list[str] = []
    stages = (warmup.Stage("something new", lambda: fresh(1)),
              warmup.Stage("nothing new", lambda: fresh(2)),
              warmup.Stage("new again", lambda: fresh(1.5)))
    warmth = warmup.run_stages(stages, said.append)
    assert warmth.compiled
    assert said[0].startswith("first start: compiling the engine's kernels (about "
                              f"{warmup.EXPECTED_COLD_SECONDS} s, once;")
    assert os.environ["NUMBA_CACHE_DIR"] in said[0]
    assert said[1:4] == ["compiling kernel 1 of 3: something new…",
                         "compiling kernel 2 of 3: nothing new…",
                         "compiling kernel 3 of 3: new again…"]
    assert said[4].startswith("compiled in ") and len(said) == 5
    again: list[str] = []
    assert not warmup.run_stages(stages, again.append).compiled and again == []


def test_a_cold_start_hands_a_group_to_a_second_process_and_still_runs_it(monkeypatch):
    """The second process's group is announced as one line and left out of the count; here
    the second process fails at once (its group is unknown there), so this process waits for
    it and then compiles the group's stage itself."""
    @numba.njit(cache=False)
    def first(x):
        return x + 1

    @numba.njit(cache=False)
    def second(x):
        return x - 1

    ran: list[str] = []
    stages = (warmup.Stage("one", lambda: ran.append(f"one {first(1)}")),
              warmup.Stage("two", lambda: ran.append(f"two {second(1)}")))
    monkeypatch.setattr(warmup, "GROUPS", {"nowhere": stages[1:]})
    monkeypatch.setattr(warmup, "ALONGSIDE", "nowhere")
    monkeypatch.setattr(warmup, "_cores", lambda: 2)
    said: list[str] = []
    assert warmup.run_stages(stages, said.append).compiled
    assert ran == ["one 2", "two 0"]
    assert said[1:3] == ["compiling kernels 2–2 of 2 in a second process meanwhile: two…",
                         "compiling kernel 1 of 2: one…"]
    assert said[3].startswith("compiled in ") and len(said) == 4


def test_one_core_or_one_group_needs_no_second_process(monkeypatch):
    monkeypatch.setattr(warmup, "_cores", lambda: 1)
    assert warmup._second_process(warmup.ALL_STAGES) is None
    monkeypatch.setattr(warmup, "_cores", lambda: 2)
    assert warmup._second_process(warmup.ALL_STAGES) is not None
    assert warmup._second_process(warmup.NETWORK_STAGES) is None
    assert warmup._second_process(warmup.SURFACE_STAGES) is None


def test_map_npz_holds_the_engines_map(tmp_path, capsys):
    out = tmp_path / "ravine.npz"
    code, _, err = run(["map", "hyperparameters", "--param", "kappa=100", "--start", "2,1",
                        "--x", "lr:0.002:0.06:log", "--y", "momentum:0.3:0.95",
                        "--resolution", "20", "--steps", "300", "--output", str(out)], capsys)
    assert code == 0, err
    saved = np.load(out)
    m = descentlab.hyperparameter_map("ravine", "momentum", (2, 1), params={"kappa": 100},
                                      x=("lr", 0.002, 0.06, "log"), y=("momentum", 0.3, 0.95),
                                      resolution=20, steps=300)
    for name in ("x", "y", "status", "basin", "step", "loss", "final"):
        assert np.array_equal(saved[name], getattr(m, name)), name
    meta = json.loads(str(saved["meta"]))
    assert meta["theory"]["optimum"] == pytest.approx([(2 / 11) ** 2, (9 / 11) ** 2])


def test_map_json_is_what_the_api_returns_and_csv_has_a_line_per_cell(tmp_path, capsys):
    code, out, _ = run(["map", "basins", "--surface", "himmelblau", "--optimizer",
                        "adam:lr=0.05", "--region=-5,5,-5,5", "--resolution", "12",
                        "--steps", "100", "-q"], capsys)
    assert code == 0
    body = {"surface": {"id": "himmelblau"}, "optimizer": {"id": "adam", "label": "adam lr=0.05",
                                                            "hyperparameters": {"lr": 0.05}},
            "region": [-5, 5, -5, 5], "resolution": 12, "steps": 100}
    with TestClient(create_app()) as client:
        assert json.loads(out) == client.post("/api/v1/maps/basins", json=body).json()
    code, out, _ = run(["map", "basins", "--resolution", "12", "--steps", "100",
                        "--format", "csv", "-q"], capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1 + 12 * 12
    assert lines[0] == "x,y,status,point,step,loss,final_x,final_y"


def _png_pixels(data: bytes) -> np.ndarray:
    """Decode the CLI's own PNGs (8-bit RGB, filter 0 on every row)."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    at, idat = 8, b""
    while at < len(data):
        (length,), tag = struct.unpack(">I", data[at:at + 4]), data[at + 4:at + 8]
        if tag == b"IDAT":
            idat += data[at + 8:at + 8 + length]
        at += 12 + length
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, 1 + 3 * width)
    assert not rows[:, 0].any()
    return rows[:, 1:].reshape(height, width, 3)


def test_map_png_colours_each_basin_as_its_point_and_html_has_legend_and_theory(tmp_path,
                                                                                 capsys):
    png = tmp_path / "basins.png"
    code, _, err = run(["map", "basins", "--surface", "himmelblau", "--optimizer",
                        "sgd:lr=0.01", "--resolution", "16", "--steps", "300",
                        "-o", str(png)], capsys)
    assert code == 0, err
    pixels = _png_pixels(png.read_bytes())
    assert pixels.shape == (512, 512, 3)  # 16 cells a side, 32 pixels each
    m = descentlab.basin_map("himmelblau", ("sgd", {"lr": 0.01}), resolution=16, steps=300)
    top_left = pixels[0:32, 0:32]  # the cell at the largest y, the smallest x
    assert (top_left == top_left[0, 0]).all()
    document = json.loads(run(["map", "basins", "--surface", "himmelblau", "--optimizer",
                               "sgd:lr=0.01", "--resolution", "16", "--steps", "300", "-q"],
                              capsys)[1])
    color = document["points"][m.basin[-1, 0]]["color"]
    fade = 0.72 * np.log1p(m.step[-1, 0]) / np.log1p(300)  # the slower, the paler
    expected = [round(int(color[i:i + 2], 16) * (1 - fade) + 255 * fade) for i in (1, 3, 5)]
    assert m.status[-1, 0] == 0 and top_left[0, 0].tolist() == expected
    html = tmp_path / "ravine.html"
    code, _, err = run(["map", "hyperparameters", "--param", "kappa=100", "--start", "2,1",
                        "--x", "lr:0.002:0.06:log", "--y", "momentum:0.3:0.95",
                        "--resolution", "10", "--steps", "200", "--output", str(html)], capsys)
    text = html.read_text()
    assert code == 0, err
    assert "stable below this learning rate (theory)" in text and "fastest in theory" in text
    assert "the optimizer's own setting" in text and "cdn" not in text.lower().split(
        "<script")[0]
    # a learning rate against momentum is no picture in equal units: the cells fill the plot
    assert '"scaleanchor":false' in text.replace(" ", "")


@pytest.mark.parametrize("argv,words", [
    (["--x", "gamma:0:1"], "--x: Momentum has no hyperparameter 'gamma'"),
    (["--x", "lr:0:1:log"], "--x: a log axis starts above 0"),
    (["--x", "lr"], "'lr' is not NAME:LOW:HIGH[:log]"),
    (["--resolution", "100000"], "--resolution: resolution is 100000; the limit is 512"),
    (["--optimizer", "momentum:lr=-1"], "--optimizer: "),
])
def test_map_mistakes_name_their_flag(argv, words, capsys):
    code, _, err = run(["map", "hyperparameters", *argv], capsys)
    assert code == 2 and err.count("\n") == 1 and words in err, err


def test_map_search_json_is_what_the_api_returns_and_csv_has_a_line_per_trial(capsys):
    argv = ["map", "search", "--surface", "ravine", "--param", "kappa=100", "--start", "2,1",
            "--space", "lr:0.001:0.1:log", "--space", "momentum:0:0.99", "--budget", "9",
            "--repeats", "4", "--steps", "200", "--seed", "3"]
    code, out, err = run([*argv, "--method", "random"], capsys)
    assert code == 0 and "random search, 9 trials × 4 repeats" in err
    body = {"surface": {"id": "ravine", "params": {"kappa": 100}}, "start": [2, 1],
            "optimizer": {"id": "momentum", "label": "momentum"},
            "space": [{"name": "lr", "lo": 0.001, "hi": 0.1, "scale": "log"},
                      {"name": "momentum", "lo": 0, "hi": 0.99}],
            "method": "random", "budget": 9, "repeats": 4, "steps": 200, "seed": 3}
    with TestClient(create_app()) as client:
        assert json.loads(out) == client.post("/api/v1/maps/search", json=body).json()
    code, out, _ = run([*argv, "--method", "grid", "--format", "csv", "-q"], capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "repeat,trial,lr,momentum,final_loss"
    lrs = sorted({float(line.split(",")[2]) for line in lines[1:]})
    assert len(lines) == 1 + 4 * 9  # a 3 × 3 grid at the cell centres, each repeat alike
    assert lrs == pytest.approx(np.geomspace(0.001, 0.1, 7)[1::2], rel=1e-12)


def test_map_compare_judges_every_optimizer_on_every_held_out_start_and_seed(capsys):
    code, out, err = run(["map", "compare", "--surface", "himmelblau", "--optimizer", "sgd",
                          "--optimizer", "adam", "--budget", "6", "--tuning-starts", "3",
                          "--test-starts", "5", "--seeds", "0,1", "--noise", "0.1",
                          "--format", "csv"], capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1 + 2 * 2 * 5
    assert {line.split(",")[0] for line in lines[1:]} == {"sgd", "adam"}
    assert err.count("tuned to lr=") == 2
    code, _, err = run(["map", "compare", "--test-starts", "0"], capsys)
    assert code == 2 and "--test-starts must be at least 1" in err


def test_race_with_lookahead_and_a_momentum_schedule(capsys):
    code, out, err = run(["race", "--surface", "bowl", "--steps", "10", "-q",
                          "--optimizer", "momentum", "--optimizer", "nesterov",
                          "--lookahead", "5,0.5", "--momentum-schedule", "4"], capsys)
    assert code == 0 and err == ""
    runs = json.loads(out)["runs"]
    assert all(r["lookahead"] == {"k": 5, "alpha": 0.5} for r in runs)
    assert all(r["momentum_schedule"] == {"tau": 4} for r in runs)


@pytest.mark.parametrize(("argv", "flag"), [
    (["--lookahead", "0,0.5"], "--lookahead"),
    (["--momentum-schedule", "10"], "--momentum-schedule"),
])
def test_a_bad_run_option_names_its_flag(argv, flag, capsys):
    code, _, err = run(["race", "--surface", "bowl", "--steps", "5", "--optimizer", "adam",
                        *argv], capsys)
    assert code == 2 and f"error: {flag}" in err, err
