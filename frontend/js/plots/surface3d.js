/**
 * The race on the surface in 3-D (Plotly's WebGL scene): the same runs, trails and frame as
 * the contour, each point draped on the surface as drawn and lifted a little above it, so a
 * trail is never hidden inside a hill. A run that has left the view is shown, as in the
 * contour, at the view's edge (labelled "off view"). The camera is the user's: it survives
 * new races and frames, and resets only when the surface changes.
 */

import { SURFACE_COLORSCALE } from './scale.js';
import { pageFont } from './overlay.js';
import { sizeOf } from './size.js';
import { fillLegend, legendOf } from './legend.js';
import { tr } from '../i18n.js';

const EYE = { x: -1.4, y: -1.8, z: 1.9 };
/** Views narrower than this (px) see the surface from farther back. */
const SMALL_VIEW = 480;
const scaled = (v, k) => ({ x: v.x * k, y: v.y * k, z: v.z * k });
/** Plotly sets a 3-D axis's title off its axis by a fixed number of pixels (its pads: 18 for
 * the tick labels, 30 more for the title), whatever the zoom; the loss axis stands at the
 * scene's left edge, so its title needs this much room (px) beside the scene: with less it
 * was cut to "oss" (336 × 555 px, the "Both" layout at 1024 × 900), or not drawn at all. */
const TITLE_ROOM = 80;
/** Half the scene's width on screen, as a share of a square view's half-width, with the eye
 * at EYE and a square surface (measured); Plotly's field of view is fixed in height, so in a
 * view narrower than tall the scene takes more of the width. */
const SCENE_HALF = 0.58;
/** A view that would keep less than this share of its width for the scene once the title has
 * its room on either side has no title instead: in the 223-px view of presenter mode's "Both"
 * at 1024 × 768 the room left a scene 70 px wide (and the title had been drawn off the view). */
const MIN_SCENE_SHARE = 0.4;

/** The share of a view's width left for the scene once the title has its room either side. */
const sceneShare = (box) => 1 - (2 * TITLE_ROOM) / box.width;
/** Whether a view is wide enough to give the loss axis's title its room. */
const titled = (box) => sceneShare(box) >= MIN_SCENE_SHARE;

/**
 * How far back the eye is, as a multiple of EYE: far enough that the scene leaves the loss
 * axis's title its room, if it has one. `ry` is the scene's depth for a width of 1.
 */
function eyeDistance(box, ry) {
  // the horizontal extent of the scene's floor as seen along EYE, relative to a square one
  const floor = (Math.abs(EYE.y) + Math.abs(EYE.x) * ry) / (Math.abs(EYE.y) + Math.abs(EYE.x));
  const share = titled(box) ? sceneShare(box) : 1;
  return Math.max(box.width < SMALL_VIEW ? 1.3 : 1,
    (SCENE_HALF * floor * box.height) / (box.width * share));
}

/** WebGL at the screen's own pixel ratio: Plotly's default of 2 renders four times the pixels
 * on a 1× projector, which a laptop's integrated (or software) GL pays for on every frame. */
const CONFIG = { displayModeBar: false, responsive: false,
  plotGlPixelRatio: Math.min(Math.max(window.devicePixelRatio || 1, 1), 2) };
/** The one place a catalogue marker becomes a 3-D one. WebGL scenes know only circles,
 * squares and diamonds (filled or open) and crosses; the crosses are the outcome glyph, so
 * the optimizers' other shapes stand in as the nearest of these, and the legend under the
 * view shows which run is which. */
const SYMBOLS = { circle: 'circle', square: 'square', diamond: 'diamond',
  'triangle-up': 'diamond', 'triangle-down': 'diamond', 'triangle-left': 'diamond',
  'triangle-right': 'diamond', hexagon: 'circle', pentagon: 'circle' };
/** Every n-th grid line is kept: a 151-point grid becomes 76 × 76, plenty for a shaded mesh. */
const THIN = 2;
/** Trails float this fraction of the surface's height range above it. */
const LIFT = 0.012;
/** A step is cut into pieces at most this fraction of a mesh cell long, each draped on the
 * mesh, so that a long step follows the surface over a ridge instead of passing through it;
 * at most MAX_PIECES pieces (a diverging run's last jumps leave the view anyway). */
const PIECE = 0.5;
const MAX_PIECES = 400;

const memo = new WeakMap();

function thin(values) {
  return values.filter((_, i) => i % THIN === 0 || i === values.length - 1);
}

/**
 * The grid as a triangle mesh (Plotly's `mesh3d`), through the display scale, thinned;
 * cached per grid. A `surface` trace would look the same but Plotly re-samples it to 128 × 128
 * on every update, which tripled the cost of each frame; the mesh is drawn as given. Cells
 * with a missing corner (no finite loss) are left out.
 */
function mesh(grid, scale) {
  const xs = thin(grid.x);
  const ys = thin(grid.y);
  const zs = thin(grid.z).map((row) => thin(row).map((v) => (v === null ? null : scale.map(v))));
  const x = [];
  const y = [];
  const z = [];
  let lo = Infinity;
  let hi = -Infinity;
  ys.forEach((yv, j) => xs.forEach((xv, i) => {
    const v = zs[j][i];
    x.push(xv);
    y.push(yv);
    z.push(v ?? 0);
    if (v !== null && Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }));
  const i = [];
  const jj = [];
  const k = [];
  const nx = xs.length;
  for (let r = 0; r < ys.length - 1; r += 1) {
    for (let c = 0; c < nx - 1; c += 1) {
      const a = r * nx + c;
      const corners = [zs[r][c], zs[r][c + 1], zs[r + 1][c], zs[r + 1][c + 1]];
      if (corners.some((v) => v === null)) continue;
      i.push(a, a + 1);
      jj.push(a + 1, a + nx + 1);
      k.push(a + nx, a + nx);
    }
  }
  return { x, y, z, i, j: jj, k, lo, hi, xs, ys, zs };
}

/**
 * Height of the drawn mesh at (x, y): the plane of the triangle the point falls in, so a
 * trail lies on the surface as drawn rather than on the true loss, which between grid lines
 * can sit below the mesh (in a narrow valley, far below) and vanish behind it. The loss
 * itself is on the loss chart. Null off the grid or on a missing cell.
 */
function heightOn(m, x, y) {
  const nx = m.xs.length;
  const ny = m.ys.length;
  const fx = ((x - m.xs[0]) / (m.xs[nx - 1] - m.xs[0])) * (nx - 1);
  const fy = ((y - m.ys[0]) / (m.ys[ny - 1] - m.ys[0])) * (ny - 1);
  if (!(fx >= 0 && fx <= nx - 1 && fy >= 0 && fy <= ny - 1)) return null;
  const c = Math.min(Math.floor(fx), nx - 2);
  const r = Math.min(Math.floor(fy), ny - 2);
  const u = fx - c;
  const v = fy - r;
  const z00 = m.zs[r][c];
  const z10 = m.zs[r][c + 1];
  const z01 = m.zs[r + 1][c];
  const z11 = m.zs[r + 1][c + 1];
  if (z00 === null || z10 === null || z01 === null || z11 === null) return null;
  return u + v <= 1 ? z00 + u * (z10 - z00) + v * (z01 - z00)
    : z11 + (1 - u) * (z01 - z11) + (1 - v) * (z10 - z11);
}

/**
 * Every arrived frame of every run, draped on the mesh and lifted by `lift`, each step cut
 * into pieces no longer than half a cell; points off the mesh (null) break the line. `at[t]`
 * is the index of frame t's own point. Cached per race and frames arrived.
 */
function drape(m, race, lift) {
  const nx = m.xs.length;
  const ny = m.ys.length;
  const cx = (m.xs[nx - 1] - m.xs[0]) / (nx - 1);
  const cy = (m.ys[ny - 1] - m.ys[0]) / (ny - 1);
  return race.runs.map((run) => {
    const x = [];
    const y = [];
    const z = [];
    const at = new Int32Array(race.steps + 1).fill(-1);
    const put = (px, py) => {
      const h = heightOn(m, px, py);
      x.push(h === null ? null : px);
      y.push(h === null ? null : py);
      z.push(h === null ? null : h + lift);
    };
    for (let t = 0; t <= race.available; t += 1) {
      const qx = run.path[2 * t];
      const qy = run.path[2 * t + 1];
      const px = run.path[2 * t - 2];
      const py = run.path[2 * t - 1];
      if (t > 0 && [px, py, qx, qy].every(Number.isFinite)) {
        const n = Math.min(Math.ceil(Math.max(Math.abs(qx - px) / cx, Math.abs(qy - py) / cy)
          / PIECE), MAX_PIECES);
        for (let k = 1; k < n; k += 1) put(px + (k / n) * (qx - px), py + (k / n) * (qy - py));
      }
      if (Number.isFinite(qx) && Number.isFinite(qy)) put(qx, qy);
      at[t] = x.length - 1;
    }
    return { x, y, z, at };
  });
}

/** A run's trail up to frame t, as drawn. */
function trail(draped, t) {
  const end = draped.at[t] + 1;
  return { x: draped.x.slice(0, end), y: draped.y.slice(0, end), z: draped.z.slice(0, end) };
}

/** The last finite position of a run at or before frame t (a diverged run is frozen). */
function lastPoint(path, t) {
  for (let i = t; i >= 0; i -= 1) {
    if (Number.isFinite(path[2 * i]) && Number.isFinite(path[2 * i + 1])) {
      return [path[2 * i], path[2 * i + 1]];
    }
  }
  return null;
}

/** Where a run's marker goes: its point, or — once it has left the view — the nearest point
 * of the view's edge, as the contour shows it; on the surface, lifted like the trails. */
function markerAt(m, view, point, lift) {
  const x = Math.min(Math.max(point[0], view.x[0]), view.x[1]);
  const y = Math.min(Math.max(point[1], view.y[0]), view.y[1]);
  const h = heightOn(m, x, y);
  return h === null ? null : { x, y, z: h + lift, off: x !== point[0] || y !== point[1] };
}

function figure(m, data, state, box) {
  const { race, frame, styles, scale, grid } = data;
  const { view } = grid.surface;
  const surf = m.mesh;
  const zRange = [surf.lo, surf.hi + (surf.hi - surf.lo) * 0.05];
  const lift = (surf.hi - surf.lo) * LIFT;
  if (race && (m.draped?.race !== race || m.draped.available !== race.available)) {
    m.draped = { race, available: race.available, runs: drape(surf, race, lift) };
  }
  const presenter = state.presenter;
  const traces = [{
    type: 'mesh3d', x: surf.x, y: surf.y, z: surf.z, i: surf.i, j: surf.j, k: surf.k,
    intensity: surf.z, colorscale: SURFACE_COLORSCALE, cmin: surf.lo, cmax: surf.hi,
    showscale: false, hoverinfo: 'skip',
    lighting: { ambient: 0.85, diffuse: 0.4, specular: 0.04, roughness: 0.9, fresnel: 0.05 },
    lightposition: { x: -1e5, y: -1e5, z: 2e5 },
  }];
  const mx = [];
  const my = [];
  const mz = [];
  const colors = [];
  const symbols = [];
  const texts = [];
  if (race) {
    const t = Math.min(frame, race.available);
    // the selected run's trail is drawn last, as in the contour (where lines meet at one
    // depth WebGL keeps the later one); the markers follow the runs' order
    const order = race.runs.map((_, i) => i);
    const sel = Math.min(Math.max(data.selected ?? 0, 0), race.runs.length - 1);
    if (race.runs.length) order.push(...order.splice(sel, 1));
    for (const i of order) {
      traces.push({ type: 'scatter3d', mode: 'lines', ...trail(m.draped.runs[i], t),
        hoverinfo: 'skip', line: { color: styles[i].color, width: presenter ? 9 : 6,
          dash: styles[i].dash.length ? 'dash' : 'solid' } });
    }
    race.runs.forEach((run, i) => {
      const { color } = styles[i];
      const point = lastPoint(run.path, t);
      const at = point && markerAt(surf, view, point, lift);
      if (at) {
        mx.push(at.x);
        my.push(at.y);
        mz.push(at.z);
        texts.push(at.off ? tr('plot.off_view') : '');
        colors.push(color);
        const symbol = SYMBOLS[styles[i].marker] ?? 'circle';
        symbols.push(styles[i].hollow ? `${symbol}-open` : symbol);
      }
    });
  }
  traces.push({ type: 'scatter3d', mode: 'markers+text', x: mx, y: my, z: mz, text: texts,
    textposition: 'top center', hoverinfo: 'skip',
    textfont: { size: presenter ? 17 : 12, color: '#1b2430' },
    marker: { size: presenter ? 10 : 7.5, color: colors, symbol: symbols,
      line: { color: '#ffffff', width: 2 } } });
  const axis = (title, range) => ({ title: { text: title }, range, showspikes: false,
    backgroundcolor: '#f4f5f2', gridcolor: '#d5d9de', zerolinecolor: '#b0b8c2',
    showbackground: true, tickfont: { size: presenter ? 13 : 10 } });
  const w = view.x[1] - view.x[0];
  const h = view.y[1] - view.y[0];
  const ry = Math.min(Math.max(h / w, 0.4), 2.5);
  const planeTicks = box.width < SMALL_VIEW ? 4 : 0; // (0: Plotly's own count)
  return {
    data: traces,
    layout: {
      width: box.width, height: box.height, showlegend: false,
      margin: { l: 0, r: 0, t: 0, b: 0 }, paper_bgcolor: 'rgba(0,0,0,0)',
      font: { family: pageFont(), color: '#2b3645' },
      uirevision: m.cameraKey, hovermode: false,
      scene: {
        // (in a small view Plotly's own count of x and y ticks ran their labels together)
        xaxis: { ...axis(grid.surface.axes?.[0] ?? 'x', view.x), nticks: planeTicks },
        yaxis: { ...axis(grid.surface.axes?.[1] ?? 'y', view.y), nticks: planeTicks },
        // (a short loss axis in a small view had its labels stacked into one smudge)
        zaxis: { ...axis(titled(box) ? tr(scale.log ? 'plot.log_loss' : 'plot.loss') : '',
          zRange),
          nticks: box.height < 2 * SMALL_VIEW ? 4 : 6 },
        aspectmode: 'manual',
        aspectratio: { x: 1, y: ry, z: 0.65 },
        // a little farther back in a small view, and in one narrower than tall, where the
        // loss axis's title was cut off
        camera: { eye: scaled(EYE, eyeDistance(box, ry)), up: { x: 0, y: 0, z: 1 } },
        dragmode: 'turntable', hovermode: false,
      },
    },
  };
}

/**
 * Plotly's 3-D scene draws a picking image after every redraw and reads all of it back from
 * the graphics side a moment later, for hover labels; this view has none (`hovermode` off),
 * yet in software WebGL each read stalled the page for 60 ms while a slider was dragged
 * (measured in a Chromium trace). Reads from the picking framebuffer are skipped; a read of
 * the picture itself (an exported PNG) goes through.
 */
function skipPickingReads(graph) {
  const gl = graph._fullLayout?.scene?._scene?.glplot?.gl;
  if (!gl || gl.readPixels.picking === false) return;
  const read = gl.readPixels.bind(gl);
  gl.readPixels = Object.assign((...args) => {
    if (gl.getParameter(gl.FRAMEBUFFER_BINDING) === null) read(...args);
  }, { picking: false });
}

/**
 * Draw the 3-D view at `data.frame`.
 * @param {HTMLElement} el  @param {Object} state
 * @param {{grid: Object, scale: Object, race: ?Object, frame: number, styles: Object[]}} data
 * @returns {Promise<void>}
 */
export async function render(el, state, data) {
  const size = sizeOf(el);
  if (!data.grid || !size.width) return;
  let m = memo.get(el);
  if (!m) {
    const graph = document.createElement('div');
    graph.className = 'graph';
    el.append(graph);
    m = { graph, grid: null, mesh: null, draped: null, cameraKey: '' };
    memo.set(el, m);
  }
  if (m.grid !== data.grid) {
    m.grid = data.grid;
    m.mesh = mesh(data.grid, data.scale);
    m.draped = null;
    m.cameraKey = JSON.stringify([data.grid.surface.id, data.grid.surface.name]);
  }
  const fig = figure(m, data, state, size);
  await Plotly.react(m.graph, fig.data, fig.layout, CONFIG);
  skipPickingReads(m.graph);
  const { race } = data;
  fillLegend(legendOf(el), { runs: race ? race.runs.map((run, i) => ({
    label: run.info.label, style: data.styles[i] })) : [], size: state.presenter ? 17 : 14 });
}

/**
 * The view as a PNG data URL at twice its size. The scene on screen renders at the screen's
 * pixel ratio, and Plotly's image of it would be that picture enlarged (blurred): the scene is
 * drawn again at ratio 2 for the picture, then put back.
 */
export async function toImage(el) {
  const { width, height } = sizeOf(el);
  const { graph } = memo.get(el);
  const sharp = { ...CONFIG, plotGlPixelRatio: 2 };
  await Plotly.react(graph, graph.data, graph.layout, sharp);
  try {
    return await Plotly.toImage(graph, { format: 'png', width, height, scale: 2 });
  } finally {
    await Plotly.react(graph, graph.data, graph.layout, CONFIG);
  }
}
