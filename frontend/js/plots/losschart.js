/**
 * Loss per step, on a log scale, growing with the playback: Plotly draws the axes once per
 * race (and when more of a streamed race arrives), a canvas draws the curves up to the
 * current frame and the playhead. Where the surface's minimum value f* is known the chart
 * shows the gap f − f*, which a log scale can follow all the way down; where losses can be
 * negative and f* is unknown it falls back to a linear scale. Given a `quantity`, it charts
 * another per-step series of the runs the same way (a network's accuracy).
 */

import { paintMarker } from '../palette.js';
import { Overlay, label, pageFont } from './overlay.js';
import { sizeOf } from './size.js';
import { fillLegend, legendOf } from './legend.js';
import { tr } from '../i18n.js';

const CONFIG = { displayModeBar: false, responsive: false };
const memo = new WeakMap();

/**
 * A per-step series of every run: `key` names the run's array, `shift` is subtracted from
 * it, `log` asks for a log axis (`'auto'`: when every value is positive), `format` is
 * Plotly's tick format. `held` names the same quantity on held-out data, drawn dotted in the
 * run's colour when the race has it, with a ring at each run's best validation step (and a
 * pause mark ‖ where early stopping stopped it).
 * @typedef {{key: string, shift: number, log: boolean|'auto', title: string,
 *   format?: string, held?: string}} Quantity
 */

/** The longest the axes lag behind a race that is still streaming in (ms). */
const STREAMING_AXES_INTERVAL = 250;

/** The dash of a held-out curve, in line widths. */
const HELD_DASH = [1, 2.5];

/** The keys of the series a race's chart of `q` draws. */
const seriesOf = (race, q) => (q.held && race.validation ? [q.key, q.held] : [q.key]);

/** The loss of a surface race: as the gap f − f* where the surface's f* is known. */
function lossOf(race) {
  const fStar = race.surface.f_star;
  return fStar === null ? { key: 'loss', shift: 0, log: 'auto', title: tr('plot.loss') }
    : { key: 'loss', shift: fStar, log: true, title: 'f − f*' };
}

/** What the chart plots for a race: the quantity, its axis type and its range. */
function measure(race, q) {
  const { shift, title, format = '' } = q;
  let lo = Infinity;
  let hi = -Infinity;
  let first = -Infinity;
  const keys = seriesOf(race, q);
  for (const run of race.runs) {
    for (const key of keys) {
      const values = run[key];
      if (Number.isFinite(values[0])) first = Math.max(first, values[0] - shift);
      for (let t = 0; t <= race.available; t += 1) {
        const v = values[t] - shift;
        if (!Number.isFinite(v)) continue;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  const log = q.log === 'auto' ? lo > 0 : q.log;
  if (!Number.isFinite(lo)) {
    return { shift, log: false, range: [0, 1], title, format, key: q.key, keys };
  }
  if (Number.isFinite(first)) hi = Math.min(hi, Math.abs(first) * 1e3);
  if (log) {
    // whole decades, so that a nudged slider rarely has to redraw the axes
    const floor = 10 ** Math.floor(Math.log10(Math.max(lo, 1e-16, hi * 1e-15)));
    const top = 10 ** Math.ceil(Math.log10(Math.max(hi, floor * 10)));
    return { shift, log, floor, range: [Math.log10(floor) - 0.15, Math.log10(top) + 0.15],
      title, format, key: q.key, keys };
  }
  const pad = (hi - lo) * 0.08 || 1;
  return { shift, log, range: [lo - pad, hi + pad], title, format, key: q.key, keys };
}

/** A streaming race's axes cover what the axes on screen cover too, when they chart the same
 * quantity the same way: the race a dragged slider asks for next usually ends in the same
 * range, and its first frames then cost no redraw of the axes at all. */
function widened(m, shown) {
  if (!shown || shown.log !== m.log || shown.shift !== m.shift
    || shown.keys.join() !== m.keys.join()) return m;
  const range = [Math.min(m.range[0], shown.range[0]), Math.max(m.range[1], shown.range[1])];
  return { ...m, range, floor: m.log ? Math.min(m.floor, shown.floor) : undefined };
}

/** Tick spacing of a log axis over `range` (log₁₀ units): whole decades, at most about five
 * labels; on a short range, 1, 2 and 5 of each decade (a label on every digit is a smudge). */
/** Decades between labelled ticks: at most five labels, and no more than the axis has room
 * for (a power of ten is about two lines of text high; a short chart had them touching). */
function logTicks([lo, hi], height, fontSize) {
  const decades = hi - lo - 0.3;
  const room = Math.max(2, Math.floor(height / (2.4 * fontSize)));
  return decades >= 2 ? Math.ceil(decades / Math.min(5, room)) : 'D2';
}

/** How much more plot area the legend above must leave than the legend beside. */
const ABOVE_GAIN = 1.25;

/**
 * The room the axes' ticks and titles take, left and below, and on the right (with no legend
 * there) half of the last step's tick label.
 */
const axisMargins = (presenter) => ({ l: presenter ? 86 : 56, b: presenter ? 48 : 34,
  r: presenter ? 28 : 20 });

/**
 * Where the legend leaves the plot more room: beside it, as a column in the right margin
 * (presenter mode at 1024 × 768 left the plot 70 px of a 290-px chart), or above it in rows
 * where that leaves the plot clearly more (ABOVE_GAIN): two rows over a six-run race left a
 * plot a little larger but half as tall, too flat to read.
 * @returns {{side: number, above: number}}
 */
function legendRoom(legend, box, presenter) {
  const { l, b, r } = axisMargins(presenter);
  legend.classList.remove('above');
  const side = legend.offsetWidth;
  legend.classList.add('above');
  const above = legend.offsetHeight;
  const beside = (box.width - l - side - 6) * (box.height - b - 8);
  const under = (box.width - l - r) * (box.height - b - 8 - above);
  const goesAbove = under > beside * ABOVE_GAIN;
  legend.classList.toggle('above', goesAbove);
  return goesAbove ? { side: 0, above } : { side, above: 0 };
}

/**
 * @param {{side: number, above: number}} legend  the room the legend takes: its width in the
 *   right margin, or (when it sits above the plot) its height
 */
function figure(race, m, box, presenter, legend) {
  const font = { family: pageFont(), size: presenter ? 17 : 11,
    color: '#2b3645' };
  const axes = axisMargins(presenter);
  const margin = { l: axes.l, b: axes.b, r: legend.above ? axes.r : legend.side + 6,
    t: legend.above + 8 };
  return {
    data: [],
    layout: {
      width: box.width, height: box.height, font, showlegend: false, margin,
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff', dragmode: false,
      hovermode: false,
      xaxis: { range: [0, race.steps], title: { text: tr('plot.step'), standoff: 4 }, fixedrange: true,
        zeroline: false, gridcolor: '#e7eaee', linecolor: '#8894a3', ticks: 'outside',
        tickangle: 0, nticks: Math.max(3, Math.floor((box.width - legend.side) / 90)) },
      yaxis: { type: m.log ? 'log' : 'linear', range: m.range, fixedrange: true,
        title: { text: m.title, standoff: 4 }, exponentformat: 'power', zeroline: false,
        tickformat: m.format,
        dtick: m.log ? logTicks(m.range, box.height - margin.t - margin.b, font.size) : undefined,
        gridcolor: '#e7eaee', linecolor: '#8894a3', ticks: 'outside', nticks: 6 },
    },
  };
}

function drawOverlay(h, race, frame, styles, presenter) {
  const { overlay, measured: m } = h;
  const ctx = overlay.begin();
  const t = Math.min(frame, race.available);
  const value = (v) => {
    const q = v - m.shift;
    return m.log ? Math.max(q, m.floor) : q;
  };
  const width = presenter ? 4 : 2;
  m.keys.forEach((key, held) => race.runs.forEach((run, i) => {
    ctx.beginPath();
    let pen = false;
    for (let k = 0; k <= t; k += 1) {
      const v = run[key][k];
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      const x = overlay.px(k);
      const y = overlay.py(value(v));
      if (pen) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      pen = true;
    }
    ctx.strokeStyle = styles[i].color;
    ctx.lineWidth = width;
    ctx.lineJoin = 'round';
    ctx.setLineDash((held ? HELD_DASH : styles[i].dash).map((d) => d * width));
    ctx.stroke();
    ctx.setLineDash([]);
  }));
  if (m.keys.length > 1) drawBest(ctx, overlay, race, m.keys[1], t, styles, value, presenter);
  const x = overlay.px(t);
  ctx.strokeStyle = 'rgba(27,36,48,0.55)';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(x, overlay.rect.top);
  ctx.lineTo(x, overlay.rect.top + overlay.rect.height);
  ctx.stroke();
  race.runs.forEach((run, i) => {
    const v = run[m.key][t];
    if (!Number.isFinite(v)) return;
    paintMarker(ctx, styles[i], x, overlay.py(value(v)), presenter ? 7 : 4.5);
  });
  overlay.end();
  label(ctx, tr('plot.step_at', { step: t }),
    Math.min(x + 6, overlay.rect.left + overlay.rect.width - 4),
    overlay.rect.top + 10, { size: presenter ? 17 : 11.5,
      align: x + 70 > overlay.rect.left + overlay.rect.width ? 'right' : 'left' });
}

/** Early stopping's mark: two upright bars (‖, a pause), a glyph no optimizer and no
 * other outcome uses (a cross reads as diverged; the polygons are optimizers' markers). */
function stopMark(ctx, x, y, r) {
  ctx.beginPath();
  for (const dx of [-0.45 * r, 0.45 * r]) {
    ctx.moveTo(x + dx, y - 1.1 * r);
    ctx.lineTo(x + dx, y + 1.1 * r);
  }
  ctx.stroke();
}

/** A ring at each run's best validation step once the playhead has passed it, and a pause
 * mark (‖) on the held-out curve where early stopping stopped the run. */
function drawBest(ctx, overlay, race, key, t, styles, value, presenter) {
  const r = presenter ? 8 : 5;
  ctx.lineWidth = presenter ? 3 : 2;
  race.runs.forEach((run, i) => {
    ctx.strokeStyle = styles[i].color;
    const at = (k) => [overlay.px(k), overlay.py(value(run[key][k]))];
    if (run.bestStep !== null && run.bestStep <= t && Number.isFinite(run[key][run.bestStep])) {
      const [x, y] = at(run.bestStep);
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.stroke();
    }
    if (run.stoppedAt !== null && run.stoppedAt <= t && Number.isFinite(run[key][run.stoppedAt])) {
      const [x, y] = at(run.stoppedAt);
      stopMark(ctx, x, y, r);
    }
  });
}

/** Legend entries for the held-out curve and its marks, in the neutral ink. */
function heldOutEntries() {
  const ink = '#2b3645';
  return [
    { label: tr('plot.validation'), draw: (ctx, x, y, r) => {
      ctx.strokeStyle = ink;
      ctx.lineWidth = 2;
      ctx.setLineDash(HELD_DASH.map((d) => d * 2));
      ctx.beginPath();
      ctx.moveTo(x - 1.5 * r, y);
      ctx.lineTo(x + 1.5 * r, y);
      ctx.stroke();
      ctx.setLineDash([]);
    } },
    { label: tr('plot.best_step'), draw: (ctx, x, y, r) => {
      ctx.strokeStyle = ink;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x, y, r * 0.8, 0, 2 * Math.PI);
      ctx.stroke();
    } },
    { label: tr('plot.stopped'), draw: (ctx, x, y, r) => {
      ctx.strokeStyle = ink;
      ctx.lineWidth = 2;
      stopMark(ctx, x, y, r * 0.8);
    } },
  ];
}

/**
 * Draw the loss chart (or the chart of `data.quantity`) at `data.frame`.
 * @param {HTMLElement} el  @param {Object} state
 * @param {{race: ?Object, frame: number, styles: Object[], quantity?: Quantity}} data
 * @returns {Promise<void>}
 */
export async function render(el, state, data) {
  let h = memo.get(el);
  if (!h) {
    const graph = document.createElement('div');
    graph.className = 'graph';
    el.append(graph);
    h = { graph, overlay: new Overlay(el), race: null, available: -1, measured: null,
      measuredAt: 0, figKey: '' };
    memo.set(el, h);
  }
  const { race } = data;
  if (!race || race.available < 0) {
    h.overlay.begin();
    h.overlay.end();
    return;
  }
  // While a race streams in, its range grows frame line by frame line, and each new range
  // costs Plotly a redraw of the axes (in a slider drag, 90 % of the page's script time went
  // there): the axes follow a streaming race a few times a second, and exactly once it is done.
  const now = performance.now();
  if (h.race !== race || (h.available !== race.available
    && (race.done || now - h.measuredAt > STREAMING_AXES_INTERVAL))) {
    h.race = race;
    h.available = race.available;
    const measured = measure(race, data.quantity ?? lossOf(race));
    h.measured = race.done ? measured : widened(measured, h.measured);
    h.measuredAt = now;
  }
  const size = sizeOf(el);
  const box = { width: Math.max(size.width, 50), height: Math.max(size.height, 50) };
  // the legend sits in the chart's right margin, made as wide as it, or above the plot
  const legend = legendOf(el, 'inside');
  const held = h.measured.keys.length > 1;
  const stopped = race.runs.some((run) => run.stoppedAt !== null);
  fillLegend(legend, { runs: race.runs.map((run, i) => ({ label: run.info.label,
    style: data.styles[i] })), size: state.presenter ? 18 : 12, length: 1.7,
  marks: held ? heldOutEntries().slice(0, stopped ? 3 : 2) : [] });
  const legendBox = `${box.width}×${box.height}${state.presenter ? ' presenter' : ''}`;
  if (h.legendKey !== legend.dataset.key || h.legendBox !== legendBox) {
    h.legendKey = legend.dataset.key;
    h.legendBox = legendBox;
    h.legendRoom = legendRoom(legend, box, state.presenter);
  }
  const figKey = JSON.stringify([h.measured, race.steps, box, state.presenter, h.legendRoom]);
  if (figKey !== h.figKey) {
    h.figKey = figKey;
    const fig = figure(race, h.measured, box, state.presenter, h.legendRoom);
    await Plotly.react(h.graph, fig.data, fig.layout, CONFIG);
    h.overlay.sync(h.graph);
  }
  drawOverlay(h, race, data.frame, data.styles, state.presenter);
}

/** The step under a pointer event on the chart, or null outside its plot area. */
export function stepAt(el, event) {
  const h = memo.get(el);
  const point = h?.overlay.toData(event);
  return point ? Math.round(point[0]) : null;
}

/** The chart as one PNG. */
export function toImage(el) {
  const h = memo.get(el);
  return h.overlay.composite(h.graph);
}
