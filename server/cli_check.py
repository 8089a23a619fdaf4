"""``descentlab gradient-check``: the gradient at a point against finite differences.

    descentlab gradient-check --surface rosenbrock --point -1.5,2
    descentlab gradient-check --expression 'sin(x) * y**2' --point 1,2 --format json

Prints one row per step h with the relative error of the forward and the centred
difference (the floor of each marked), or writes what ``POST /api/v1/gradient-check``
returns.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from descentlab.server import cli

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


def table(document: dict) -> str:
    """The sweep as aligned text: h, both errors, and the floor of each marked with *."""
    best = document["best"]

    def fmt(value: float | None) -> str:
        return "—" if value is None else f"{value:.2e}"

    lines = [f"gradient at ({', '.join(f'{v:g}' for v in document['point'])}): "
             f"({', '.join(f'{v:.10g}' for v in document['analytic'])}), "
             f"loss {document['value']:.10g}",
             f"{'h':>9}  {'forward':>10}   {'centred':>10}"]
    for k, h in enumerate(document["steps"]):
        marks = ["*" if best[m] == k else " " for m in ("forward", "centred")]
        lines.append(f"{h:9.1e}  {fmt(document['forward_error'][k]):>10}{marks[0]}  "
                     f"{fmt(document['centred_error'][k]):>10}{marks[1]}")
    lines.append("relative error ‖a − n‖ / max(‖a‖, ‖n‖); * the smallest of each column")
    if document["small_gradient"]:
        lines.append("the gradient is almost zero here: these errors measure rounding only")
    return "\n".join(lines) + "\n"


def run_check(args: argparse.Namespace) -> None:
    from descentlab.server import translate
    from descentlab.server.jsonio import dumps
    from descentlab.server.limits import check_expression
    from descentlab.server.settings import Settings

    request = _request(args)
    settings = Settings()
    if request.surface.expression is not None:
        check_expression(("surface", "expression"), request.surface.expression, settings)
    document = translate.gradient_check_document(request, settings.max_expression_length)
    data = dumps(document) if args.format == "json" else table(document).encode()
    cli._write(args, data)
