"""A race document (the API's JSON) as CSV for a spreadsheet or as a standalone animation;
a network race document as CSV; a map as CSV (a line per cell) or NPZ (its arrays).

The HTML is one offline file for a slide deck: Plotly.js inlined, the surface in bands,
one animated marker and trail per run, play/pause and a slider. Plotly animates by
replaying whole frames, so the file grows with frames × trail length; trails are thinned to
``MAX_TRAIL_POINTS``.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import struct
import zlib
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from descentlab.engine.optimizers.catalog import get_optimizer

if TYPE_CHECKING:
    from descentlab.engine.maps import MapResult

MAX_TRAIL_POINTS = 600
BANDS = 24
CRITICAL_GLYPHS = {"global_min": "star", "local_min": "star-open", "saddle": "hourglass-open",
                   "local_max": "y-up-open"}
"""The page's glyphs for critical points (★ ☆, an hourglass, a caret), which no optimizer's
marker uses."""
DASHES = ("solid", "dash", "dot", "dashdot")
"""The second, third… run of one optimizer keeps its colour and marker, with another dash."""
GROUND = ("#fbfbfb", "#d2d2d2")
"""The surface's bands, from its lowest to its highest: a pale neutral ground, so every
optimizer's catalogue colour (blue included) stands out on it."""
CSV_COLUMNS = ("run", "label", "optimizer", "start_index", "step", "x", "y", "loss",
               "grad_norm", "lr", "grad_x", "grad_y")
NETWORK_CSV_COLUMNS = ("run", "label", "optimizer", "step", "loss", "accuracy", "grad_norm",
                       "lr", "alpha", "beta", "val_loss", "val_accuracy")


def _floats(values: Any) -> np.ndarray:
    """Document arrays (numpy, or lists with None for non-finite values) as floats."""
    return np.array(values, dtype=np.float64) if not isinstance(values, np.ndarray) \
        else values


def _cell(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else ""


def to_csv(document: dict) -> str:
    """One row per run and frame; an empty cell where a value is not finite."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i, run in enumerate(document["runs"]):
        path, grad = _floats(run["path"]), _floats(run["grad"])
        loss, norm, lr = _floats(run["loss"]), _floats(run["grad_norm"]), _floats(run["lr"])
        for t in range(path.shape[0]):
            writer.writerow([i, run["label"], run["optimizer"], run["start_index"], t,
                             *(_cell(v) for v in (path[t, 0], path[t, 1], loss[t], norm[t],
                                                  lr[t], grad[t, 0], grad[t, 1]))])
    return out.getvalue()


def network_csv(document: dict) -> str:
    """One row per run and frame: the curves, the step's rate (empty at frame 0) and the
    frame's place (alpha, beta) on the landscape's plane; the validation loss and accuracy
    are empty without a validation set."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(NETWORK_CSV_COLUMNS)
    for i, run in enumerate(document["runs"]):
        loss, acc = _floats(run["loss"]), _floats(run["accuracy"])
        norm, path = _floats(run["grad_norm"]), _floats(run["path"])
        lr = np.concatenate([[math.nan], _floats(run["lr"])])
        blank = np.full(loss.shape[0], math.nan)
        val_loss = blank if run.get("val_loss") is None else _floats(run["val_loss"])
        val_acc = blank if run.get("val_accuracy") is None else _floats(run["val_accuracy"])
        for t in range(loss.shape[0]):
            writer.writerow([i, run["label"], run["optimizer"], t,
                             *(_cell(v) for v in (loss[t], acc[t], norm[t], lr[t],
                                                  path[t, 0], path[t, 1], val_loss[t],
                                                  val_acc[t]))])
    return out.getvalue()


def _legend(run: dict) -> str:
    status, step = run["status"], run["diverged_at"] or run["converged_at"]
    return f"{run['label']} — {status}" + (f" at step {step}" if step is not None else "")


def png_bytes(rgb: np.ndarray) -> bytes:
    """An RGB image (rows top to bottom) as PNG bytes: the smallest encoder that works."""
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + row.tobytes() for row in rgb.astype(np.uint8))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def surface_image(grid: dict, log_scale: bool, ground: tuple[str, str] = GROUND) -> str:
    """The surface as banded colours (one band per contour level), as a data: URI.

    Plotly.js 4 loses contour and heatmap traces during a fast animation (they vanish
    unless every frame redraws them, which is too slow), so the surface is a still image.
    """
    z = _floats(grid["z"])
    finite = np.isfinite(z)
    low = z[finite].min() if finite.any() else 0.0
    if log_scale:
        z = np.log10(1.0 + z - low)
        low = 0.0
    high = np.nanmax(np.where(finite, z, np.nan)) if finite.any() else 1.0
    level = np.floor((z - low) / max(high - low, 1e-300) * BANDS)
    level = np.clip(np.where(finite, level, BANDS - 1), 0, BANDS - 1) / (BANDS - 1)
    stops = np.array([[int(c[k:k + 2], 16) for k in (1, 3, 5)] for c in ground],
                     dtype=np.float64)
    where = np.linspace(0.0, 1.0, len(stops))
    rgb = np.stack([np.interp(level, where, stops[:, c]) for c in range(3)], axis=-1)
    encoded = base64.b64encode(png_bytes(np.round(rgb[::-1]))).decode()
    return f"data:image/png;base64,{encoded}"


def to_html(document: dict, grid: dict, max_frames: int = 120) -> str:
    """A standalone animated figure of the race over the surface's contours."""
    surface = document["surface"]
    x0, x1 = surface["view"]["x"]
    y0, y1 = surface["view"]["y"]
    steps = document["steps"]
    frame_steps = np.unique(np.linspace(0, steps, min(max_frames, steps) + 1).round()
                            .astype(int))
    stride = max(1, math.ceil((steps + 1) / MAX_TRAIL_POINTS))
    paths = [_floats(run["path"]) for run in document["runs"]]

    fig = go.Figure()
    for c in surface["critical_points"]:
        fig.add_trace(go.Scatter(x=[c["point"][0]], y=[c["point"][1]], mode="markers",
                                 marker={"symbol": CRITICAL_GLYPHS[c["kind"]], "size": 13,
                                         "color": "#1b2430", "line": {"width": 1.5}},
                                 name=c["kind"].replace("_", " "), showlegend=False))
    first = len(fig.data)
    seen: Counter[str] = Counter()
    for i, (run, path) in enumerate(zip(document["runs"], paths, strict=True)):
        look = get_optimizer(run["optimizer"])
        dash = DASHES[seen[look.id] % len(DASHES)]
        seen[look.id] += 1
        fig.add_trace(go.Scatter(x=path[:1, 0], y=path[:1, 1], mode="lines", name=_legend(run),
                                 line={"color": look.color, "width": 2.5, "dash": dash},
                                 legendgroup=str(i)))
        fig.add_trace(go.Scatter(x=path[:1, 0], y=path[:1, 1], mode="markers",
                                 marker={"color": look.color, "symbol": look.marker,
                                         "size": 12, "line": {"color": "white", "width": 1}},
                                 legendgroup=str(i), showlegend=False, hoverinfo="skip"))

    def frame(t: int) -> list[go.Scatter]:
        # Plotly.js hides traces a frame leaves out (plotly.js#4596): keep them visible.
        traces = [go.Scatter(visible=True) for _ in range(first)]
        for path in paths:
            kept = np.vstack([path[:t + 1:stride], path[t:t + 1]])
            traces += [go.Scatter(x=kept[:, 0], y=kept[:, 1]),
                       go.Scatter(x=path[t:t + 1, 0], y=path[t:t + 1, 1])]
        return traces

    fig.frames = [go.Frame(data=frame(int(t)), traces=list(range(len(fig.data))), name=str(t))
                  for t in frame_steps]
    play = {"frame": {"duration": 50, "redraw": False}, "fromcurrent": True,
            "transition": {"duration": 0}}
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}
    fig.update_layout(
        title=f"{surface['name']}: {steps} steps", template="plotly_white",
        images=[{"source": surface_image(grid, surface["log_contours"]), "xref": "x",
                 "yref": "y", "x": x0, "y": y1, "sizex": x1 - x0, "sizey": y1 - y0,
                 "sizing": "stretch", "layer": "below"}],
        xaxis={"range": [x0, x1], "title": "x", "showgrid": False, "zeroline": False},
        yaxis={"range": [y0, y1], "title": "y", "scaleanchor": "x", "scaleratio": 1,
               "showgrid": False, "zeroline": False},
        margin={"t": 70},
        updatemenus=[{"type": "buttons", "direction": "left", "x": 1, "y": 1.12,
                      "xanchor": "right", "showactive": False,
                      "buttons": [{"label": "▶ Play", "method": "animate",
                                   "args": [None, play]},
                                  {"label": "❚❚ Pause", "method": "animate",
                                   "args": [[None], pause]}]}],
        sliders=[{"currentvalue": {"prefix": "step ", "font": {"color": "#333"}},
                  "pad": {"t": 40}, "font": {"color": "rgba(0,0,0,0)"},
                  "steps": [{"label": str(t), "method": "animate",
                             "args": [[str(t)], pause]}
                            for t in frame_steps]}])
    return fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False,
                       config={"displaylogo": False, "responsive": True})


def map_csv(result: MapResult) -> str:
    """One line per cell: where it is, how it ended."""
    from descentlab.engine.outcome import STATUSES

    out = io.StringIO()
    y_name = result.y_axis.name if result.y_axis is not None else "row"
    out.write(f"{result.x_axis.name},{y_name},status,point,step,loss,final_x,final_y\n")
    for j, y in enumerate(result.y.tolist()):
        for i, x in enumerate(result.x.tolist()):
            final = result.final[j, i].tolist()
            out.write(f"{x!r},{y!r},{STATUSES[result.status[j, i]]},{result.basin[j, i]},"
                      f"{result.step[j, i]},{float(result.loss[j, i])!r},{final[0]!r},"
                      f"{final[1]!r}\n")
    return out.getvalue()


def map_npz(result: MapResult, document: dict) -> bytes:
    """The arrays at full precision, and the rest of the document as JSON text in ``meta``."""
    meta = {key: value for key, value in document.items() if key != "cells"}
    out = io.BytesIO()
    np.savez_compressed(out, x=result.x, y=result.y, status=result.status,
                        basin=result.basin, step=result.step, loss=result.loss,
                        final=result.final, meta=np.array(json.dumps(meta)))
    return out.getvalue()
