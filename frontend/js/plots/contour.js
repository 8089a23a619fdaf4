/**
 * The race seen from above: the surface's contours (Plotly), and over them (a canvas) the
 * critical points, each run's trail and marker at the current frame (the selected run on
 * top), the start, the finish marks and the inspector's arrows; beside it a legend of all
 * of these. Clicking or dragging on it moves the start.
 */

import { Race } from '../race.js';
import { CRITICAL, drawCritical, drawOutcome, paintMarker } from '../palette.js';
import { arrow, label, pageFont, plotHolder } from './overlay.js';
import { levels, mapGrid, SURFACE_COLORSCALE } from './scale.js';
import { sizeOf } from './size.js';
import { fillLegend, legendOf } from './legend.js';
import { num } from '../format.js';
import { tr } from '../i18n.js';

const CONFIG = { displayModeBar: false, responsive: false, scrollZoom: false,
  doubleClick: false };

function figure(grid, scale, box, presenter) {
  const z = mapGrid(grid, scale);
  const lv = levels(z, 22);
  const { view } = grid.surface;
  const points = grid.surface.critical_points.filter((c) => c.point[0] !== null);
  const font = { family: pageFont(), size: presenter ? 18 : 12,
    color: '#2b3645' };
  const axis = { showgrid: false, zeroline: false, ticks: 'outside', ticklen: 4,
    fixedrange: true, constrain: 'domain', linecolor: '#8894a3', mirror: true, nticks: 7 };
  // axes other than x and y are named (a two-weight network's w₁, w₂; a landscape's α, β)
  const names = grid.surface.axes ?? ['x', 'y'];
  const named = names.join() !== 'x,y';
  const room = named ? font.size + 6 : 0;
  return {
    data: [
      { type: 'contour', x: grid.x, y: grid.y, z, hoverinfo: 'skip', showscale: false,
        colorscale: SURFACE_COLORSCALE, autocontour: false,
        contours: { start: lv.start, end: lv.end, size: lv.size, coloring: 'fill' },
        zmin: lv.lo, zmax: lv.hi, line: { width: 0.7, color: 'rgba(40,52,70,0.32)' } },
      // invisible: the glyphs are drawn on the overlay (as in the legend); these give hovers
      ...Object.entries(CRITICAL).map(([kind, style]) => {
        const these = points.filter((c) => c.kind === kind);
        return { type: 'scatter', mode: 'markers', name: style.name,
          x: these.map((c) => c.point[0]), y: these.map((c) => c.point[1]),
          marker: { size: presenter ? 20 : 15, opacity: 0 },
          hovertemplate: `${style.name} (%{x:.4g}, %{y:.4g})<extra></extra>` };
      }),
    ],
    layout: {
      width: box.width, height: box.height, font, showlegend: false,
      margin: { l: (presenter ? 58 : 40) + room, r: 12, t: 14,
        b: (presenter ? 44 : 30) + room },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#fbfaf4',
      xaxis: { ...axis, range: view.x, title: { text: named ? names[0] : '', standoff: 4 } },
      yaxis: { ...axis, range: view.y, scaleanchor: 'x', scaleratio: 1,
        title: { text: named ? names[1] : '', standoff: 4 } },
      dragmode: false, hovermode: 'closest',
    },
  };
}

function trail(ctx, overlay, run, t, style, width) {
  const { path } = run;
  const { color, dash } = style;
  ctx.lineJoin = 'round';
  ctx.lineCap = dash.length ? 'butt' : 'round';
  for (const [stroke, w] of [[style.halo, width + 2.5], [color, width]]) {
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i <= t; i += 1) {
      const x = path[2 * i];
      const y = path[2 * i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      const px = overlay.px(x);
      const py = overlay.py(y);
      if (pen) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
      pen = true;
    }
    ctx.setLineDash(stroke === color ? dash.map((d) => d * width) : []);
    ctx.strokeStyle = stroke;
    ctx.lineWidth = w;
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

/** The point to draw a run's marker at: its position, pulled back inside the plot if it left. */
function onPlot(overlay, x, y) {
  const { left, top, width, height } = overlay.rect;
  const px = overlay.px(x);
  const py = overlay.py(y);
  const inside = px >= left && px <= left + width && py >= top && py <= top + height;
  const cx = Math.min(Math.max(px, left + 8), left + width - 8);
  const cy = Math.min(Math.max(py, top + 8), top + height - 8);
  return { px: cx, py: cy, inside, angle: Math.atan2(py - cy, px - cx) };
}

/** The last finite position at or before frame t (a diverged run is frozen; its path may hold
 * nulls). */
function lastPoint(path, t) {
  for (let i = t; i >= 0; i -= 1) {
    if (Number.isFinite(path[2 * i]) && Number.isFinite(path[2 * i + 1])) {
      return [path[2 * i], path[2 * i + 1]];
    }
  }
  return null;
}

/** A run's finish mark (its outcome's glyph) where it finished; the point it is drawn at. */
function finishMark(ctx, overlay, run, status, at, color, r, size) {
  const point = lastPoint(run.path, at);
  if (!point) return null;
  const p = onPlot(overlay, ...point);
  drawOutcome(ctx, status, p.px, p.py, status === 'diverged' ? r * 1.9 : r * 2.1, color);
  if (status === 'diverged' && !p.inside) {
    const right = p.px > overlay.rect.left + overlay.rect.width * 0.6;
    const k = r * 1.4;
    label(ctx, tr('plot.left_the_plot'), p.px + (right ? -k - 4 : k + 4),
      p.py + (p.py < overlay.rect.top + 20 ? k + 8 : -k), { color, size,
        align: right ? 'right' : 'left' });
  }
  return p;
}

/** Where each run's marker goes at frame t (null: no finite point yet), before spreading. */
function markerPoint(overlay, run, t) {
  const point = lastPoint(run.path, t);
  return point ? { ...onPlot(overlay, ...point), moved: false } : null;
}

/**
 * Markers that would cover one another (runs that stay put together, or meet) are fanned out
 * on a small ring around the place they share, each tied to its true position by a thin
 * line, so that every run stays visible; the others stay exactly where they are. The start
 * mark (`keep`: its centre and radius) is kept clear too: a run that has not left it, or
 * came back, is fanned out beside it rather than drawn over it.
 */
function spread(points, r, rect, keep = null) {
  const gap = 2.3 * r;
  const onKeep = (x, y) => keep && Math.hypot(x - keep.x, y - keep.y) < keep.r + r;
  const live = points.filter(Boolean);
  for (const p of live) Object.assign(p, { x0: p.px, y0: p.py });
  const order = (c) => c.sort((a, b) => points.indexOf(a) - points.indexOf(b));
  /** A cluster's places: one alone stays put (unless on the start); more go on a ring
   * around their true centre, sized for their number, moved inward from an edge whole. */
  const place = (c) => {
    const cx = c.reduce((s, p) => s + p.x0, 0) / c.length;
    const cy = c.reduce((s, p) => s + p.y0, 0) / c.length;
    if (c.length === 1 && !onKeep(cx, cy)) {
      Object.assign(c[0], { px: c[0].x0, py: c[0].y0, moved: false });
      return;
    }
    let ring = c.length > 1 ? Math.max(gap / (2 * Math.sin(Math.PI / c.length)), gap * 0.6) : 0;
    // every place on the ring clear of the start mark
    if (onKeep(cx, cy)) ring = Math.max(ring, Math.hypot(cx - keep.x, cy - keep.y) + keep.r + r);
    const inner = (v, lo, size) => Math.min(Math.max(v, lo + ring + r), lo + size - ring - r);
    const ox = inner(cx, rect.left, rect.width);
    const oy = inner(cy, rect.top, rect.height);
    order(c).forEach((p, k) => {
      const a = -Math.PI / 2 + (2 * Math.PI * k) / c.length;
      Object.assign(p, { moved: true, px: ox + ring * Math.cos(a), py: oy + ring * Math.sin(a) });
    });
  };
  // start from one cluster per marker; while two clusters' places touch, they become one
  const clusters = live.map((p) => [p]);
  for (let round = 0; round < 2 * live.length; round += 1) {
    clusters.forEach(place);
    const touch = (a, b) => a.some((p) => b.some((q) => Math.hypot(p.px - q.px, p.py - q.py)
      < gap));
    let merged = false;
    for (let i = 0; i < clusters.length && !merged; i += 1) {
      for (let j = i + 1; j < clusters.length && !merged; j += 1) {
        if (touch(clusters[i], clusters[j])) {
          clusters[i].push(...clusters.splice(j, 1)[0]);
          merged = true;
        }
      }
    }
    if (!merged) return;
  }
  clusters.forEach(place);
}

/** A run's marker at its (possibly spread) place; a spread one with its tie to the truth. */
function marker(ctx, p, style, r) {
  if (p.moved) {
    ctx.save();
    for (const [stroke, w] of [[style.halo, 3.5], [style.color, 1.5]]) {
      ctx.beginPath();
      ctx.moveTo(p.x0, p.y0);
      ctx.lineTo(p.px, p.py);
      ctx.strokeStyle = stroke;
      ctx.lineWidth = w;
      ctx.stroke();
    }
    ctx.beginPath();
    ctx.arc(p.x0, p.y0, 2.2, 0, 2 * Math.PI);
    ctx.fillStyle = style.color;
    ctx.fill();
    ctx.restore();
  }
  paintMarker(ctx, style, p.px, p.py, r);
  if (!p.inside) {
    arrow(ctx, p.px - 14 * Math.cos(p.angle), p.py - 14 * Math.sin(p.angle), p.px, p.py,
      { color: style.color, width: 2, head: 7 });
  }
}

/** The surface's critical points inside the view, drawn under everything else. */
function criticalPoints(ctx, overlay, grid, r) {
  const kinds = new Set();
  for (const c of grid.surface.critical_points) {
    if (c.point[0] === null || !CRITICAL[c.kind]) continue;
    const px = overlay.px(c.point[0]);
    const py = overlay.py(c.point[1]);
    const { left, top, width, height } = overlay.rect;
    if (px < left || px > left + width || py < top || py > top + height) continue;
    drawCritical(ctx, c.kind, px, py, r);
    kinds.add(c.kind);
  }
  return Object.keys(CRITICAL).filter((k) => kinds.has(k));
}

function startMark(ctx, overlay, start, r, size) {
  const px = overlay.px(start[0]);
  const py = overlay.py(start[1]);
  ctx.beginPath();
  ctx.arc(px, py, r * 1.25, 0, 2 * Math.PI);
  ctx.fillStyle = 'rgba(255,255,255,0.9)';
  ctx.fill();
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = '#1b2430';
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(px, py, r * 0.35, 0, 2 * Math.PI);
  ctx.fillStyle = '#1b2430';
  ctx.fill();
  const right = px > overlay.rect.left + overlay.rect.width - 60;
  const lx = px + (right ? -r * 1.6 : r * 1.6);
  // the label's box, which the inspector's labels keep clear of
  const w = size * 2.6;
  return { x: px, y: py, r: r * 1.25, right, label: { x: right ? lx - w : lx, y: py + r * 1.6,
    w, h: size * 1.2, at: lx } };
}

/** The start's label, drawn over the paths (its mark is under them): trails that leave the
 * start would otherwise cross it out. */
function startLabel(ctx, start, size) {
  label(ctx, tr('plot.start'), start.label.at, start.label.y, { size, baseline: 'top',
    align: start.right ? 'right' : 'left' });
}

/** How much box `b` overlaps the boxes `placed`, in px². */
function overlapArea(b, placed) {
  return placed.reduce((sum, p) => sum
    + Math.max(0, Math.min(b.x + b.w, p.x + p.w) - Math.max(b.x, p.x))
    * Math.max(0, Math.min(b.y + b.h, p.y + p.h) - Math.max(b.y, p.y)), 0);
}

/**
 * A label placed as near its anchor (x, y) as it can be without covering a label placed
 * before it (`placed`: their boxes), inside the plot. It tries its side of the anchor (the
 * other side at the plot's edge) a line lower, a line higher, two lines …, then the other
 * side; failing all, the place it overlaps least. (Stepping down only, five lines at most,
 * pushed a label away from its arrow and still onto another one.) Returns its box.
 */
function placeLabel(ctx, overlay, placed, text, x, y, { color, size, align }) {
  ctx.save();
  ctx.font = `600 ${size}px ${pageFont()}`;
  const w = ctx.measureText(text).width + 6;
  ctx.restore();
  const h = size * 1.2;
  const { left, top, width, height } = overlay.rect;
  let side = align;
  if (side === 'left' && x + w > left + width) side = 'right';
  if (side === 'right' && x - w < left) side = 'left';
  const box = (onSide, lines) => ({
    x: Math.min(Math.max(onSide === 'left' ? x : x - w, left + 2), left + width - w - 2),
    y: Math.min(Math.max(y - size * 0.6 + lines * h, top + 2), top + height - h - 2), w, h });
  let best = null;
  for (const onSide of [side, side === 'left' ? 'right' : 'left']) {
    for (let k = 0; k <= 8; k += 1) {
      const b = box(onSide, (k % 2 ? 1 : -1) * Math.ceil(k / 2));
      const cost = overlapArea(b, placed);
      if (!best || cost < best.cost) best = { box: b, cost };
      if (cost === 0) break;
    }
    if (best.cost === 0) break;
  }
  placed.push(best.box);
  label(ctx, text, best.box.x + 3, best.box.y + size * 0.6, { color, size, align: 'left' });
  return best.box;
}

/**
 * Arrows of the inspector, in data units. A `direction` arrow (a gradient's size is in loss
 * per unit, not a distance) has a fixed length on screen with its magnitude printed, and is
 * not drawn at all once that magnitude has all but vanished (below a millionth of the
 * `reference`, its size at the start): an arrow would claim a pull that is not there. A
 * `true` arrow is drawn to scale, magnified by a power of ten — and labelled so — when it
 * would be too short to see. Returns the arrows as drawn (for the tests).
 */
function inspectorArrows(ctx, overlay, arrows, size, taken = []) {
  const placed = [...taken];
  const drawn = [];
  for (const a of arrows) {
    const x0 = overlay.px(a.from[0]);
    const y0 = overlay.py(a.from[1]);
    if (a.lookahead) {
      const lx = overlay.px(a.lookahead[0]);
      const ly = overlay.py(a.lookahead[1]);
      ctx.save();
      ctx.setLineDash([3, 3]);
      ctx.strokeStyle = '#1b2430';
      ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(lx, ly); ctx.stroke();
      ctx.setLineDash([]);
      ctx.beginPath(); ctx.arc(lx, ly, 5, 0, 2 * Math.PI);
      ctx.fillStyle = '#fff'; ctx.fill(); ctx.stroke();
      ctx.restore();
      placeLabel(ctx, overlay, placed, tr('plot.lookahead'), lx + 8, ly - 8,
        { size: size - 1, align: 'left' });
    }
    const from = a.lookahead ?? a.from;
    const fx = overlay.px(from[0]);
    const fy = overlay.py(from[1]);
    let dx = overlay.px(from[0] + a.vector[0]) - fx;
    let dy = overlay.py(from[1] + a.vector[1]) - fy;
    const length = Math.hypot(dx, dy);
    const magnitude = Math.hypot(...a.vector);
    let text = a.label;
    let scale = 1;
    if (a.mode === 'direction') {
      if (!(length > 0) || magnitude <= (a.reference ?? 0) * 1e-6) {
        const box = placeLabel(ctx, overlay, placed, magnitude === 0 ? `${a.label} = 0`
          : `${a.label} ≈ 0 (${num(magnitude, 2)})`, fx + 8, fy,
          { color: a.color, size, align: 'left' });
        drawn.push({ label: a.label, mode: a.mode, length: 0, magnitude, reference: a.reference,
          box });
        continue;
      }
      scale = 58 / length;
      text += ` (${num(magnitude, 2)})`;
    } else {
      if (!(length > 0)) continue;
      if (length < 14) {
        // magnify a short arrow by a power of ten, up to 1000: anything shorter is "at rest"
        scale = 10 ** Math.ceil(Math.log10(14 / length));
        if (scale > 1000) {
          const box = placeLabel(ctx, overlay, placed, `${a.label} ≈ 0`, fx + 8, fy,
            { color: a.color, size, align: 'left' });
          drawn.push({ label: a.label, mode: a.mode, length: 0, magnitude,
            reference: a.reference, box });
          continue;
        }
        text += ` ×${scale}`;
      }
    }
    dx *= scale;
    dy *= scale;
    arrow(ctx, fx, fy, fx + dx, fy + dy, { color: a.color, width: 2.5, dash: a.dash ?? [] });
    const box = placeLabel(ctx, overlay, placed, text, fx + dx + 5 * Math.sign(dx || 1),
      fy + dy, { color: a.color, size, align: dx < 0 ? 'right' : 'left' });
    drawn.push({ label: a.label, mode: a.mode, length: Math.hypot(dx, dy), magnitude,
      reference: a.reference, scale, text, box });
  }
  return drawn;
}

/** A round length near `span` for a scale bar: 1, 2 or 5 times a power of ten. */
function niceLength(span) {
  const power = 10 ** Math.floor(Math.log10(span));
  return [5, 2, 1].map((f) => f * power).find((v) => v <= span) ?? power;
}

/**
 * The first `k` steps of every run, magnified in a corner of the plot (the one the race's
 * paths cross least), with a scale bar, the zoom factor and a frame
 * around the magnified region in the plot itself. A lesson about the first step (Adam's bias
 * correction) needs it: at the plot's own scale that step is a pixel long.
 */
function inset(ctx, overlay, race, t, styles, k, { r, size, avoid }) {
  const steps = Math.min(k, t);
  const firsts = race.runs.map((run) => {
    const points = [];
    for (let i = 0; i <= steps; i += 1) {
      const x = run.path[2 * i];
      const y = run.path[2 * i + 1];
      if (Number.isFinite(x) && Number.isFinite(y)) points.push([x, y]);
    }
    return points;
  });
  const all = firsts.flat();
  if (steps < 1 || all.length < 2) return null;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys))
    * 1.35 || 1e-9;
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  const { left, top, width, height } = overlay.rect;
  const side = Math.min(width, height) * 0.5;
  const pad = 6;
  const corners = [[left + pad, top + pad], [left + width - side - pad, top + pad],
    [left + pad, top + height - side - pad], [left + width - side - pad, top + height - side - pad]];
  // one corner for the whole race (no jumping while it plays): the one fewest points of the
  // whole paths fall in, then the one farthest from the start
  const covered = (c) => race.runs.reduce((n, run) => {
    for (let i = 0; i < run.path.length / 2; i += 1) {
      const px = overlay.px(run.path[2 * i]);
      const py = overlay.py(run.path[2 * i + 1]);
      if (px >= c[0] - r && px <= c[0] + side + r && py >= c[1] - r && py <= c[1] + side + r) {
        n += 1;
      }
    }
    return n;
  }, 0);
  const far = (c) => Math.hypot(c[0] + side / 2 - avoid.x, c[1] + side / 2 - avoid.y);
  const score = corners.map((c) => [covered(c), -far(c)]);
  const best = score.reduce((b, s, i) => (s[0] < score[b][0]
    || (s[0] === score[b][0] && s[1] < score[b][1]) ? i : b), 0);
  const [bx, by] = corners[best];
  const scale = (side - 24) / span;
  const ix = (x) => bx + side / 2 + (x - cx) * scale;
  const iy = (y) => by + side / 2 + 8 - (y - cy) * scale;
  const zoom = scale / Math.abs(overlay.px(1) - overlay.px(0));
  // the magnified region, framed in the plot, and tied to the inset
  const fx = overlay.px(cx);
  const fy = overlay.py(cy);
  const half = Math.max((span / 2) * Math.abs(overlay.px(1) - overlay.px(0)), 5);
  ctx.save();
  ctx.strokeStyle = '#1b2430';
  ctx.lineWidth = 1.2;
  ctx.setLineDash([4, 3]);
  ctx.strokeRect(fx - half, fy - half, 2 * half, 2 * half);
  ctx.beginPath();
  ctx.moveTo(fx, fy);
  ctx.lineTo(Math.min(Math.max(fx, bx), bx + side), Math.min(Math.max(fy, by), by + side));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = '#fff';
  ctx.fillRect(bx, by, side, side);
  ctx.lineWidth = 1.5;
  ctx.strokeRect(bx, by, side, side);
  ctx.beginPath();
  ctx.rect(bx, by, side, side);
  ctx.clip();
  firsts.forEach((points, i) => {
    if (!points.length) return;
    ctx.beginPath();
    points.forEach(([x, y], j) => (j ? ctx.lineTo(ix(x), iy(y)) : ctx.moveTo(ix(x), iy(y))));
    ctx.strokeStyle = styles[i].color;
    ctx.lineWidth = 2;
    ctx.setLineDash(styles[i].dash.map((d) => d * 2));
    ctx.stroke();
    ctx.setLineDash([]);
    for (const [x, y] of points.slice(1, -1)) {
      ctx.beginPath();
      ctx.arc(ix(x), iy(y), 2.5, 0, 2 * Math.PI);
      ctx.fillStyle = styles[i].color;
      ctx.fill();
    }
  });
  const [sx, sy] = all[0];
  ctx.beginPath();
  ctx.arc(ix(sx), iy(sy), r * 0.9, 0, 2 * Math.PI);
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#1b2430';
  ctx.stroke();
  firsts.forEach((points, i) => {
    const [x, y] = points.at(-1) ?? [];
    if (points.length > 1) paintMarker(ctx, styles[i], ix(x), iy(y), r * 0.8);
  });
  // title, and a scale bar in the surface's units
  const text = tr('plot.inset', { count: steps, zoom: num(zoom, 2) });
  label(ctx, text, bx + 5, by + size * 0.75, { size: size * 0.9, align: 'left' });
  const bar = niceLength(span * 0.35);
  const y0 = by + side - 9;
  ctx.beginPath();
  ctx.moveTo(bx + 8, y0);
  ctx.lineTo(bx + 8 + bar * scale, y0);
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#1b2430';
  ctx.stroke();
  label(ctx, num(bar, 1), bx + 12 + bar * scale, y0 - 1, { size: size * 0.85, align: 'left' });
  ctx.restore();
  return { x: bx, y: by, side, steps, zoom };
}

function drawOverlay(m, data) {
  const { overlay } = m;
  const { race, frame, styles, presenter, arrows, start, grid } = data;
  const ctx = overlay.begin();
  const width = presenter ? 4.5 : 2.6;
  const r = presenter ? 9.5 : 6.5;
  const size = presenter ? 18 : 12.5;
  // (`frame`: what a test waits for, so that it never reads an earlier frame's overlay)
  const drawn = { frame, markers: [], finishes: [], start: null, critical: [], outcomes: [] };
  drawn.critical = criticalPoints(ctx, overlay, grid, presenter ? 10 : 7.5);
  // the start goes under the runs: a run that has not moved yet stays visible on it
  if (start) drawn.start = startMark(ctx, overlay, start, r, size);
  if (race) {
    const t = Math.min(frame, race.available);
    // the selected run is drawn last, on top of the others
    const order = race.runs.map((_, i) => i);
    const sel = Math.min(Math.max(data.selected ?? 0, 0), race.runs.length - 1);
    if (race.runs.length) order.push(...order.splice(sel, 1));
    for (const i of order) trail(ctx, overlay, race.runs[i], t, styles[i], width);
    const shown = new Set();
    for (const i of order) {
      const run = race.runs[i];
      const at = Race.finishStep(run, race.steps);
      const status = run.divergedAt !== null ? 'diverged' : run.outcome?.status;
      if (at !== null && at <= t && status && status !== 'unfinished') {
        const p = finishMark(ctx, overlay, run, status, at, styles[i].color, r, size);
        if (p) drawn.finishes.push({ run: i, status, x: p.px, y: p.py });
        shown.add(status);
      }
    }
    drawn.outcomes = ['converged', 'stalled', 'diverged'].filter((k) => shown.has(k));
    const points = race.runs.map((run) => markerPoint(overlay, run, t));
    spread(points, r, overlay.rect, drawn.start);
    for (const i of order) {
      const p = points[i];
      if (!p) continue;
      marker(ctx, p, styles[i], r);
      drawn.markers.push({ run: i, label: race.runs[i].info.label, x: p.px, y: p.py, r,
        inside: p.inside, moved: p.moved });
    }
  }
  if (drawn.start) startLabel(ctx, drawn.start, size);
  if (arrows?.length) {
    // the arrows' labels keep clear of the start's label and of every run's marker
    const markers = [...drawn.markers, ...drawn.finishes].map((p) => ({ x: p.x - 1.4 * r,
      y: p.y - 1.4 * r, w: 2.8 * r, h: 2.8 * r }));
    drawn.arrows = inspectorArrows(ctx, overlay, arrows, size,
      [...(drawn.start ? [drawn.start.label] : []), ...markers]);
  }
  if (race && data.inset) {
    drawn.inset = inset(ctx, overlay, race, Math.min(frame, race.available), styles,
      data.inset, { r, size, avoid: drawn.start ?? { x: 0, y: 0 } });
  }
  overlay.end();
  return drawn;
}

/**
 * Draw the contour view.
 * @param {HTMLElement} el the view's container (sized by the page's layout)
 * @param {Object} state the page state (for presenter mode)
 * @param {{grid: Object, scale: Object, race: ?Race, frame: number, styles: Object[],
 *   arrows: Object[], start: ?number[]}} data
 * @returns {Promise<void>} resolved once drawn
 */
export async function render(el, state, data) {
  const m = plotHolder(el);
  if (!data.grid) return;
  const size = sizeOf(el);
  const box = { width: Math.max(size.width, 50), height: Math.max(size.height, 50) };
  const key = [data.grid, box.width, box.height, state.presenter];
  if (!m.key || key.some((v, i) => v !== m.key[i])) {
    const view = JSON.stringify(data.grid.surface.view);
    m.key = key;
    const fig = figure(data.grid, data.scale, box, state.presenter);
    await (view === m.view ? Plotly.react : Plotly.newPlot)(m.graph, fig.data, fig.layout,
      CONFIG);
    m.view = view;
    m.overlay.sync(m.graph);
  }
  const drawn = drawOverlay(m, data);
  // what was drawn where, in pixels of the plot (read by the browser tests)
  el.drawn = drawn;
  const race = data.race;
  fillLegend(legendOf(el), {
    runs: race ? race.runs.map((run, i) => ({ label: run.info.label, style: data.styles[i] }))
      : [],
    critical: drawn.critical, outcomes: drawn.outcomes, size: state.presenter ? 17 : 14 });
}

/** The view as one PNG (contours and the race over them). */
export function toImage(el) {
  const m = plotHolder(el);
  return m.overlay.composite(m.graph);
}

/**
 * Call `pick(point, phase, event)` when the plot is clicked ('down'), dragged ('move') or
 * released ('up'), with the data coordinates under the pointer.
 */
export function onPick(el, pick) {
  const m = plotHolder(el);
  let dragging = false;
  el.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    const point = m.overlay.toData(event);
    if (!point) return;
    dragging = true;
    el.setPointerCapture(event.pointerId);
    event.preventDefault();
    pick(point, 'down', event);
  }, true);
  el.addEventListener('pointermove', (event) => {
    const point = m.overlay.toData(event);
    el.classList.toggle('picking', point !== null);
    if (dragging && point) pick(point, 'move', event);
  }, true);
  const release = (event) => {
    if (!dragging) return;
    dragging = false;
    const point = m.overlay.toData(event);
    if (point) pick(point, 'up', event);
  };
  el.addEventListener('pointerup', release, true);
  el.addEventListener('pointercancel', release, true);
}
