"""``descentlab map search|compare``: tuning studies from the command line, as JSON or CSV.

    descentlab map search --surface ravine --param kappa=100 --optimizer momentum \\
        --space lr:0.001:0.1:log --space momentum:0:0.99 --method grid --budget 16 \\
        --output grid.csv
    descentlab map compare --surface himmelblau --optimizer sgd --optimizer adam \\
        --budget 20 --tuning-starts 8 --test-starts 200 --seeds 0,1,2 --output fair.csv

The same request models, limits and documents as ``POST /api/v1/maps/search|compare``;
tuning and test starts are drawn uniformly over the surface's view (from ``--seed``), so a
study is repeatable from its command line alone. A one-line summary goes to stderr.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

import numpy as np

from descentlab.server import cli
from descentlab.server.cli_maps import _axis

FORMATS = ("json", "csv")


def _seeds(text: str) -> list[int]:
    try:
        return [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of "
                                         "whole numbers") from None


def _common(sub: argparse.ArgumentParser) -> None:
    cli.add_surface_arguments(sub, "himmelblau")
    sub.add_argument("--budget", type=int, default=20, help="trials per search")
    sub.add_argument("--steps", type=int, default=300, help="steps per trial")
    sub.add_argument("--noise", type=cli._number, default=0.0,
                     help="std of Gaussian noise added to each gradient component")
    sub.add_argument("--seed", type=int, default=0,
                     help="seed of the random trials (and of compare's starts)")
    sub.add_argument("--format", choices=FORMATS, help="default: from --output's extension, "
                                                       "else json")
    sub.add_argument("-o", "--output", type=Path, help="file to write (default: standard "
                                                     "output)")
    sub.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")


def add_search_commands(kinds: argparse._SubParsersAction) -> None:
    """``map search`` and ``map compare`` beside the maps."""
    search = kinds.add_parser("search", help="search one optimizer's settings many times: "
                                             "grid, random or coarse to fine")
    _common(search)
    search.add_argument("--optimizer", type=cli._optimizer, metavar="ID[:H=V,…]",
                        default=cli._optimizer("momentum"), help="e.g. momentum:lr=0.01")
    search.add_argument("--start", type=cli._numbers(2, "X,Y"), metavar="X,Y",
                        help="the start (default: the surface's suggested start)")
    search.add_argument("--space", type=_axis, action="append", metavar="NAME:LOW:HIGH[:log]",
                        help="a hyperparameter searched (repeatable; default lr:0.0001:1:log)")
    search.add_argument("--method", choices=("grid", "random", "coarse_to_fine"),
                        default="random")
    search.add_argument("--repeats", type=int, default=100,
                        help="independent searches, for the distribution of the best")
    search.set_defaults(run=run_search, kind="search")

    compare = kinds.add_parser("compare", help="tune several optimizers with one budget, "
                                               "then judge them on held-out starts")
    _common(compare)
    compare.add_argument("--optimizer", type=cli._optimizer, action="append",
                         metavar="ID[:H=V,…]", help="an optimizer (repeatable; default sgd, "
                                                    "momentum and adam)")
    compare.add_argument("--space", type=_axis, action="append", metavar="NAME:LOW:HIGH[:log]",
                         help="what every optimizer tunes (repeatable; default "
                              "lr:0.0001:1:log)")
    compare.add_argument("--tuning-starts", type=int, default=8,
                         help="random starts the tuning scores on")
    compare.add_argument("--test-starts", type=int, default=64,
                         help="random held-out starts the tuned settings are judged on")
    compare.add_argument("--seeds", type=_seeds, default=[0], metavar="S,…",
                         help="noise seeds of the judging runs (with --noise)")
    compare.set_defaults(run=run_compare, kind="compare")


def _random_starts(args: argparse.Namespace, surface: dict, limit: int) -> tuple[list, list]:
    """Tuning and held-out starts, uniform over the surface's view, from ``--seed``."""
    from descentlab.server.map_schemas import SurfaceSpec
    from descentlab.server.translate import surface_of

    for flag, n in (("--tuning-starts", args.tuning_starts), ("--test-starts", args.test_starts)):
        if n < 1:
            raise cli.UsageError(f"{flag} must be at least 1")
    x0, x1, y0, y1 = surface_of(SurfaceSpec.model_validate(surface), limit).view
    rng = np.random.default_rng(args.seed)

    def draw(n: int) -> list:
        return rng.uniform((x0, y0), (x1, y1), (n, 2)).tolist()

    return draw(args.tuning_starts), draw(args.test_starts)


def _finish(args: argparse.Namespace, request, document_of, to_csv, summary) -> None:
    from descentlab.server.jsonio import dumps
    from descentlab.server.limits import check_search
    from descentlab.server.settings import Settings

    settings = Settings()
    check_search(request, settings, root=())
    suffix = args.output.suffix.lstrip(".").lower() if args.output else ""
    fmt = args.format or (suffix if suffix in FORMATS else "json")
    cli._warm(args, "SURFACE_STAGES")
    document = document_of(request, settings.max_expression_length)
    for line in summary(document):
        cli._say(args, line)
    cli._write(args, dumps(document) if fmt == "json" else to_csv(document).encode())


def run_search(args: argparse.Namespace) -> None:
    from descentlab.server.map_schemas import SearchRequest
    from descentlab.server.map_translate import search_document

    data = {"surface": cli.surface_spec(args), "optimizer": args.optimizer,
            "space": args.space or [_axis("lr:0.0001:1:log")], "method": args.method,
            "budget": args.budget, "repeats": args.repeats, "steps": args.steps,
            "seed": args.seed, "noise_std": args.noise}
    if args.start:
        data["start"] = args.start
    _finish(args, SearchRequest.model_validate(data), search_document, search_csv,
            search_summary)


def run_compare(args: argparse.Namespace) -> None:
    from descentlab.server.map_schemas import CompareRequest
    from descentlab.server.map_translate import compare_document
    from descentlab.server.settings import Settings

    surface = cli.surface_spec(args)
    tuning, test = _random_starts(args, surface, Settings().max_expression_length)
    optimizers = args.optimizer or [cli._optimizer(name) for name in cli.DEFAULT_OPTIMIZERS]
    data = {"surface": surface, "optimizers": optimizers, "budget": args.budget,
            "tuning_starts": tuning, "test_starts": test, "seeds": args.seeds,
            "noise_std": args.noise, "steps": args.steps, "seed": args.seed}
    if args.space:
        data["space"] = {spec["id"]: args.space for spec in optimizers}
    _finish(args, CompareRequest.model_validate(data), compare_document, compare_csv,
            compare_summary)


def _loss(value) -> str:
    return "" if value is None else repr(float(value))


def search_csv(document: dict) -> str:
    """One line per trial: its repeat, its setting and its final loss (empty: diverged)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["repeat", "trial", *(a["name"] for a in document["axes"]), "final_loss"])
    for r, (trials, scores) in enumerate(zip(document["trials"], document["scores"],
                                             strict=True)):
        for t, (setting, score) in enumerate(zip(trials, scores, strict=True)):
            writer.writerow([r, t, *(repr(v) for v in setting), _loss(score)])
    return out.getvalue()


def search_summary(document: dict) -> list[str]:
    best = np.array([np.nan if s is None else s for s in document["best_score"]], dtype=float)
    found = best[np.isfinite(best)]
    if not found.size:
        return [f"{document['method']} search: every trial diverged"]
    return [f"{document['method']} search, {len(document['trials'][0])} trials × "
            f"{len(best)} repeats: the best final loss has median {np.median(found):.3g} "
            f"(the luckiest {found.min():.3g}, the unluckiest {found.max():.3g})"]


def compare_csv(document: dict) -> str:
    """One line per judging run: optimizer, tuned setting, seed, start index, outcome."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["optimizer", "tuned", "seed_index", "test_start", "final_loss",
                     "steps_to_converge"])
    for run in document["runs"]:
        tuned = " ".join(f"{k}={v:.6g}" for k, v in run["tuned"].items())
        for s, (losses, steps) in enumerate(zip(run["final_loss"], run["steps"], strict=True)):
            for p, (loss, step) in enumerate(zip(losses, steps, strict=True)):
                writer.writerow([run["optimizer"], tuned, s, p, _loss(loss),
                                 "" if step < 0 else step])
    return out.getvalue()


def compare_summary(document: dict) -> list[str]:
    return [f"{run['optimizer']} tuned to "
            + ", ".join(f"{k}={v:.3g}" for k, v in run["tuned"].items())
            + f": {100 * run['converged_fraction']:.0f} % of held-out runs converged, "
            f"median final loss {_loss_text(run['median_final_loss'])}"
            for run in document["runs"]]


def _loss_text(value) -> str:
    return "— (diverged)" if value is None else f"{float(value):.3g}"
