"""``descentlab map basins|hyperparameters``: a map written as NPZ, CSV, JSON, PNG or HTML.

    descentlab map basins --surface himmelblau --optimizer momentum:lr=0.01 \\
        --resolution 256 --steps 500 --output basins.npz
    descentlab map hyperparameters --surface ravine --param kappa=100 --optimizer momentum \\
        --start 2,1 --x lr:0.001:0.1:log --y momentum:0:0.99 --output ravine.csv

The map is the one ``POST /api/v1/maps/…`` computes (the same request model and limits),
computed tile by tile with a progress bar once it takes more than a second.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from descentlab.engine.optimizers.catalog import DEFAULT_LINEUP
from descentlab.server import cli
from descentlab.server.export import map_csv, map_npz

if TYPE_CHECKING:
    from descentlab.engine.maps import MapResult

FORMATS = ("npz", "csv", "json", "png", "html")
TILE_CELLS = 8192


def _axis(text: str) -> dict:
    """``lr:0.001:0.1:log`` → {"name": "lr", "lo": 0.001, "hi": 0.1, "scale": "log"};
    ``none`` → no axis."""
    if text == "none":
        return {"name": "none"}
    parts = text.split(":")
    if len(parts) not in (3, 4):
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME:LOW:HIGH[:log]")
    return {"name": parts[0], "lo": cli._number(parts[1]), "hi": cli._number(parts[2]),
            "scale": parts[3] if len(parts) == 4 else "linear"}


def add_map_command(commands: argparse._SubParsersAction) -> None:
    maps = commands.add_parser("map", help="where every start or setting leads: a map",
                               description="Compute a map locally and write NPZ, CSV, a PNG "
                                           "of its cells, a standalone HTML figure, or the "
                                           "JSON POST /api/v1/maps/… returns.")
    kinds = maps.add_subparsers(title="maps", metavar="KIND")
    for kind, text in (("basins", "from every start of a rectangle"),
                       ("hyperparameters", "with every pair of two hyperparameters")):
        sub = kinds.add_parser(kind, help=f"one optimizer {text}")
        cli.add_surface_arguments(sub, "himmelblau" if kind == "basins" else "ravine")
        sub.add_argument("--optimizer", type=cli._optimizer, metavar="ID[:H=V,…]",
                         default=cli._optimizer(DEFAULT_LINEUP[0] if kind == "basins"
                                                else DEFAULT_LINEUP[1]),
                         help="the optimizer, e.g. adam:lr=0.05")
        sub.add_argument("--resolution", type=int, default=128, help="cells per side")
        sub.add_argument("--steps", type=int, default=500, help="steps per cell")
        sub.add_argument("--noise", type=cli._number, default=0.0,
                         help="std of Gaussian noise added to each gradient component")
        sub.add_argument("--seed", type=int, default=0, help="seed of that noise")
        if kind == "basins":
            sub.add_argument("--region", type=cli._numbers(4, "XMIN,XMAX,YMIN,YMAX"),
                             metavar="XMIN,XMAX,YMIN,YMAX",
                             help="the rectangle of starts (default: the surface's view)")
        else:
            sub.add_argument("--start", type=cli._numbers(2, "X,Y"), metavar="X,Y",
                             help="the start (default: the surface's suggested start)")
            sub.add_argument("--x", type=_axis, default=_axis("lr:0.001:1:log"),
                             metavar="NAME:LOW:HIGH[:log]", help="default lr:0.001:1:log")
            sub.add_argument("--y", type=_axis, default=_axis("momentum:0:0.99"),
                             metavar="NAME:LOW:HIGH[:log]",
                             help="default momentum:0:0.99; 'none' for a one-row map")
        sub.add_argument("--scheduler", metavar="ADDRESS",
                         help="run the tiles on this Dask cluster, e.g. tcp://host:8786")
        sub.add_argument("--workers", type=int,
                         help="run the tiles on a local Dask cluster of this many processes")
        sub.add_argument("--format", choices=FORMATS,
                         help="default: from --output's extension, else json")
        sub.add_argument("-o", "--output", type=Path, help="file to write (default: standard "
                                                         "output)")
        sub.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
        sub.set_defaults(run=run_map, kind=kind)
    from descentlab.server.cli_search import add_search_commands  # it reads _axis from here

    add_search_commands(kinds)


def _request(args: argparse.Namespace):
    from descentlab.server.map_schemas import BasinMapRequest, HyperparameterMapRequest

    data = {"surface": cli.surface_spec(args), "optimizer": args.optimizer,
            "resolution": args.resolution, "steps": args.steps,
            "gradient": {"noise_std": args.noise, "seed": args.seed}}
    if args.kind == "basins":
        if args.region:
            data["region"] = args.region
        return BasinMapRequest.model_validate(data)
    data.update(x=args.x, y=None if args.y["name"] == "none" else args.y)
    if args.start:
        data["start"] = args.start
    return HyperparameterMapRequest.model_validate(data)


def _tiles(request, limit: int, args: argparse.Namespace) -> MapResult:
    """The map tile by tile — here, or on a Dask cluster — with a progress bar for anything
    over a second."""
    from descentlab.engine.maps import assemble, tile_rows
    from descentlab.server.map_translate import compute_rows

    height = request.resolution if getattr(request, "y", True) is not None else 1
    with tqdm(total=height * request.resolution, unit="cell", unit_scale=True, delay=1.0,
              disable=args.quiet, desc="descentlab: mapping", leave=False) as bar:
        if args.scheduler or args.workers:
            from descentlab.engine.cluster import map_on_cluster

            with _client(args) as client:
                return map_on_cluster(
                    client, compute_rows, {"request": request, "max_expression_length": limit,
                                           "resolution": request.resolution},
                    height, request.resolution,
                    progress=lambda rows: bar.update(rows * request.resolution))
        tiles = []
        for band in tile_rows(height, max(1, TILE_CELLS // request.resolution)):
            tiles.append(compute_rows(request, limit, request.resolution, band))
            bar.update((band[1] - band[0]) * request.resolution)
    return assemble(tiles)


@contextmanager
def _client(args: argparse.Namespace) -> Iterator:
    """A client of the cluster named by --scheduler, or of a local one of --workers."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise cli.UsageError("--scheduler and --workers need Dask: pip install "
                             "'descentlab[cluster]'") from None
    if args.scheduler:
        with Client(args.scheduler, timeout=10) as client:
            yield client
        return
    if args.workers < 1:
        raise cli.UsageError("--workers must be at least 1")
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def run_map(args: argparse.Namespace) -> None:
    from descentlab.server import map_figure
    from descentlab.server.jsonio import dumps
    from descentlab.server.limits import check_map
    from descentlab.server.map_translate import map_document
    from descentlab.server.settings import Settings

    suffix = args.output.suffix.lstrip(".").lower() if args.output else ""
    fmt = args.format or (suffix if suffix in FORMATS else "json")
    request = _request(args)
    settings = Settings()
    check_map(request, settings, root=())
    cli._warm(args, "SURFACE_STAGES")
    result = _tiles(request, settings.max_expression_length, args)
    document = map_document(result)
    counts = ", ".join(f"{n} {status}" for status, n in document["counts"].items() if n)
    cli._say(args, f"{counts}; writing {fmt}…")
    if fmt == "json":
        data = dumps(document)
    elif fmt == "csv":
        data = map_csv(result).encode()
    elif fmt == "png":
        data = map_figure.to_png(result, document)
    elif fmt == "html":
        data = map_figure.to_html(result, document).encode()
    else:
        data = map_npz(result, document)
    cli._write(args, data)
