/**
 * The networks lab's Layers view: the selected run's per-layer statistics, as the engine
 * recorded them every few steps (the stream's `statistics`).
 *
 * Above, a layer × step heat map of one quantity — the standard deviation of a layer's
 * outputs, their share saturated (tanh, sigmoid) or of dead units (ReLU), or the norm of the
 * loss gradient for the layer's weights — with its colour bar; a line marks the step on
 * screen. Below, each hidden layer's histogram of outputs at that step, one row per layer,
 * each scaled to its own tallest bin (a vanishing layer's spike at 0 and a saturated layer's
 * piles at ±1 are then both readable). The bins are the engine's; nothing is binned here.
 *
 * Plotly redraws only when what is shown changes: a new slot of recorded statistics, run,
 * quantity or size — not on every frame of the player.
 */

import { loadImages } from '../dom.js';
import { tr } from '../i18n.js';
import { pageFont } from '../plots/overlay.js';

/** The quantities the heat map can colour: the state's `netStat`. Logarithmic ones span
 * decades (a vanishing net's std falls to 1e-12), so they are coloured by their log₁₀. */
export const QUANTITIES = {
  std: { key: 'std', log: true },
  saturated: { key: 'saturated', log: false },
  grad_norm: { key: 'gradNorm', log: true },
};
const FLOOR = 1e-16;
const BAR = '#3b6ea8';
const memo = new WeakMap();

/** The last recorded slot at or before frame t (−1: none yet). */
export function slotAt(stats, t) {
  let s = -1;
  for (let i = 0; i < stats.frames.length && stats.frames[i] <= t; i += 1) s = i;
  return s;
}

function axis(title, extra = {}) {
  return { title: { text: title, standoff: 4 }, fixedrange: true, zeroline: false,
    gridcolor: '#e7eaee', linecolor: '#8894a3', ticks: 'outside', ...extra };
}

function layerNames(count, withOutput) {
  const names = Array.from({ length: count }, (_, l) => String(l + 1));
  if (withOutput) names.push(tr('plot.output_layer'));
  return names;
}

/** The heat map's figure: z[l][s] of the quantity, and a line at the step on screen. */
function heatFigure(stats, quantity, t, box, presenter) {
  const q = QUANTITIES[quantity] ?? QUANTITIES.std;
  const rows = stats[q.key];
  const layers = rows[0]?.length ?? 0;
  const z = Array.from({ length: layers }, (_, l) => rows.map((row) => {
    const v = row[l];
    if (v === null || !Number.isFinite(v)) return null;
    return q.log ? Math.log10(Math.max(v, FLOOR)) : v;
  }));
  const font = { family: pageFont(), size: presenter ? 16 : 11, color: '#2b3645' };
  // the quantity is the plot's title; the colour bar says only how it is scaled
  const colorbar = { title: { text: q.log ? 'log₁₀' : '%', side: 'top' }, thickness: 12,
    len: 1, outlinewidth: 0, tickformat: q.log ? '.2~f' : '.0%' };
  return {
    data: [{ type: 'heatmap', x: stats.frames, y: quantity === 'grad_norm' ? layerNames(layers - 1, true)
      : layerNames(layers, false),
      z, colorscale: 'Viridis', zmin: q.log ? undefined : 0, zmax: q.log ? undefined : 1,
      colorbar, hoverongaps: false,
      hovertemplate: `${tr('plot.step')} %{x}, ${tr('plot.layer')} %{y}: %{z:.3g}<extra></extra>` }],
    layout: { width: box.width, height: box.height, font, showlegend: false,
      title: { text: tr(`stats.${quantity}`), x: 0, xref: 'paper', y: 1, yref: 'container',
        yanchor: 'top', pad: { t: 4 }, font: { size: font.size + 1 } },
      margin: { l: presenter ? 70 : 52, r: 8, t: presenter ? 34 : 26, b: presenter ? 46 : 34 },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff', dragmode: false,
      xaxis: axis(tr('plot.step'), { range: [-0.5, Math.max(stats.frames.at(-1), 1) + 0.5] }),
      yaxis: axis(tr('plot.layer'), { type: 'category', autorange: 'reversed' }),
      shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: t, x1: t, y0: 0, y1: 1,
        line: { color: '#d62728', width: 2 } }] },
  };
}

/** The histograms at slot s: one row of bars per layer, each scaled to its tallest bin. */
function histFigure(stats, s, box, presenter) {
  const { lo, hi, counts } = stats.histograms;
  const x = [];
  const y = [];
  const base = [];
  const width = [];
  const share = [];
  counts[s].forEach((row, l) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    const peak = Math.max(...row, 1);
    const step = (hi[s][l] - lo[s][l]) / row.length;
    row.forEach((c, k) => {
      x.push(lo[s][l] + (k + 0.5) * step);
      // the layer axis runs downwards: bars rise from the row's foot (l + 1.45) upwards
      y.push((-0.85 * c) / peak);
      base.push(l + 1.45);
      width.push(step);
      share.push(c / total);
    });
  });
  const layers = counts[s].length;
  const font = { family: pageFont(), size: presenter ? 16 : 11, color: '#2b3645' };
  return {
    data: [{ type: 'bar', x, y, base, width, customdata: share, marker: { color: BAR },
      name: box.width < 560 ? tr('plot.histogram_legend').replace(', ', ',<br>')
        : tr('plot.histogram_legend'), showlegend: true,
      hovertemplate: `%{x:.3g}: %{customdata:.1%}<extra></extra>` }],
    layout: { width: box.width, height: box.height, font, bargap: 0,
      legend: { orientation: 'h', x: 0, y: 1, yanchor: 'bottom', font: { size: font.size } },
      margin: { l: presenter ? 70 : 52, r: 8, t: (presenter ? 34 : 26) * (box.width < 560 ? 1.7 : 1),
        b: presenter ? 46 : 34 },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff', dragmode: false,
      xaxis: axis(tr('plot.activation_value')),
      yaxis: axis(tr('plot.layer'), { range: [layers + 0.5, 0.5],
        tickvals: Array.from({ length: layers }, (_, l) => l + 1), ticktext:
          layerNames(layers, false) }) },
  };
}

function sizeOf(el) {
  return { width: Math.max(200, Math.floor(el.clientWidth)),
    height: Math.max(120, Math.floor(el.clientHeight)) };
}

/**
 * @param {{heat: HTMLElement, hist: HTMLElement, caption: HTMLElement}} els
 * @param {Object} state the page state (`netStat`, `presenter`)
 * @param {{run: ?Object, frame: number}} data the selected run (with `stats` once they came)
 */
export async function render(els, state, { run, frame }) {
  const stats = run?.stats;
  const s = stats ? slotAt(stats, frame) : -1;
  if (s < 0) {
    els.caption.textContent = tr('stats.none');
    if (memo.get(els.heat)) {
      Plotly.purge(els.heat);
      Plotly.purge(els.hist);
      memo.delete(els.heat);
    }
    return;
  }
  const heatBox = sizeOf(els.heat);
  const histBox = sizeOf(els.hist);
  const key = [stats.frames.length, s, state.netStat, Boolean(state.presenter), run.info.label,
    heatBox.width, heatBox.height, histBox.width, histBox.height].join('|');
  const before = memo.get(els.heat);
  if (before?.key === key && before.stats === stats) return;
  memo.set(els.heat, { key, stats });
  const presenter = Boolean(state.presenter);
  const heat = heatFigure(stats, state.netStat, stats.frames[s], heatBox, presenter);
  const hist = histFigure(stats, s, histBox, presenter);
  const config = { displayModeBar: false, responsive: false, staticPlot: false };
  els.caption.textContent = tr('plot.layers_caption', { run: run.info.label,
    step: stats.frames[s] });
  await Promise.all([Plotly.react(els.heat, heat.data, heat.layout, config),
    Plotly.react(els.hist, hist.data, hist.layout, config)]);
}

/** The heat map above the histograms, as on the page, in one PNG for the page's export. */
export async function toImage(els) {
  const images = await loadImages(await Promise.all([els.heat, els.hist].map((el) =>
    Plotly.toImage(el, { format: 'png', scale: 2, width: el._fullLayout.width,
      height: el._fullLayout.height }))));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(...images.map((i) => i.width));
  canvas.height = images.reduce((sum, i) => sum + i.height, 0);
  const ctx = canvas.getContext('2d');
  images.reduce((top, image) => {
    ctx.drawImage(image, 0, top);
    return top + image.height;
  }, 0);
  return canvas.toDataURL('image/png');
}
