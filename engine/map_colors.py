"""How a map looks: one colour per point a run can end at, one per outcome with no point,
and the rule that shades a cell by how fast it got there.

The page and the command line draw maps from these, so a basin has the same colour in the
Maps lab, in an exported PNG and in a standalone HTML file. Minima take Paul Tol's "muted"
scheme (colour-blind safe, and deep enough to stay apart when faded for slowness); saddles
and maxima a neutral grey, since a run that stops there reached no minimum; a diverged cell
is dark, the colour no basin uses.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from descentlab.engine.outcome import STATUSES

MINIMUM_COLORS = ("#88CCEE", "#CC6677", "#DDCC77", "#44AA99", "#AA4499", "#999933",
                  "#117733", "#882255")
"""Minima in the order a map lists them (repeating past eight)."""

OTHER_POINT_COLOR = "#CFCFCF"
"""A saddle or maximum: a run that ended there found no minimum."""

STATUS_COLORS = {"converged": "#B59F86", "stalled": "#8C8C8C", "diverged": "#2B2B2B",
                 "unfinished": "#8C7A64"}
"""Cells whose run did not settle at a listed point, by status (a converged one stopped at a
point the catalogue does not list, e.g. on the linear net's valley of minima). The Maps lab
shades an unfinished cell by its final loss; a PNG draws it in this one colour."""

PALEST = 0.72
"""How far towards white the slowest run that reached a point is mixed (the fastest not at
all), on a log scale of its step: pale is slow, so a basin's heart and its slow rim read at a
glance, and the few-step cells near a minimum do not all look alike."""


def point_colors(kinds: Sequence[str]) -> list[str]:
    """The colour of each point a map lists, by its kind (``global_min``, ``local_min``,
    ``found_min``, ``saddle``, ``local_max``): the minima take the scheme in turn."""
    colors, minima = [], 0
    for kind in kinds:
        if kind.endswith("min"):
            colors.append(MINIMUM_COLORS[minima % len(MINIMUM_COLORS)])
            minima += 1
        else:
            colors.append(OTHER_POINT_COLOR)
    return colors


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def cell_colors(status: np.ndarray, basin: np.ndarray, step: np.ndarray, steps: int,
                point_kinds: Sequence[str]) -> np.ndarray:
    """Each cell's RGB (uint8, same rows as the map): a run that converged or stalled at a
    listed point takes that point's colour, mixed towards white by PALEST·log(1 + step) /
    log(1 + steps); any other cell the colour of its status (a run still on its way is not
    shown as arrived, however near it is)."""
    palette = np.array([_rgb(c) for c in point_colors(point_kinds)] or np.zeros((0, 3)))
    by_status = np.array([_rgb(STATUS_COLORS[name]) for name in STATUSES])
    rgb = by_status[status]
    settled = np.isin(status, [STATUSES.index("converged"), STATUSES.index("stalled")])
    reached = settled & (basin >= 0)
    rgb[reached] = palette[basin[reached]]
    fade = np.where(reached & (step >= 0),
                    PALEST * np.log1p(np.maximum(step, 0)) / np.log1p(max(int(steps), 1)),
                    0.0)[..., None]
    return np.round(rgb * (1.0 - fade) + 255.0 * fade).astype(np.uint8)
