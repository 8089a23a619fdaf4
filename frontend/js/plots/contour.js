/**
 * The race seen from above: the surface's contours (Plotly), and over them (a canvas) each
 * run's trail and marker at the current frame, the start, the finish marks and the
 * inspector's arrows. Clicking or dragging on it moves the start.
 */

import { Race } from '../race.js';
import { colorOf, shapeOf, shapePath, dashOf } from '../palette.js';
import { arrow, label, pageFont, plotHolder } from './overlay.js';
import { levels, mapGrid, SURFACE_COLORSCALE } from './scale.js';
import { sizeOf } from './size.js';

const CONFIG = { displayModeBar: false, responsive: false, scrollZoom: false,
  doubleClick: false };
const CRITICAL = {
  global_min: { symbol: 'star', size: 15, name: 'global minimum' },
  local_min: { symbol: 'star-open', size: 13, name: 'local minimum' },
  saddle: { symbol: 'x-thin-open', size: 12, name: 'saddle point' },
  local_max: { symbol: 'triangle-up-open', size: 11, name: 'local maximum' },
};

function figure(grid, scale, box, presenter) {
  const z = mapGrid(grid, scale);
  const lv = levels(z, 22);
  const { view } = grid.surface;
  const points = grid.surface.critical_points.filter((c) => c.point[0] !== null);
  const font = { family: pageFont(), size: presenter ? 16 : 12,
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
      ...Object.entries(CRITICAL).map(([kind, style]) => {
        const these = points.filter((c) => c.kind === kind);
        return { type: 'scatter', mode: 'markers', name: style.name,
          x: these.map((c) => c.point[0]), y: these.map((c) => c.point[1]),
          marker: { symbol: style.symbol, size: style.size * (presenter ? 1.3 : 1),
            color: '#1b2430', line: { width: 1.5, color: '#1b2430' } },
          hovertemplate: `${style.name} (%{x:.4g}, %{y:.4g})<extra></extra>` };
      }),
    ],
    layout: {
      width: box.width, height: box.height, font, showlegend: false,
      margin: { l: (presenter ? 52 : 40) + room, r: 12, t: 14,
        b: (presenter ? 40 : 30) + room },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#fbfaf4',
      xaxis: { ...axis, range: view.x, title: { text: named ? names[0] : '', standoff: 4 } },
      yaxis: { ...axis, range: view.y, scaleanchor: 'x', scaleratio: 1,
        title: { text: named ? names[1] : '', standoff: 4 } },
      dragmode: false, hovermode: 'closest',
    },
  };
}

function trail(ctx, overlay, run, t, color, dash, width) {
  const { path } = run;
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  for (const [stroke, w] of [['rgba(255,255,255,0.85)', width + 2.5], [color, width]]) {
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

function finishMark(ctx, overlay, run, status, at, color, r, size) {
  const point = lastPoint(run.path, at);
  if (!point) return;
  const p = onPlot(overlay, ...point);
  ctx.save();
  ctx.lineWidth = 3;
  ctx.strokeStyle = color;
  if (status === 'diverged') {
    const k = r * 1.4;
    ctx.lineWidth = 3.5;
    for (const s of ['rgba(255,255,255,0.9)', color]) {
      ctx.strokeStyle = s;
      ctx.lineWidth = s === color ? 3.5 : 7;
      ctx.beginPath();
      ctx.moveTo(p.px - k, p.py - k); ctx.lineTo(p.px + k, p.py + k);
      ctx.moveTo(p.px + k, p.py - k); ctx.lineTo(p.px - k, p.py + k);
      ctx.stroke();
    }
    const right = p.px > overlay.rect.left + overlay.rect.width * 0.6;
    label(ctx, p.inside ? 'diverged' : 'diverged: left the plot', p.px + (right ? -k - 4 : k + 4),
      p.py + (p.py < overlay.rect.top + 20 ? k + 8 : -k), { color, size,
        align: right ? 'right' : 'left' });
  } else {
    ctx.beginPath();
    ctx.arc(p.px, p.py, r * 2.1, 0, 2 * Math.PI);
    ctx.strokeStyle = 'rgba(255,255,255,0.9)';
    ctx.lineWidth = 6;
    ctx.stroke();
    ctx.strokeStyle = color;
    ctx.lineWidth = 3;
    if (status !== 'converged') ctx.setLineDash([4, 3]);
    ctx.stroke();
  }
  ctx.restore();
}

/** Which finish mark means what, for the marks on the plot (solid ring, dashed ring, cross). */
function finishLegend(ctx, overlay, shown, size) {
  const words = { converged: '◯ converged', stalled: '◌ stalled', diverged: '✕ diverged' };
  const text = Object.keys(words).filter((k) => shown.has(k)).map((k) => words[k]).join('   ');
  if (text) {
    label(ctx, text, overlay.rect.left + 6, overlay.rect.top + overlay.rect.height - 6,
      { size: size - 1, baseline: 'bottom', weight: 500 });
  }
}

function marker(ctx, overlay, run, t, color, shape, r) {
  const point = lastPoint(run.path, t);
  if (!point) return;
  const p = onPlot(overlay, ...point);
  shapePath(ctx, shape, p.px, p.py, r);
  ctx.fillStyle = color;
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#ffffff';
  ctx.stroke();
  if (!p.inside) {
    arrow(ctx, p.px - 14 * Math.cos(p.angle), p.py - 14 * Math.sin(p.angle), p.px, p.py,
      { color, width: 2, head: 7 });
  }
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
  label(ctx, 'start', px + (right ? -r * 1.6 : r * 1.6), py + r * 1.6,
    { size, baseline: 'top', align: right ? 'right' : 'left' });
}

/**
 * Arrows of the inspector, in data units. A `direction` arrow has a fixed length on screen
 * (a gradient's size is in loss per unit, not in distance); a `true` arrow is drawn to scale,
 * magnified by a power of ten — and labelled so — when it would be too short to see.
 */
function inspectorArrows(ctx, overlay, arrows, size) {
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
      label(ctx, 'look-ahead', lx + 8, ly - 8, { size: size - 1 });
    }
    const from = a.lookahead ?? a.from;
    const fx = overlay.px(from[0]);
    const fy = overlay.py(from[1]);
    let dx = overlay.px(from[0] + a.vector[0]) - fx;
    let dy = overlay.py(from[1] + a.vector[1]) - fy;
    const length = Math.hypot(dx, dy);
    if (!(length > 0)) continue;
    let text = a.label;
    if (a.mode === 'direction') {
      dx *= 58 / length;
      dy *= 58 / length;
    } else if (length < 14) {
      // magnify a short arrow by a power of ten, up to 1000: anything shorter is "at rest"
      const k = 10 ** Math.ceil(Math.log10(14 / length));
      if (k > 1000) continue;
      dx *= k;
      dy *= k;
      text += ` ×${k}`;
    }
    arrow(ctx, fx, fy, fx + dx, fy + dy, { color: a.color, width: 2.5, dash: a.dash ?? [] });
    label(ctx, text, fx + dx + 5 * Math.sign(dx || 1), fy + dy,
      { color: a.color, size, align: dx < 0 ? 'right' : 'left' });
  }
}

function drawOverlay(m, data) {
  const { overlay } = m;
  const { race, frame, styles, presenter, arrows, start } = data;
  const ctx = overlay.begin();
  const width = presenter ? 4.5 : 2.6;
  const r = presenter ? 9 : 6.5;
  const size = presenter ? 17 : 12.5;
  if (race) {
    const t = Math.min(frame, race.available);
    race.runs.forEach((run, i) => {
      const style = styles[i];
      trail(ctx, overlay, run, t, colorOf(style.color), dashOf(style.position), width);
    });
    const shown = new Set();
    race.runs.forEach((run, i) => {
      const at = Race.finishStep(run, race.steps);
      const status = run.divergedAt !== null ? 'diverged' : run.outcome?.status;
      if (at !== null && at <= t && status && status !== 'unfinished') {
        finishMark(ctx, overlay, run, status, at, colorOf(styles[i].color), r, size);
        shown.add(status);
      }
    });
    finishLegend(ctx, overlay, shown, size);
    race.runs.forEach((run, i) => {
      marker(ctx, overlay, run, t, colorOf(styles[i].color), shapeOf(styles[i].position), r);
    });
  }
  if (start) startMark(ctx, overlay, start, r, size);
  if (arrows?.length) inspectorArrows(ctx, overlay, arrows, size);
  overlay.end();
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
  drawOverlay(m, data);
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
