"""The ``descentlab`` command: serve the lab, race from a terminal, or warm the engine.

    descentlab serve --port 8000
    descentlab race --surface rosenbrock --optimizer sgd:lr=0.001 --optimizer adam:lr=0.05 \\
        --steps 1000 --start=-1.5,2 --format html --output race.html
    descentlab network-race --dataset spirals --hidden 32,32 --activation relu \\
        --optimizer momentum:lr=0.05 --optimizer adam:lr=0.01 --batch-size 32 --format csv
    descentlab warmup

``race`` and ``network-race`` build the same request the API takes and write the same JSON
the API returns (or CSV, or for ``race`` a standalone HTML animation for slides). They obey
the server's limits, raised by the same ``DESCENTLAB_*`` variables: a typo in ``--steps``
should not fill the disk. Bad arguments end with one line on stderr naming the flag, and
exit code 2; output that cannot be written whole ends with exit code 1.

The first run on a machine compiles the engine (a minute or two, once): every command says
so before it starts, and the timings it prints never include it.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, NoReturn

from pydantic import ValidationError

from descentlab import __version__, engine
from descentlab.engine.optimizers.catalog import DEFAULT_LINEUP as DEFAULT_OPTIMIZERS
from descentlab.server.errors import ApiError
from descentlab.server.settings import Settings

POINT_OPTIONS = ("--start", "--view", "--point")
FORMATS = ("json", "csv", "html")
NETWORK_FORMATS = ("json", "csv")
GRID_RESOLUTION = 401
APP_FACTORY = "descentlab.server.app:create_app"


class UsageError(Exception):
    """A bad combination of arguments that argparse itself cannot see."""


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake costs one line (not the usage block) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"descentlab: error: {message} (see: {self.prog} --help)\n")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None


def _numbers(count: int, what: str) -> Callable[[str], list[float]]:
    def parse(text: str) -> list[float]:
        parts = text.split(",")
        if len(parts) != count:
            raise argparse.ArgumentTypeError(f"'{text}' is not {what}")
        return [_number(part) for part in parts]
    return parse


def _assignments(text: str) -> dict[str, float]:
    """``lr=0.05,beta1=0.8`` → {"lr": 0.05, "beta1": 0.8}."""
    values = {}
    for part in filter(None, text.split(",")):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise argparse.ArgumentTypeError(f"'{part}' is not NAME=NUMBER")
        values[name.strip()] = _number(value)
    return values


def _param(text: str) -> tuple[str, float]:
    values = _assignments(text)
    if len(values) != 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME=NUMBER")
    return next(iter(values.items()))


def _optimizer(text: str) -> dict:
    """``adam`` or ``adam:lr=0.05,beta1=0.8``; with settings, the text is its label too, so
    that two Adams with different rates can be told apart in a legend."""
    name, _, settings = text.partition(":")
    spec = {"id": name.strip(), "hyperparameters": _assignments(settings)}
    if settings:
        spec["label"] = f"{name.strip()} {settings}"
    return spec


def _widths(text: str) -> list[int]:
    """``16,16`` → [16, 16]; an empty text is no hidden layer (logistic regression)."""
    try:
        return [int(part) for part in filter(None, text.split(","))]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of widths like 16,16") \
            from None


def _schedule(text: str) -> dict:
    """``cosine_restarts:period=200``."""
    kind, _, settings = text.partition(":")
    return {"kind": kind.strip(), **_assignments(settings)}


def _lookahead(text: str) -> dict:
    """``5,0.5`` → Lookahead with k = 5, α = 0.5."""
    k, alpha = _numbers(2, "K,ALPHA (steps between syncs, slow step)")(text)
    return {"k": k, "alpha": alpha}


def _momentum_schedule(text: str) -> dict:
    """``250`` → μ rising every 250 steps."""
    return {"tau": _number(text)}


MOMENTUM_SCHEDULE_HELP = ("raise every optimizer's momentum from 0.5 to its value, one rise "
                          "every TAU steps (Sutskever et al. 2013), e.g. 250")
LOOKAHEAD_HELP = ("wrap every optimizer in Lookahead: K fast steps, then the slow point moves "
                  "ALPHA of the way to the fast one, e.g. 5,0.5")


def add_surface_arguments(parser: argparse.ArgumentParser, default: str) -> None:
    """What a command descends: --surface or --expression, and --param (repeatable)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--surface", default=default,
                       help=f"a catalogue surface id (default {default})")
    where.add_argument("--expression", help="a formula in x and y instead of --surface, e.g. "
                                            "'x**2 + 10*y**2'")
    parser.add_argument("--param", type=_param, action="append", default=[],
                        metavar="NAME=VALUE", help="a surface parameter (repeatable)")


def surface_spec(args: argparse.Namespace) -> dict:
    """The request's ``surface`` from the flags of :func:`add_surface_arguments`."""
    surface: dict = {"expression": args.expression} if args.expression else \
        {"id": args.surface}
    if args.param:
        surface["params"] = dict(args.param)
    return surface


def build_parser() -> Parser:
    parser = Parser(prog="descentlab", description="Optimizers racing over loss surfaces.")
    parser.add_argument("--version", action="version", version=f"descentlab {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="serve the web page and the API",
        description="Serve the lab. The engine is compiled before the first connection is "
                    "accepted; other settings come from DESCENTLAB_* variables.")
    serve.add_argument("--host", help="address to bind (DESCENTLAB_HOST; default 127.0.0.1; "
                                      "0.0.0.0 for every interface)")
    serve.add_argument("--port", type=int, help="port (DESCENTLAB_PORT; default 8000)")
    serve.add_argument("--workers", type=int, default=1,
                       help="processes, each with its own engine (default 1)")
    serve.add_argument("--log-level", choices=("critical", "error", "warning", "info",
                                               "debug"), help="DESCENTLAB_LOG_LEVEL")
    serve.set_defaults(run=run_serve)

    race = commands.add_parser(
        "race", help="run a race and write JSON, CSV or an HTML animation",
        description="Run a race locally and write what POST /api/v1/races returns, a CSV "
                    "or an HTML animation.")
    add_surface_arguments(race, "rosenbrock")
    race.add_argument("--view", type=_numbers(4, "XMIN,XMAX,YMIN,YMAX"),
                      metavar="XMIN,XMAX,YMIN,YMAX", help="the box shown")
    race.add_argument("--optimizer", type=_optimizer, action="append", metavar="ID[:H=V,…]",
                      help="a contestant, e.g. adam:lr=0.05,beta1=0.8 (repeatable; default "
                           + ", ".join(DEFAULT_OPTIMIZERS) + " at the surface's suggested rates)")
    race.add_argument("--steps", type=int, default=500, help="steps per run (default 500)")
    race.add_argument("--start", type=_numbers(2, "X,Y"), metavar="X,Y",
                      help="start point (default: the surface's suggested start)")
    race.add_argument("--schedule", type=_schedule, metavar="KIND[:P=V,…]",
                      help="learning-rate schedule for every optimizer, e.g. "
                           "cosine_restarts:period=200")
    race.add_argument("--lookahead", type=_lookahead, metavar="K,ALPHA", help=LOOKAHEAD_HELP)
    race.add_argument("--momentum-schedule", type=_momentum_schedule, metavar="TAU",
                      help=MOMENTUM_SCHEDULE_HELP)
    race.add_argument("--clip-norm", type=_number, help="clip each gradient to this norm")
    race.add_argument("--clip-value", type=_number, help="clamp each gradient component")
    race.add_argument("--noise", type=_number, default=0.0,
                      help="std of Gaussian noise added to each gradient component")
    race.add_argument("--seed", type=int, default=0, help="seed of that noise")
    race.add_argument("--state", action="store_true",
                      help="record optimizer state and derived values (JSON only)")
    race.add_argument("--format", choices=FORMATS,
                      help="default: from --output's extension, else json")
    race.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    race.add_argument("--frames", type=int, default=120,
                      help="animation frames in HTML (default 120)")
    race.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    race.set_defaults(run=run_race)

    _add_network_race(commands)
    from descentlab.server.cli_maps import add_map_command

    add_map_command(commands)
    from descentlab.server.cli_check import add_check_command

    add_check_command(commands)

    warmup = commands.add_parser(
        "warmup", help="compile the engine into Numba's cache and exit",
        description="Compile every kernel (used when building the Docker image).")
    warmup.set_defaults(run=run_warmup)
    return parser


def _add_network_race(commands: argparse._SubParsersAction) -> None:
    net = commands.add_parser(
        "network-race", help="train a small network with several optimizers; JSON or CSV",
        description="Run a network race locally and write what POST /api/v1/networks/races "
                    "returns, or a CSV of every run's loss and accuracy per step.")
    add_network_race_arguments(net)
    net.add_argument("--plane", default="pca",
                     help="landscape plane in the JSON: pca or random (default pca)")
    net.add_argument("--resolution", type=int, default=41,
                     help="landscape points per axis in the JSON (default 41)")
    net.add_argument("--format", choices=NETWORK_FORMATS,
                     help="default: from --output's extension, else json")
    net.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    net.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    net.set_defaults(run=run_network_race)


def add_network_race_arguments(net: argparse.ArgumentParser) -> None:
    """The flags that say which network race to run: data, network, optimizers, training."""
    net.add_argument("--dataset", default="moons",
                     help="moons, circles, xor, spirals or blobs (default moons)")
    net.add_argument("--param", type=_param, action="append", default=[],
                     metavar="NAME=VALUE", help="a dataset parameter, e.g. n=512 or "
                                                "noise=0.2 (repeatable)")
    net.add_argument("--hidden", type=_widths, default=[16, 16], metavar="W1,W2,…",
                     help="hidden layer widths (default 16,16; '' for none)")
    net.add_argument("--activation", default="tanh", help="tanh, relu, sigmoid, leaky_relu or elu")
    net.add_argument("--init", help="xavier, xavier_normal, he, he_uniform, lecun, normal or "
                                    "zeros (default: the activation's own)")
    net.add_argument("--init-scale", type=_number, default=0.01, metavar="SIGMA",
                     help="σ of --init normal (default 0.01)")
    net.add_argument("--bias", type=_number, default=0.0,
                     help="every bias's initial value (default 0)")
    net.add_argument("--dropout", type=_number, default=0.0, metavar="P",
                     help="chance that a hidden unit is dropped in a training step "
                          "(default 0)")
    net.add_argument("--batch-norm", action="store_true",
                     help="batch normalization before every hidden activation")
    net.add_argument("--optimizer", type=_optimizer, action="append", metavar="ID[:H=V,…]",
                     help="a contestant, e.g. adam:lr=0.01 (repeatable; default "
                          + ", ".join(DEFAULT_OPTIMIZERS) + " at their suggested rates)")
    net.add_argument("--steps", type=int, default=500, help="steps per run (default 500)")
    net.add_argument("--batch-size", type=int, help="points per mini-batch (default: all)")
    net.add_argument("--seed", type=int, default=0,
                     help="seed of the mini-batches and the gradient noise")
    net.add_argument("--init-seed", type=int, default=0, help="seed of the initial weights")
    net.add_argument("--schedule", type=_schedule, metavar="KIND[:P=V,…]",
                     help="learning-rate schedule for every optimizer")
    net.add_argument("--lookahead", type=_lookahead, metavar="K,ALPHA", help=LOOKAHEAD_HELP)
    net.add_argument("--momentum-schedule", type=_momentum_schedule, metavar="TAU",
                     help=MOMENTUM_SCHEDULE_HELP)
    net.add_argument("--clip-norm", type=_number, help="clip each gradient to this norm")
    net.add_argument("--clip-value", type=_number, help="clamp each gradient component")
    net.add_argument("--noise", type=_number, default=0.0,
                     help="std of Gaussian noise added to each gradient component")
    net.add_argument("--validation", type=_number, default=0.0, metavar="FRACTION",
                     help="share of each class held out for validation, at most 0.5 "
                          "(default 0: train on every point)")
    net.add_argument("--split-seed", type=int, default=0,
                     help="seed of which points are held out")
    net.add_argument("--patience", type=int,
                     help="early stopping: steps without a lower validation loss")
    net.add_argument("--stop", action="store_true",
                     help="with --patience: stop the run there and keep its best weights")
    net.add_argument("--statistics", action="store_true",
                     help="per-layer statistics and activation histograms in the JSON")
    net.add_argument("--statistics-every", type=int, metavar="K",
                     help="with --statistics: record frames 0, K, 2K, … (default: about 100 "
                          "frames)")
    net.add_argument("--statistics-bins", type=int, default=20, metavar="B",
                     help="with --statistics: histogram bins per layer (default 20)")


def _say(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(f"descentlab: {message}", file=sys.stderr, flush=True)


def _warm(args: argparse.Namespace, stages_name: str):
    """Compile (or load from the cache) the kernels a command needs, saying so if it takes
    a while, so that the command's own timing is of its work alone."""
    from descentlab.server import warmup

    return warmup.warm_up(getattr(warmup, stages_name), say=lambda line: _say(args, line))


def run_warmup(args: argparse.Namespace) -> None:
    warmth = _warm(args, "ALL_STAGES")
    state = "compiled" if warmth.compiled else "loaded from the cache"
    _say(args, f"engine {state} in {warmth.seconds:.1f} s")


def run_serve(args: argparse.Namespace) -> None:
    import uvicorn

    for field in ("host", "port", "log_level"):
        if getattr(args, field) is not None:
            os.environ[Settings.env_name(field)] = str(getattr(args, field))
    settings = Settings()
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["descentlab"] = {"handlers": ["default"],
                                           "level": settings.log_level.upper()}
    options = {"factory": True, "host": settings.host, "port": settings.port,
               "log_level": settings.log_level, "log_config": log_config,
               "timeout_graceful_shutdown": settings.shutdown_timeout,
               "access_log": settings.access_log}
    if args.workers > 1:  # uvicorn binds the socket before it starts the workers
        uvicorn.run(APP_FACTORY, workers=args.workers, **options)
        return
    config = uvicorn.Config(APP_FACTORY, **options)
    uvicorn.Server(config).run(sockets=[_listening(settings.host, settings.port,
                                                   config.backlog)])


def _listening(host: str, port: int, backlog: int) -> socket.socket:
    """A socket that already listens, before the start-up warms the engine: a request made
    while the kernels compile waits in its queue, and the ready line is true when logged.
    (uvicorn alone listens only after start-up, and a request in between was refused; its
    own ``bind_socket`` logs "running on" before the socket listens, which a loaded CI
    machine caught in between.)

    The protocol is named: asyncio turns Nagle's algorithm off only on connections whose
    socket says TCP. Without it, a stream's last small line waited for the client's
    delayed acknowledgement: a race's summary arrived 21 ms after its last frame."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise UsageError(f"--port {port}: cannot listen on {host}:{port} ({err.strerror})") \
            from None
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _run_options(optimizers: list[dict], args: argparse.Namespace) -> list[dict]:
    """Every optimizer with the schedules and Lookahead the flags give them all."""
    options = {key: value for key, value in (
        ("schedule", args.schedule), ("lookahead", args.lookahead),
        ("momentum_schedule", args.momentum_schedule)) if value}
    return [{**o, **options} for o in optimizers]


def _default_lineup(suggested: dict[str, float]) -> list[dict]:
    """The race when nobody chose: the default lineup at the suggested rates, as the page
    gives it (an optimizer with no suggestion at the catalogue's default). At the
    catalogue's rates, SGD and momentum left Rosenbrock at step 3."""
    return [{"id": name, "hyperparameters": {"lr": suggested[name]} if name in suggested
             else {}} for name in DEFAULT_OPTIMIZERS]


def _surface_rates(args: argparse.Namespace) -> dict[str, float]:
    """The rates a catalogue surface suggests (a typed formula, or a name the request's
    validation will refuse, suggests none)."""
    from descentlab import engine
    from descentlab.engine.suggest import catalogue_rates

    known = not args.expression and args.surface in {s.id for s in engine.surfaces()}
    return catalogue_rates(args.surface) if known else {}


def _race_request(args: argparse.Namespace):
    from descentlab.server.schemas import RaceRequest

    surface = surface_spec(args)
    if args.view:
        surface["view"] = args.view
    optimizers = args.optimizer or _default_lineup(_surface_rates(args))
    optimizers = _run_options(optimizers, args)
    data = {"surface": surface, "steps": args.steps, "optimizers": optimizers,
            "gradient": {"clip_norm": args.clip_norm, "clip_value": args.clip_value,
                         "noise_std": args.noise, "seed": args.seed},
            "record": {"state": args.state}}
    if args.start:
        data["start"] = args.start
    return RaceRequest.model_validate(data)


def run_race(args: argparse.Namespace) -> None:
    from descentlab.server import export, translate
    from descentlab.server.jsonio import dumps
    from descentlab.server.limits import check_race

    fmt = args.format or (args.output.suffix.lstrip(".").lower() if args.output and
                          args.output.suffix.lstrip(".").lower() in FORMATS else "json")
    if args.frames < 1:
        raise UsageError("--frames must be at least 1")
    request = _race_request(args)
    settings = Settings()
    check_race(request, settings, root=())
    limit = settings.max_expression_length
    _warm(args, "SURFACE_STAGES")
    session = translate.open_session(request, limit)
    started = time.perf_counter()
    runs = len(session.runs)
    _say(args, f"racing {runs} optimizer{'s' if runs > 1 else ''} × {request.steps} steps…")
    document = translate.race_document(session)
    _say(args, f"raced in {time.perf_counter() - started:.2f} s; writing {fmt}…")
    if fmt == "json":
        data = dumps(document)
    elif fmt == "csv":
        data = export.to_csv(document).encode()
    else:
        grid = translate.grid_document(request.surface, GRID_RESOLUTION, limit)
        data = export.to_html(document, grid, args.frames).encode()
    _write(args, data)


def _network_request(args: argparse.Namespace):
    from descentlab.server.network_schemas import NetworkRaceRequest
    from descentlab.server.network_translate import catalogue

    suggested = catalogue()["race"]["suggested_lr"]
    optimizers = args.optimizer or _default_lineup(suggested)
    optimizers = _run_options(optimizers, args)
    dataset: dict = {"id": args.dataset}
    if args.param:
        dataset["params"] = dict(args.param)
    return NetworkRaceRequest.model_validate({
        "dataset": dataset, "optimizers": optimizers, "steps": args.steps,
        "architecture": {"hidden": args.hidden, "activation": args.activation,
                         "init": args.init, "init_scale": args.init_scale,
                         "bias": args.bias, "dropout": args.dropout,
                         "batch_norm": args.batch_norm},
        "batch_size": args.batch_size, "seed": args.seed, "init_seed": args.init_seed,
        "gradient": {"clip_norm": args.clip_norm, "clip_value": args.clip_value,
                     "noise_std": args.noise},
        "validation": {"fraction": args.validation, "seed": args.split_seed},
        "early_stopping": (None if args.patience is None
                           else {"patience": args.patience, "stop": args.stop}),
        "statistics": ({"every": args.statistics_every, "bins": args.statistics_bins}
                       if args.statistics else None),
        "landscape": {"plane": args.plane, "resolution": args.resolution}})


def run_network_race(args: argparse.Namespace) -> None:
    from descentlab.server import export
    from descentlab.server import network_translate as nt
    from descentlab.server.jsonio import dumps
    from descentlab.server.limits import check_network_race

    suffix = args.output.suffix.lstrip(".").lower() if args.output else ""
    fmt = args.format or (suffix if suffix in NETWORK_FORMATS else "json")
    request = _network_request(args)
    check_network_race(request, Settings(), root=())
    _warm(args, "NETWORK_STAGES")
    session = nt.open_session(request)
    nt.check_landscape(session.result(), request.landscape)
    started = time.perf_counter()
    runs = len(session.runs)
    _say(args, f"training {session.arch.n_params} weights with {runs} "
               f"optimizer{'s' if runs > 1 else ''} × {request.steps} steps…")
    session.advance(session.steps)
    document = nt.race_document(session.result(), request.landscape, request.validation)
    _say(args, f"trained in {time.perf_counter() - started:.2f} s; writing {fmt}…")
    data = dumps(document) if fmt == "json" else export.network_csv(document).encode()
    _write(args, data)


def write_all(stream: BinaryIO, data: bytes) -> None:
    """Write every byte: a raw file (standard output under ``PYTHONUNBUFFERED``) may take
    fewer bytes than asked — Linux writes at most 2 GiB − 4 KiB per call — and says so only
    in its return value."""
    view = memoryview(data)
    while view:
        written = stream.write(view)
        if not written:
            raise OSError(f"the output took no bytes with {len(view):,} still to write")
        view = view[written:]
    stream.flush()


def _write(args: argparse.Namespace, data: bytes) -> None:
    """To --output (through a temporary file, so a failed write leaves no half file), or
    to standard output."""
    if args.output is None:
        write_all(sys.stdout.buffer, data)
        return
    partial = args.output.with_name(args.output.name + ".part")
    try:
        with partial.open("wb") as out:
            write_all(out, data)
        partial.replace(args.output)
    except OSError as err:
        raise OSError(f"could not write {args.output}: {err.strerror or err}") from None
    finally:
        partial.unlink(missing_ok=True)
    size = f"{len(data) / 1e6:.1f} MB" if len(data) >= 100_000 else f"{len(data) / 1e3:.1f} kB"
    _say(args, f"wrote {args.output} ({size})")


def _glue_negative_values(argv: list[str]) -> list[str]:
    """``--start -1.5,2`` → ``--start=-1.5,2``: argparse would read -1.5,2 as an option."""
    glued: list[str] = []
    for token in argv:
        if glued and glued[-1] in POINT_OPTIONS and re.match(r"-\.?\d", token):
            glued[-1] = f"{glued[-1]}={token}"
        else:
            glued.append(token)
    return glued


# The flag each part of a request comes from, by the start of an error's location (the
# longest match wins; "#" stands for a position in a list): errors name what was typed.
FLAGS: dict[tuple[str, ...], str] = {
    ("surface",): "--surface", ("surface", "id"): "--surface",
    ("surface", "expression"): "--expression", ("surface", "params"): "--param",
    ("surface", "view"): "--view", ("start",): "--start", ("starts",): "--start",
    ("steps",): "--steps", ("optimizers",): "--optimizer", ("optimizers", "#"): "--optimizer",
    ("optimizers", "#", "schedule"): "--schedule", ("gradient", "clip_norm"): "--clip-norm",
    ("optimizers", "#", "lookahead"): "--lookahead",
    ("optimizers", "#", "momentum_schedule"): "--momentum-schedule",
    ("gradient", "clip_value"): "--clip-value", ("gradient", "noise_std"): "--noise",
    ("gradient", "seed"): "--seed", ("record",): "--state",
    ("dataset",): "--dataset", ("dataset", "id"): "--dataset",
    ("dataset", "params"): "--param", ("architecture", "hidden"): "--hidden",
    ("architecture", "activation"): "--activation", ("architecture", "init"): "--init",
    ("architecture", "init_scale"): "--init-scale", ("architecture", "bias"): "--bias",
    ("architecture", "dropout"): "--dropout", ("architecture", "batch_norm"): "--batch-norm",
    ("batch_size",): "--batch-size", ("seed",): "--seed", ("init_seed",): "--init-seed",
    ("validation", "fraction"): "--validation", ("validation", "seed"): "--split-seed",
    ("early_stopping",): "--patience", ("early_stopping", "patience"): "--patience",
    ("statistics",): "--statistics", ("statistics", "every"): "--statistics-every",
    ("statistics", "bins"): "--statistics-bins", ("landscape", "plane"): "--plane",
    ("landscape", "resolution"): "--resolution",
    ("optimizer",): "--optimizer", ("resolution",): "--resolution", ("region",): "--region",
    ("x",): "--x", ("y",): "--y", ("space",): "--space", ("method",): "--method",
    ("budget",): "--budget", ("repeats",): "--repeats", ("noise_std",): "--noise",
    ("tuning_starts",): "--tuning-starts", ("test_starts",): "--test-starts",
    ("seeds",): "--seeds", ("point",): "--point", ("run",): "--run", ("frame",): "--frame",
    ("samples",): "--samples",
}


def _typed_optimizer(spec: dict) -> str:
    """An optimizer as it was typed: ``adam:lr=0.05``."""
    settings = ",".join(f"{k}={v:g}" for k, v in spec.get("hyperparameters", {}).items())
    return f"{spec['id']}:{settings}" if settings else str(spec["id"])


def flag_for(loc: tuple | list, args: argparse.Namespace) -> str:
    """``("optimizers", 1, "hyperparameters", "lr")`` → ``--optimizer adam:lr=-1``."""
    loc = [int(part) if isinstance(part, str) and part.isdigit() else part for part in loc]
    parts = tuple("#" if isinstance(part, int) else str(part) for part in loc)
    for length in range(len(parts), 0, -1):
        flag = FLAGS.get(parts[:length])
        if flag is None:
            continue
        if flag == "--optimizer" and length > 1 and args.optimizer:
            return f"{flag} {_typed_optimizer(args.optimizer[loc[1]])}"
        if flag == "--param" and len(parts) > length:
            return f"{flag} {parts[length]}"
        return flag
    return ".".join(parts)


def _fail(parser: Parser, args: argparse.Namespace, loc: tuple | list | None,
          message: str) -> NoReturn:
    where = f"{flag_for(loc, args)}: " if loc else ""
    parser.exit(2, f"descentlab: error: {where}{message}\n")


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``descentlab`` and ``python -m descentlab``."""
    parser = build_parser()
    args = parser.parse_args(_glue_negative_values(sys.argv[1:] if argv is None else argv))
    if not hasattr(args, "run"):
        parser.error("choose a command: serve, race, network-race, map basins, "
                     "map hyperparameters, map search, map compare, gradient-check, "
                     "network-gradient-check or warmup")
    try:
        args.run(args)
    except engine.EngineError as err:
        _fail(parser, args, err.field.split(".") if err.field else None, err.message)
    except ValidationError as err:
        first = err.errors()[0]
        _fail(parser, args, first["loc"], first["msg"])
    except ApiError as err:
        _fail(parser, args, err.items[0]["loc"], err.items[0]["msg"])
    except UsageError as err:
        parser.exit(2, f"descentlab: error: {err}\n")
    except BrokenPipeError:
        # Python flushes standard output once more at exit: point it at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        parser.exit(1, "descentlab: error: standard output was closed before the whole "
                       "result was written\n")
    except OSError as err:
        parser.exit(1, f"descentlab: error: {err}\n")
    except KeyboardInterrupt:
        parser.exit(130, "descentlab: interrupted\n")


if __name__ == "__main__":
    main()
