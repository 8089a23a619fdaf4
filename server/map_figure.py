"""A map as a picture: a PNG of its cells, or a standalone HTML figure with axes, legend,
theory curves and the current setting — what ``descentlab map … --format png|html`` writes.

Both colour cells by ``engine.map_colors`` (the Maps lab's colours). The HTML inlines
Plotly.js, so it opens offline on a lecture-room laptop; a log axis is drawn in log10
coordinates with its ticks labelled in the hyperparameter's own values, since Plotly's
image traces only lie on linear axes.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from descentlab.engine.map_colors import cell_colors
from descentlab.engine.maps import MapResult
from descentlab.server.export import png_bytes

MIN_PNG_SIDE = 512
"""A PNG is scaled up by a whole factor to at least this many pixels a side: one pixel per
cell of a 64² map would be a stamp on a slide."""

KIND_NAMES = {"global_min": "global minimum", "local_min": "local minimum",
              "found_min": "minimum found", "saddle": "saddle point", "max": "maximum"}


def _rgb(result: MapResult, document: dict) -> np.ndarray:
    return cell_colors(result.status, result.basin, result.step, result.steps,
                       [p["kind"] for p in document["points"]])


def to_png(result: MapResult, document: dict) -> bytes:
    """The cells, y upwards, each a square of whole pixels."""
    rgb = _rgb(result, document)
    height, width = rgb.shape[:2]
    factor = max(1, math.ceil(MIN_PNG_SIDE / max(width, height)))
    return png_bytes(np.repeat(np.repeat(rgb[::-1], factor, axis=0), factor, axis=1))


def _coords(values, scale: str) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    return np.log10(values) if scale == "log" else values


def _axis_layout(axis: dict) -> dict:
    """Range (and for a log axis, decade ticks labelled in the axis's own values)."""
    lo, hi = _coords([axis["lo"], axis["hi"]], axis["scale"])
    layout = {"range": [float(lo), float(hi)], "title": axis["name"], "showgrid": False,
              "zeroline": False}
    if axis["scale"] == "log":
        decades = np.arange(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1)
        layout |= {"tickvals": decades.tolist(), "ticktext": [f"{10.0 ** d:g}" for d in decades]}
    return layout


def _share(n: int, total: int) -> str:
    percent = 100 * n / total
    return "< 1 %" if 0 < percent < 0.5 else f"{percent:.0f} %"


def _legend_square(name: str, color: str) -> go.Scatter:
    return go.Scatter(x=[None], y=[None], mode="markers", name=name,
                      marker={"symbol": "square", "size": 14, "color": color,
                              "line": {"color": "#555", "width": 1}})


def _legend(document: dict) -> list[go.Scatter]:
    """A square per point some cell reached and per status some cell ended in, with its
    share of the map."""
    total = max(sum(document["counts"].values()), 1)
    traces = []
    for p in document["points"]:
        if p["cells"]:
            x, y = p["point"]
            traces.append(_legend_square(
                f"{KIND_NAMES.get(p['kind'], p['kind'])} ({x:.3g}, {y:.3g}) · "
                f"{_share(p['cells'], total)}", p["color"]))
    reached = sum(p["cells"] for p in document["points"])
    for status, n in document["counts"].items():
        n -= reached if status == "converged" else 0
        if n > 0:
            name = "converged, not at a listed point" if status == "converged" else status
            traces.append(_legend_square(f"{name} · {_share(n, total)}",
                                         document["status_colors"][status]))
    return traces


def _marks(document: dict) -> list[go.Scatter]:
    """The theory's stability boundary and optimum, and the current setting, where the map's
    axes are the ones they are drawn in."""
    x, y, theory = document["x"], document["y"], document["theory"]
    if document["kind"] == "basins":
        minima = [p["point"] for p in document["points"] if p["kind"].endswith("min")]
        return [go.Scatter(x=[m[0] for m in minima], y=[m[1] for m in minima],
                           mode="markers", name="minima",
                           marker={"symbol": "star", "size": 15, "color": "#1b2430",
                                   "line": {"color": "white", "width": 1.5}})]
    traces = []
    if theory and x["name"] == "lr" and (y is None or y["name"] == "momentum"):
        lr = _coords(theory["lr_limit"], x["scale"])
        ys = theory["momentum"] if y is not None else [0.0, 1.0]
        xs = lr if y is not None else [lr[0], lr[0]]
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", name="stable below this learning "
                                 "rate (theory)", line={"color": "black", "width": 3,
                                                        "dash": "dash"}))
        if theory["optimum"]:
            lr_star, beta_star = theory["optimum"]
            traces.append(go.Scatter(
                x=_coords([lr_star], x["scale"]), y=[beta_star if y is not None else 0.5],
                mode="markers", name=f"fastest in theory (lr {lr_star:.3g}, "
                f"momentum {beta_star:.3g})",
                marker={"symbol": "diamond-open", "size": 16, "color": "black",
                        "line": {"width": 3}}))
    setting = document["optimizer"]["hyperparameters"]
    if x["name"] in setting and (y is None or y["name"] in setting):
        traces.append(go.Scatter(
            x=_coords([setting[x["name"]]], x["scale"]),
            y=[setting[y["name"]] if y is not None else 0.5], mode="markers",
            name="the optimizer's own setting",
            marker={"symbol": "circle-open", "size": 16, "color": "black",
                    "line": {"width": 3}}))
    return traces


def _title(document: dict) -> str:
    surface, label = document["surface"]["name"], document["optimizer"]["label"]
    if document["kind"] == "basins":
        return f"{surface}: where {label} goes from every start ({document['steps']} steps)"
    axes = " × ".join(a["name"] for a in (document["x"], document["y"]) if a is not None)
    x, y = document["start"]
    return (f"{surface}: {label} over {axes} from ({x:.3g}, {y:.3g}), "
            f"{document['steps']} steps")


def to_html(result: MapResult, document: dict) -> str:
    """A standalone figure: the cells, a legend of what they reached, theory and setting."""
    rgb = _rgb(result, document)
    x, y = document["x"], document["y"]
    xc = _coords(x["centres"], x["scale"])
    dx = float(xc[1] - xc[0]) if len(xc) > 1 else float(np.diff(_coords([x["lo"], x["hi"]],
                                                                         x["scale"]))[0])
    if y is not None:
        yc = _coords(y["centres"], y["scale"])
        dy = float(yc[1] - yc[0]) if len(yc) > 1 else 1.0
        y0, y_layout = float(yc[0]), _axis_layout(y)
    else:
        dy, y0 = 1.0, 0.5
        y_layout = {"range": [0, 1], "visible": False}
    # An image keeps its pixels square in data units: right for a basin map's x and y, but
    # a learning rate's decades against momentum squashed the map into a strip.
    aspect = {} if document["kind"] == "basins" else {"scaleanchor": False}
    fig = go.Figure(go.Image(z=rgb, x0=float(xc[0]), dx=dx, y0=y0, dy=dy,
                             hoverinfo="skip", name="map"))
    for trace in _legend(document) + _marks(document):
        fig.add_trace(trace)
    fig.update_layout(title=_title(document), template="plotly_white",
                      xaxis=_axis_layout(x), yaxis=y_layout | {"autorange": False, **aspect},
                      legend={"orientation": "h", "y": -0.15}, margin={"t": 70},
                      height=720, width=820)
    return fig.to_html(include_plotlyjs=True, full_html=True,
                       config={"displaylogo": False, "responsive": True})
