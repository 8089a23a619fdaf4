"""``descentlab gradient-check`` and ``network-gradient-check``: a gradient against finite
differences — a surface's at a point, or backprop's for one run of a network race.

    descentlab gradient-check --surface rosenbrock --point -1.5,2
    descentlab gradient-check --expression 'sin(x) * y**2' --point 1,2 --format json
    descentlab network-gradient-check --hidden 32,32 --activation relu --steps 200 \\
        --run 0 --frame 100 --samples 12

Each prints one row per step h with the relative error of the forward and the centred
difference (the floor of each marked), a network's also each checked weight; or writes
what ``POST /api/v1/gradient-check`` (``/networks/gradient-check``) returns.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from descentlab.server import cli
from descentlab.server.settings import Settings

FORMATS = ("table", "json")


def add_check_command(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser(
        "gradient-check", help="check a surface's gradient against finite differences",
        description="The gradient at a point against forward and centred differences, for "
                    "h from 1 down to 1e-14: what POST /api/v1/gradient-check returns.")
    cli.add_surface_arguments(check, "rosenbrock")
    check.add_argument("--point", type=cli._numbers(2, "X,Y"), metavar="X,Y",
                       help="where to check (default: the surface's suggested start)")
    check.add_argument("--format", choices=FORMATS, default="table",
                       help="a table to read (default) or the API's JSON")
    check.add_argument("-o", "--output", type=Path,
                       help="file to write (default: standard output)")
    check.set_defaults(run=run_check)

    net = commands.add_parser(
        "network-gradient-check", help="check backprop against finite differences",
        description="Train a network race (the flags of network-race), then check one run's "
                    "backpropagation at one frame against forward and centred differences "
                    "on sampled weights: what POST /api/v1/networks/gradient-check returns.")
    cli.add_network_race_arguments(net)
    net.add_argument("--run", dest="checked_run", default="0",
                     help="the run checked: its index or its label (default 0, the first)")
    net.add_argument("--frame", type=int, default=-1,
                     help="the frame checked, 0 … steps (default -1: the last)")
    net.add_argument("--samples", type=int, default=12,
                     help="weights checked: one in each layer first (default 12)")
    net.add_argument("--sample-seed", type=int, default=0, help="seed of that draw")
    net.add_argument("--format", choices=FORMATS, default="table",
                     help="a table to read (default) or the API's JSON")
    net.add_argument("-o", "--output", type=Path,
                     help="file to write (default: standard output)")
    net.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    net.set_defaults(run=run_network_check, plane="pca", resolution=41)


def _request(args: argparse.Namespace):
    from descentlab import engine
    from descentlab.server.schemas import GradientCheckRequest

    surface = cli.surface_spec(args)
    point = args.point
    if point is None:
        if args.expression is not None:
            raise cli.UsageError("--point: a formula has no suggested start; give X,Y")
        try:
            point = list(engine.get_surface(args.surface).starts[0])
        except engine.EngineError as err:
            raise err.at("surface") from None
    return GradientCheckRequest.model_validate({"surface": surface, "point": point})


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2e}"


def table(document: dict) -> str:
    """A surface's check as text: the gradient, then the sweep."""
    return (f"gradient at ({', '.join(f'{v:g}' for v in document['point'])}): "
            f"({', '.join(f'{v:.10g}' for v in document['analytic'])}), "
            f"loss {document['value']:.10g}\n" + sweep(document))


def network_table(document: dict) -> str:
    """A network's check as text: each checked weight at the best centred h, then the sweep."""
    k = document["best"]["centred"]
    lines = [f"{document['run']} at step {document['frame']}: backprop against finite "
             f"differences, loss {document['value']:.10g}",
             f"{'layer':>5} {'kind':>6} {'unit':>5} {'input':>5}  {'backprop':>12}  "
             f"{'centred':>12}  {'error':>8}"]
    for c, p in enumerate(document["parameters"]):
        column = "" if p["column"] is None else p["column"]
        centred = document["centred"][k][c] if k >= 0 else None
        lines.append(f"{p['layer']:>5} {p['kind']:>6} {p['row']:>5} {column:>5}  "
                     f"{document['analytic'][c]:>12.5e}  "
                     f"{'—' if centred is None else f'{centred:.5e}':>12}  "
                     f"{_fmt(document['coordinate_errors'][c]):>8}")
    if k >= 0:
        lines.append(f"(centred at h = {document['steps'][k]:.1e}; each error against the "
                     "larger of the two, or the checked derivatives' typical size)")
    return "\n".join(lines) + "\n" + sweep(document)


def sweep(document: dict) -> str:
    """The sweep as aligned text: h, both errors, and the floor of each marked with *."""
    best = document["best"]
    lines = [f"{'h':>9}  {'forward':>10}   {'centred':>10}"]
    for k, h in enumerate(document["steps"]):
        marks = ["*" if best[m] == k else " " for m in ("forward", "centred")]
        lines.append(f"{h:9.1e}  {_fmt(document['forward_error'][k]):>10}{marks[0]}  "
                     f"{_fmt(document['centred_error'][k]):>10}{marks[1]}")
    lines.append("relative error ‖a − n‖ / max(‖a‖, ‖n‖); * the smallest of each column")
    if document["small_gradient"]:
        lines.append("the gradient is almost zero here: these errors measure rounding only")
    return "\n".join(lines) + "\n"


def run_check(args: argparse.Namespace) -> None:
    from descentlab.server import translate
    from descentlab.server.jsonio import dumps
    from descentlab.server.limits import check_surface

    request = _request(args)
    settings = Settings()
    check_surface(request.surface, settings, root=())
    document = translate.gradient_check_document(request, settings.max_expression_length)
    data = dumps(document) if args.format == "json" else table(document).encode()
    cli._write(args, data)


def run_network_check(args: argparse.Namespace) -> None:
    from descentlab.server import network_translate as nt
    from descentlab.server.jsonio import dumps
    from descentlab.server.limits import check_network_race
    from descentlab.server.network_schemas import NetworkGradientCheckRequest

    race = cli._network_request(args)
    check_network_race(race, Settings(), root=())
    label = args.checked_run
    run: int | str = int(label) if label.lstrip("-").isdigit() else label
    request = NetworkGradientCheckRequest.model_validate(
        {"race": race.model_dump(), "run": run, "frame": args.frame, "samples": args.samples,
         "seed": args.sample_seed})
    cli._warm(args, "NETWORK_STAGES")
    cli._say(args, f"training {len(race.optimizers)} run(s) × {race.steps} steps…")
    result = nt.race_result(race, nt.new_memo(0, 0))
    cli._say(args, "checking…")
    document = nt.check_document(result, request)
    cli._write(args, dumps(document) if args.format == "json"
               else network_table(document).encode())
