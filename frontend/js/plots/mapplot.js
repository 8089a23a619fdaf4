/**
 * A map drawn with Plotly: one heatmap of the coarse pass under one of the full-resolution
 * rows received so far (both coloured by cells.js's stepped scale), the surface's critical
 * points with the contour's own glyphs (a basin map), the theory's stability limit and
 * fastest setting and the current setting (a hyperparameter map).
 *
 * The axes always span exactly the rectangle that was computed; a box dragged on the plot, a
 * double click and a click on a cell are handed to the caller (`onZoom`, `onPick`), which
 * asks for a new map or opens a race: the plot itself never pans or zooms.
 */

import { tr } from '../i18n.js';
import { drawCritical } from '../palette.js';
import { cellValues, colorscale, unfinishedRange } from '../maps/cells.js';
import { sizeOf } from './size.js';

const FONT = { family: 'Vazirmatn, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  size: 13, color: '#1b2430' };
/** The theory's and the searches' marks: dark ink, on a white halo (`haloed`). */
const THEORY = '#1b2430';

/** A critical point's glyph as a picture, for a layout image (the same drawing as the
 * contour's). */
const glyphs = new Map();
function glyphUrl(kind) {
  if (!glyphs.has(kind)) {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 64;
    drawCritical(canvas.getContext('2d'), kind, 32, 32, 20);
    glyphs.set(kind, canvas.toDataURL());
  }
  return glyphs.get(kind);
}

/** The rectangle a map covers: [x0, x1] and [y0, y1] in data units. */
export function extentOf(map) {
  const { request } = map;
  const x = [map.x.lo, map.x.hi];
  if (map.kind === 'basins') {
    const region = request.region ?? [...map.surface.view.x, ...map.surface.view.y];
    return { x, y: [region[2], region[3]], xScale: 'linear', yScale: 'linear' };
  }
  return { x, y: [request.y.lo, request.y.hi], xScale: map.x.scale, yScale: request.y.scale };
}

const range = (lohi, scale) => (scale === 'log' ? lohi.map(Math.log10) : [...lohi]);

function heatmap(x, y, cells, map, categories, name, range) {
  return { type: 'heatmap', name, x, y, z: cellValues(cells, map.statuses, map.points.length,
    map.steps, range), zmin: 0, zmax: categories.length, colorscale: colorscale(categories),
  showscale: false, zsmooth: false, hoverinfo: 'none' };
}

/** The stability limit (largest stable learning rate along the y axis) as a line, and the
 * fastest setting, where the API's theory knows them. */
function theoryTraces(map, extent) {
  const theory = map.summary?.theory;
  if (!theory) return [];
  const onY = map.request.y?.name === 'momentum';
  const ys = onY ? theory.momentum : extent.y;
  const xs = onY ? theory.lr_limit : extent.y.map(() => theory.lr_limit[0]);
  const traces = [{ type: 'scatter', mode: 'lines', x: xs, y: ys, name: 'theory: stability limit',
    line: { color: THEORY, width: 2.5, dash: 'dash' }, hoverinfo: 'skip' }];
  if (theory.optimum && (onY || theory.optimum[1] === 0)) {
    const [lr, momentum] = theory.optimum;
    traces.push({ type: 'scatter', mode: 'markers', x: [lr], y: [onY ? momentum : extent.y[0]],
      name: 'theory: fastest setting', hoverinfo: 'skip', cliponaxis: false,
      marker: { symbol: 'circle-cross-open', size: 16, color: THEORY, line: { width: 2.5 } } });
  }
  return traces;
}

/** Each of the theory's and the searches' marks twice: first a wider white stroke, then the
 * dark ink on it, so that a mark reads on the near-black of diverged cells as on the pale
 * ones (grid trials in the diverged half of a map were lost in it). */
function haloed(traces) {
  return traces.flatMap((trace) => {
    const halo = { ...trace, name: `${trace.name} (halo)`, opacity: 0.85 };
    if (trace.line) {
      halo.line = { ...trace.line, color: '#ffffff', width: trace.line.width + 3, dash: 'solid' };
    }
    if (trace.marker) {
      halo.marker = { ...trace.marker, color: '#ffffff',
        line: { ...trace.marker.line, color: '#ffffff', width: trace.marker.line.width + 3 } };
    }
    return [halo, trace];
  });
}

/** The current setting of the mapped run, with its optimizer's colour and marker. */
function settingTrace(setting) {
  if (!setting) return [];
  return [{ type: 'scatter', mode: 'markers', x: [setting.x], y: [setting.y],
    name: 'current setting', hoverinfo: 'skip', cliponaxis: false,
    marker: { symbol: setting.style.marker, size: 14, color: setting.style.color,
      line: { color: setting.style.edge === '#ffffff' ? '#1b2430' : setting.style.edge,
        width: 2 } } }];
}

/** Grid trials are plus signs, random ones three-spoked (a ✕ would read as "diverged"). */
export const SEARCH_MARKS = {
  grid: { trial: 'cross-thin-open', best: 'circle-open', name: 'grid' },
  random: { trial: 'y-up-open', best: 'diamond-open', name: 'random' },
};

/** The first repeat of each search: its trials, and the best it found ringed. */
function searchTraces(search) {
  if (!search) return [];
  return Object.entries(SEARCH_MARKS).flatMap(([method, mark]) => {
    const found = search[method];
    const trials = found.trials[0];
    return [{ type: 'scatter', mode: 'markers', name: `${mark.name} trials`, hoverinfo: 'skip',
      x: trials.map((t) => t[0]), y: trials.map((t) => t[1]),
      marker: { symbol: mark.trial, size: 10, color: THEORY, line: { width: 2, color: THEORY } } },
    { type: 'scatter', mode: 'markers', name: `${mark.name}: best found`, hoverinfo: 'skip',
      x: [found.best[0][0]], y: [found.best[0][1]], cliponaxis: false,
      marker: { symbol: mark.best, size: 20, color: THEORY, line: { width: 3, color: THEORY } } }];
  });
}

/** The catalogue's critical points a basin map marks: those inside its rectangle. */
export function markedPoints(map, extent = extentOf(map)) {
  if (map.kind !== 'basins') return [];
  return map.points.filter((p) => p.kind !== 'found_min' && p.point[0] !== null
    && p.point[0] >= extent.x[0]
    && p.point[0] <= extent.x[1] && p.point[1] >= extent.y[0] && p.point[1] <= extent.y[1]);
}

/** The critical points inside a basin map's rectangle, as the contour marks them. */
function criticalImages(map, extent) {
  const w = (extent.x[1] - extent.x[0]) * 0.045;
  const h = (extent.y[1] - extent.y[0]) * 0.045;
  return markedPoints(map, extent).map((p) => ({ source: glyphUrl(p.kind), xref: 'x',
    yref: 'y', x: p.point[0], y: p.point[1], sizex: w, sizey: h, xanchor: 'center',
    yanchor: 'middle', sizing: 'contain', layer: 'above' }));
}

/** An axis's title: the hyperparameter's name in words where the catalogue has them. */
const AXIS_TITLED = new Set(['lr', 'momentum', 'lr_x', 'lr_y']);
const titleOf = (name) => (AXIS_TITLED.has(name) ? tr(`map.axis.${name}`) : name);

/**
 * Draw `map` in `el`.
 * @param {HTMLElement} el
 * @param {import('../maps/mapdata.js').MapData} map
 * @param {{categories: Object[], setting: ?{x: number, y: number, style: Object},
 *   search: ?{grid: Object, random: Object}, presenter: boolean}} options (`search`: the
 *   API's answers to a grid and a random search over the map's axes)
 */
export function render(el, map, { categories, setting = null, search = null,
  presenter = false }) {
  const extent = extentOf(map);
  const traces = [];
  const fine = map.fine();
  const overview = map.overview();
  const losses = overview ? unfinishedRange(overview, map.statuses) : [0, 0];
  if (map.coarse && !map.done) {
    traces.push(heatmap(map.coarse.x, map.coarse.y, map.coarse.cells, map, categories,
      'coarse', losses));
  }
  if (fine) {
    traces.push(heatmap(map.x.centres, fine.y, fine.cells, map, categories, 'cells', losses));
  }
  traces.push(...haloed([...theoryTraces(map, extent), ...searchTraces(search)]),
    ...settingTrace(setting));
  const size = sizeOf(el);
  const font = { ...FONT, size: presenter ? 17 : 13 };
  const basins = map.kind === 'basins';
  // (automargin: a log axis's decades stand below its minor labels; in the presenter's type
  // the fixed margins put them on the axis titles)
  const layout = {
    width: size.width || undefined, height: size.height || undefined,
    margin: { l: 76, r: 12, t: 8, b: 54 }, font, showlegend: false, dragmode: 'zoom',
    plot_bgcolor: '#f4f6f9', paper_bgcolor: '#ffffff',
    xaxis: { title: { text: basins ? tr('plot.x_start') : titleOf(map.x.name), standoff: 12 },
      type: extent.xScale === 'log' ? 'log' : 'linear', range: range(extent.x, extent.xScale),
      showgrid: false, zeroline: false, ticks: 'outside', exponentformat: 'power',
      automargin: true },
    yaxis: { title: { text: basins ? tr('plot.y_start') : titleOf(map.request.y?.name), standoff: 10 },
      type: extent.yScale === 'log' ? 'log' : 'linear', range: range(extent.y, extent.yScale),
      showgrid: false, zeroline: false, ticks: 'outside', exponentformat: 'power',
      automargin: true },
    images: criticalImages(map, extent),
  };
  return Plotly.react(el, traces, layout, { displaylogo: false, displayModeBar: false,
    doubleClick: false, scrollZoom: false, responsive: false, showTips: false });
}

/**
 * Hear the user's box zoom (`onZoom({x: [lo, hi], y: [lo, hi]})` in data units, or null for a
 * double click: back out), clicks on a cell (`onPick(x, y)`: the cell's centre) and hovers
 * (`onHover(x, y, trace, index)`, null when the pointer leaves).
 */
export function listen(el, { onZoom, onPick, onHover }) {
  if (el.dataset.listening) return;
  el.dataset.listening = '1';
  const unlog = (axis, v) => (el._fullLayout[axis].type === 'log' ? 10 ** v : v);
  el.on('plotly_relayout', (event) => {
    if (event['xaxis.range[0]'] !== undefined && event['yaxis.range[0]'] !== undefined) {
      onZoom({ x: [unlog('xaxis', event['xaxis.range[0]']), unlog('xaxis', event['xaxis.range[1]'])],
        y: [unlog('yaxis', event['yaxis.range[0]']), unlog('yaxis', event['yaxis.range[1]'])] });
    }
  });
  el.on('plotly_doubleclick', () => onZoom(null));
  el.on('plotly_click', (event) => {
    const p = event.points?.find((q) => q.data.type === 'heatmap');
    if (p) onPick(p.x, p.y);
  });
  el.on('plotly_hover', (event) => {
    const p = event.points?.find((q) => q.data.type === 'heatmap');
    if (p) onHover(p.x, p.y, p.data.name, p.pointIndex);
  });
  el.on('plotly_unhover', () => onHover(null));
}

/** The plot as a PNG data URL at twice its size (the export composes title and legend). */
export function toImage(el) {
  return Plotly.toImage(el, { format: 'png', scale: 2, width: el._fullLayout.width,
    height: el._fullLayout.height });
}
