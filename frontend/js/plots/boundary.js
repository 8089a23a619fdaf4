/**
 * A network's decision boundary over its training data: P(class 1) as a pale map from
 * blue (class 0) to orange (class 1), the line P = ½ where the classes part, and the
 * points by class — white circles and dark triangles, in ink rather than in the optimizers'
 * colours (which mean runs everywhere on the page), and in shape as well as in tone. Plotly draws the axes once per dataset; a canvas draws the rest,
 * which changes with every frame and costs about a millisecond.
 */

import { label, pageFont, plotHolder } from './overlay.js';
import { shapePath } from '../palette.js';
import { tr } from '../i18n.js';
import { sizeOf } from './size.js';

const CONFIG = { displayModeBar: false, responsive: false, scrollZoom: false,
  doubleClick: false };
/** The points by class; the map's pale tints of blue and orange, white at ½. */
const CLASSES = [{ color: '#ffffff', edge: '#1b2430', shape: 'circle', name: 'netlab.class0' },
  { color: '#1b2430', edge: '#ffffff', shape: 'triangle-up', name: 'netlab.class1' }];
/** Held-out points are drawn faded (their fill at this opacity, always outlined in ink). */
const HELD_ALPHA = 0.3;
const TINT = [[160, 200, 232], [250, 249, 244], [246, 196, 160]];

/** The boundary's own memory: the probability map painted off-screen, and what it was. */
function holder(el) {
  return plotHolder(el, () => ({ image: document.createElement('canvas'), painted: null }));
}

function figure(view, box, presenter) {
  const [x0, x1, y0, y1] = view;
  const axis = { showgrid: false, zeroline: false, ticks: 'outside', ticklen: 4,
    fixedrange: true, constrain: 'domain', linecolor: '#8894a3', mirror: true, nticks: 7 };
  return {
    data: [],
    layout: {
      width: box.width, height: box.height, showlegend: false,
      font: { family: pageFont(), size: presenter ? 16 : 12, color: '#2b3645' },
      // the top margin leaves the view's caption off the plot
      margin: { l: presenter ? 52 : 40, r: 12, t: presenter ? 30 : 24, b: presenter ? 40 : 30 },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: `rgb(${TINT[1]})`,
      xaxis: { ...axis, range: [x0, x1] },
      yaxis: { ...axis, range: [y0, y1], scaleanchor: 'x', scaleratio: 1 },
      dragmode: false, hovermode: false,
    },
  };
}

/** The probability grid as an image, one pixel per grid point (rows from the top). */
function paint(canvas, boundary) {
  const { x, y, probability } = boundary;
  canvas.width = x.length;
  canvas.height = y.length;
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(x.length, y.length);
  probability.forEach((row, j) => row.forEach((p, i) => {
    const k = 4 * ((y.length - 1 - j) * x.length + i);
    const v = p ?? 0.5;
    const [a, b, u] = v < 0.5 ? [TINT[0], TINT[1], v * 2] : [TINT[1], TINT[2], v * 2 - 1];
    for (let c = 0; c < 3; c += 1) image.data[k + c] = Math.round(a[c] + (b[c] - a[c]) * u);
    image.data[k + 3] = 255;
  }));
  ctx.putImageData(image, 0, 0);
}

/** The P = ½ level by marching squares: one segment per grid cell it crosses. */
function halfLine(ctx, overlay, { x, y, probability: p }) {
  const at = (a, b) => (0.5 - a) / (b - a);
  ctx.beginPath();
  for (let j = 0; j + 1 < y.length; j += 1) {
    for (let i = 0; i + 1 < x.length; i += 1) {
      const corners = [p[j][i], p[j][i + 1], p[j + 1][i + 1], p[j + 1][i]];
      if (corners.some((v) => v === null)) continue;
      const xy = [[x[i], y[j]], [x[i + 1], y[j]], [x[i + 1], y[j + 1]], [x[i], y[j + 1]]];
      const cuts = [];
      for (let e = 0; e < 4; e += 1) {
        const a = corners[e];
        const b = corners[(e + 1) % 4];
        if ((a < 0.5) === (b < 0.5)) continue;
        const u = at(a, b);
        const [pa, pb] = [xy[e], xy[(e + 1) % 4]];
        cuts.push([pa[0] + u * (pb[0] - pa[0]), pa[1] + u * (pb[1] - pa[1])]);
      }
      // two cuts: one segment; four (a saddle cell): pair them around the cell
      for (let c = 0; c + 1 < cuts.length; c += 2) {
        ctx.moveTo(overlay.px(cuts[c][0]), overlay.py(cuts[c][1]));
        ctx.lineTo(overlay.px(cuts[c + 1][0]), overlay.py(cuts[c + 1][1]));
      }
    }
  }
}

function drawOverlay(m, data, presenter) {
  const { overlay } = m;
  const ctx = overlay.begin();
  const { boundary, dataset } = data;
  if (boundary) {
    if (m.painted !== boundary) {
      paint(m.image, boundary);
      m.painted = boundary;
    }
    const { x, y } = boundary;
    const dx = (x.at(-1) - x[0]) / (x.length - 1);
    const dy = (y.at(-1) - y[0]) / (y.length - 1);
    const left = overlay.px(x[0] - dx / 2);
    const top = overlay.py(y.at(-1) + dy / 2);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(m.image, left, top, overlay.px(x.at(-1) + dx / 2) - left,
      overlay.py(y[0] - dy / 2) - top);
    halfLine(ctx, overlay, boundary);
    ctx.lineJoin = 'round';
    ctx.strokeStyle = 'rgba(255,255,255,0.9)';
    ctx.lineWidth = presenter ? 7 : 5;
    ctx.stroke();
    ctx.strokeStyle = '#1b2430';
    ctx.lineWidth = presenter ? 3.5 : 2.5;
    ctx.stroke();
  }
  const r = presenter ? 4.6 : 3.4;
  ctx.lineWidth = 1.2;
  const points = (set, alpha) => set.points.forEach(([px, py], k) => {
    const c = CLASSES[set.labels[k]];
    shapePath(ctx, c.shape, overlay.px(px), overlay.py(py), r);
    ctx.globalAlpha = alpha;
    ctx.fillStyle = c.color;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = alpha === 1 ? c.edge : '#1b2430';
    ctx.stroke();
  });
  if (data.held) points(data.held, HELD_ALPHA);
  points(dataset, 1);
  overlay.end();
  legend(ctx, overlay, presenter, Boolean(boundary), Boolean(data.held));
}

/**
 * What the marks mean, in the plot's lower left corner, on a pale card, in as many rows as
 * the plot's width needs: in one row, presenter mode's type ran "— P = ½" 60 px past a plot
 * 306 px wide (1280 × 720, held-out data), and at 1024 × 768 off the view.
 */
function legend(ctx, overlay, presenter, withLine, withHeld) {
  const size = presenter ? 16 : 12;
  const pad = 6;
  const gap = size * 0.8;
  const rowHeight = size * 1.4;
  ctx.font = `600 ${size}px ${pageFont()}`;
  // an entry is its mark (one type size wide; the line's is the dash its text starts with)
  // and its text
  const items = [...CLASSES.map((c) => ({ text: tr(c.name), c, mark: size })),
    ...(withHeld ? [{ text: tr('netlab.held_out'), held: true, mark: size }] : []),
    ...(withLine ? [{ text: '— P = ½', mark: 0 }] : [])];
  for (const item of items) item.width = item.mark + ctx.measureText(item.text).width;
  const rowWidth = (row) => 2 * pad + row.reduce((w, item) => w + item.width, 0)
    + gap * (row.length - 1);
  const rows = [[]];
  for (const item of items) {
    const row = rows.at(-1);
    if (row.length && rowWidth([...row, item]) > overlay.rect.width - 8) rows.push([item]);
    else row.push(item);
  }
  const left = overlay.rect.left + 4;
  const bottom = overlay.rect.top + overlay.rect.height - size; // the last row's middle
  const top = bottom - (rows.length - 1) * rowHeight;
  ctx.fillStyle = 'rgba(255,255,255,0.75)';
  ctx.beginPath();
  ctx.roundRect(left, top - size * 0.85, Math.max(...rows.map(rowWidth)),
    (rows.length - 1) * rowHeight + size * 1.7, 5);
  ctx.fill();
  rows.forEach((row, r) => {
    const y = top + r * rowHeight;
    let x = left + pad;
    for (const item of row) {
      if (item.mark) {
        shapePath(ctx, item.c ? item.c.shape : 'circle', x + size * 0.35, y, size * 0.35);
        ctx.globalAlpha = item.held ? HELD_ALPHA : 1;
        ctx.fillStyle = item.c ? item.c.color : CLASSES[1].color;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.strokeStyle = item.c ? item.c.edge : '#1b2430';
        ctx.stroke();
      }
      label(ctx, item.text, x + item.mark, y, { size });
      x += item.width + gap;
    }
  });
}

/**
 * Draw the boundary view.
 * @param {HTMLElement} el
 * @param {Object} state the page state (for presenter mode)
 * @param {{dataset: ?{points: number[][], labels: number[], view: number[]},
 *   held?: ?{points: number[][], labels: number[]},
 *   boundary: ?{x: number[], y: number[], probability: (number|null)[][]}}} data
 * @returns {Promise<void>} resolved once drawn
 */
export async function render(el, state, data) {
  const m = holder(el);
  if (!data.dataset) return;
  const size = sizeOf(el);
  const box = { width: Math.max(size.width, 50), height: Math.max(size.height, 50) };
  const key = JSON.stringify([data.dataset.view, box, state.presenter]);
  if (key !== m.key) {
    const view = JSON.stringify(data.dataset.view);
    m.key = key;
    const fig = figure(data.dataset.view, box, state.presenter);
    await (view === m.view ? Plotly.react : Plotly.newPlot)(m.graph, fig.data, fig.layout,
      CONFIG);
    m.view = view;
    m.overlay.sync(m.graph);
  }
  drawOverlay(m, data, state.presenter);
}

/** The view as one PNG. */
export function toImage(el) {
  const m = holder(el);
  return m.overlay.composite(m.graph);
}
