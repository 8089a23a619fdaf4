"""A scenario's thumbnail for the gallery: a small SVG of what the class will see.

A race scenario shows its surface in bands with every run's path in its catalogue colour
(a second run of one optimizer dashed, as in the page); a map scenario shows its map at a
coarse resolution; a network scenario each run's loss curve. The thumbnail is computed from
the scenario itself, so it can never drift from what opening it shows.
"""

from __future__ import annotations

import base64
from collections import Counter
from xml.sax.saxutils import escape

import numpy as np

from descentlab import engine
from descentlab.engine.map_colors import cell_colors
from descentlab.engine.map_scenarios import MapScenario
from descentlab.engine.network_scenarios import NetworkScenario, engine_race
from descentlab.engine.scenarios import Scenario
from descentlab.server import map_translate
from descentlab.server.export import png_bytes, surface_image
from descentlab.server.map_schemas import BasinMapRequest, HyperparameterMapRequest
from descentlab.server.schemas import SurfaceSpec
from descentlab.server.translate import grid_document

WIDTH, HEIGHT = 200, 100
"""Twice as wide as high: a tile row of the gallery keeps its question whole below it."""
GRID_RESOLUTION = 64
MAP_RESOLUTION = 40
PATH_POINTS = 120
"""Points kept per path: more than a 160-pixel picture can show."""
DASHES = ("", "5 3", "1.5 2.5", "6 2 1.5 2")
GROUND = ("#f7f8fa", "#a9b3bf")
"""Darker bands than the page's: at a fifth of the size the valleys must still show."""


def _image(uri: str) -> str:
    return (f'<image href="{uri}" width="{WIDTH}" height="{HEIGHT}" '
            'preserveAspectRatio="none"/>')


def _svg(label: str, *parts: str) -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(label)}">'
            + "".join(parts) + "</svg>").encode()


def _window(view: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The scenario's view widened (or heightened) about its centre to the picture's shape."""
    x0, x1, y0, y1 = view
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w = max(x1 - x0, (y1 - y0) * WIDTH / HEIGHT)
    h = w * HEIGHT / WIDTH
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def _race(scenario: Scenario, max_expression_length: int) -> bytes:
    view = _window(scenario.view)
    spec = SurfaceSpec(id=scenario.surface, params=dict(scenario.params) or None,
                       view=list(view))
    grid = grid_document(spec, GRID_RESOLUTION, max_expression_length)
    result = engine.race(**scenario.race_kwargs())
    x0, x1, y0, y1 = view

    def to_pixels(points: np.ndarray) -> str:
        px = (points[:, 0] - x0) / (x1 - x0) * WIDTH
        py = (y1 - points[:, 1]) / (y1 - y0) * HEIGHT
        inside = np.isfinite(px) & np.isfinite(py)
        px, py = np.clip(px[inside], -5, WIDTH + 5), np.clip(py[inside], -5, HEIGHT + 5)
        return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True))

    seen: Counter[str] = Counter()
    paths = []
    for o, run in enumerate(result.runs):
        entry = run.optimizer
        dash = DASHES[seen[entry.id] % len(DASHES)]
        seen[entry.id] += 1
        frames = result.positions[o, 0]
        keep = np.unique(np.linspace(0, len(frames) - 1, PATH_POINTS).round().astype(int))
        paths.append(f'<polyline points="{to_pixels(frames[keep])}" fill="none" '
                     f'stroke="{entry.color}" stroke-width="1.8" stroke-linejoin="round"'
                     + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
    start = to_pixels(np.asarray([scenario.start])).split(",")
    ring = (f'<circle cx="{start[0]}" cy="{start[1]}" r="3.2" fill="#fff" stroke="#1b2a3a" '
            'stroke-width="1.4"/>')
    bands = surface_image(grid, grid["surface"]["log_contours"], GROUND)
    return _svg(scenario.title, _image(bands), *paths, ring)


def _map(scenario: MapScenario, max_expression_length: int) -> bytes:
    body = {**scenario.map_request(), "resolution": MAP_RESOLUTION}
    model = BasinMapRequest if scenario.kind == "basins" else HyperparameterMapRequest
    result = map_translate.compute(model.model_validate(body), max_expression_length)
    kinds = [p["kind"] for p in map_translate.map_document(result)["points"]]
    rgb = cell_colors(result.status, result.basin, result.step, result.steps, kinds)
    uri = "data:image/png;base64," + base64.b64encode(png_bytes(rgb[::-1])).decode()
    side = HEIGHT  # the map's cells are square: centred, on the page's ground
    return _svg(scenario.title, f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#eef1f5"/>',
                f'<image href="{uri}" x="{(WIDTH - side) / 2}" width="{side}" '
                f'height="{side}" style="image-rendering:pixelated"/>')


def _network(scenario: NetworkScenario) -> bytes:
    """Each run's training loss over the steps (log scale), held-out loss dotted."""
    result = engine_race(scenario.request())
    series = [(o, result.loss[o], "") for o in range(result.loss.shape[0])]
    if result.val_loss is not None and np.isfinite(result.val_loss).any():
        series += [(o, result.val_loss[o], "1.5 2.5") for o in range(result.loss.shape[0])]
    logs = [np.log10(np.maximum(values, 1e-12)) for _, values, _ in series]
    finite = np.concatenate([v[np.isfinite(v)] for v in logs])
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    hi = max(hi, lo + 1e-9)
    pad = 8
    seen: Counter[str] = Counter()
    dashes = {}
    lines = []
    for (o, _values, dotted), log in zip(series, logs, strict=True):
        spec = scenario.race["optimizers"][o]
        entry = engine.get_optimizer(spec["id"])
        if o not in dashes:
            dashes[o] = DASHES[seen[entry.id] % len(DASHES)]
            seen[entry.id] += 1
        keep = np.unique(np.linspace(0, len(log) - 1, PATH_POINTS).round().astype(int))
        keep = keep[np.isfinite(log[keep])]
        xs = pad + keep / max(len(log) - 1, 1) * (WIDTH - 2 * pad)
        ys = pad + (hi - log[keep]) / (hi - lo) * (HEIGHT - 2 * pad)
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys, strict=True))
        dash = dotted or dashes[o]
        lines.append(f'<polyline points="{points}" fill="none" stroke="{entry.color}" '
                     'stroke-width="1.8" stroke-linejoin="round"'
                     + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
    axes = (f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f7f8fa"/>'
            f'<path d="M{pad} {pad}V{HEIGHT - pad}H{WIDTH - pad}" fill="none" '
            'stroke="#a9b3bf" stroke-width="1"/>')
    return _svg(scenario.title, axes, *lines)


def thumbnail_svg(scenario_id: str, max_expression_length: int) -> bytes:
    """The SVG of scenario ``scenario_id`` (an EngineError for an unknown one)."""
    if scenario_id in engine.SCENARIOS:
        return _race(engine.get_scenario(scenario_id), max_expression_length)
    if scenario_id in engine.NETWORK_SCENARIOS:
        return _network(engine.get_network_scenario(scenario_id))
    return _map(engine.get_map_scenario(scenario_id), max_expression_length)
