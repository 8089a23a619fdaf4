/**
 * How a run looks: its optimizer's colour and marker, both from the optimizer catalogue (the
 * page keeps no palette of its own, so an optimizer looks the same in every view, scenario
 * and lab), and — for the second, third… run of one optimizer in a roster — a shade and a
 * dash that tell it from the first. Also the drawing of marker shapes and of the glyphs the
 * plots reserve for critical points and outcomes, which no optimizer's marker uses.
 */

/**
 * One run's look.
 * @typedef {{color: string, marker: string, dash: number[], hollow: boolean, halo: string,
 *   edge: string, variant: number}} Style
 */

/** How the n-th run of one optimizer differs from the first: mixed towards dark ink or white
 * (`mix` > 0: darker, < 0: lighter), a dash pattern (in line widths) and a hollow marker. */
const VARIANTS = [
  { mix: 0, dash: [], hollow: false },
  { mix: 0.45, dash: [3, 2], hollow: true },
  { mix: -0.45, dash: [1, 1.7], hollow: false },
  { mix: 0.7, dash: [5, 2, 1, 2], hollow: true },
];

const INK = [27, 36, 48];

function rgbOf(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** WCAG relative luminance of an [r, g, b] colour. */
export function luminance([r, g, b]) {
  const lin = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function mixed(hex, k) {
  const target = k > 0 ? INK : [255, 255, 255];
  const a = Math.abs(k);
  const rgb = rgbOf(hex).map((c, i) => Math.round(c * (1 - a) + target[i] * a));
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The look of the `variant`-th run (0: the first) of an optimizer catalogue entry. A pale
 * colour (Okabe–Ito's yellow) gets a dark halo and outline, since white would not set it off
 * from a pale surface.
 * @returns {Style}
 */
export function styleOf(optimizer, variant = 0) {
  const v = VARIANTS[variant % VARIANTS.length];
  const color = v.mix ? mixed(optimizer.color, v.mix) : optimizer.color;
  const pale = luminance(rgbOf(color)) > 0.55;
  return { color, marker: optimizer.marker, dash: v.dash, hollow: v.hollow, variant,
    halo: pale ? 'rgba(27,36,48,0.85)' : 'rgba(255,255,255,0.9)',
    edge: pale ? '#1b2430' : '#ffffff' };
}

/** How many rows before row `i` race the same optimizer: which variant row `i` is. */
export function variantOf(rows, i) {
  return rows.slice(0, i).filter((r) => r.id === rows[i].id).length;
}

/** The look of roster row `i` of `rows`. */
export function rowStyle(rows, i, catalogues) {
  const optimizer = catalogues.optimizers.find((o) => o.id === rows[i].id);
  return optimizer ? styleOf(optimizer, variantOf(rows, i)) : null;
}

/**
 * The look of each run of a race: its optimizer's, shaded by the roster row it came from (a
 * row since changed to another optimizer: by its place among the race's own runs).
 * @returns {Style[]}
 */
export function stylesOf(race, rows, catalogues) {
  return race.runs.map((run, i) => {
    const optimizer = catalogues.optimizers.find((o) => o.id === run.info.optimizer);
    const row = rows[run.roster];
    const variant = row && row.id === run.info.optimizer ? variantOf(rows, run.roster)
      : race.runs.slice(0, i).filter((r) => r.info.optimizer === run.info.optimizer).length;
    return styleOf(optimizer, variant);
  });
}

/**
 * Trace a marker shape of radius `r` centred on (x, y) into a 2-D canvas context (the caller
 * fills and strokes it). Besides the optimizers' shapes it draws the reserved glyphs:
 * 'star' (a minimum), 'cross' (diverged) and 'hourglass' (a saddle).
 */
export function shapePath(ctx, shape, x, y, r) {
  ctx.beginPath();
  const polygon = (points) => {
    points.forEach(([px, py], i) => (i ? ctx.lineTo(x + px * r, y + py * r)
      : ctx.moveTo(x + px * r, y + py * r)));
    ctx.closePath();
  };
  const ring = (n, phase, radii) => polygon(Array.from({ length: n * radii.length }, (_, i) => {
    const a = phase + (i * 2 * Math.PI) / (n * radii.length);
    const k = radii[i % radii.length];
    return [k * Math.cos(a), k * Math.sin(a)];
  }));
  switch (shape) {
    case 'square': polygon([[-0.85, -0.85], [0.85, -0.85], [0.85, 0.85], [-0.85, 0.85]]); break;
    case 'diamond': polygon([[0, -1.25], [1.1, 0], [0, 1.25], [-1.1, 0]]); break;
    case 'triangle-up': polygon([[0, -1.2], [1.15, 0.8], [-1.15, 0.8]]); break;
    case 'triangle-down': polygon([[0, 1.2], [1.15, -0.8], [-1.15, -0.8]]); break;
    case 'triangle-left': polygon([[-1.2, 0], [0.8, -1.15], [0.8, 1.15]]); break;
    case 'triangle-right': polygon([[1.2, 0], [-0.8, -1.15], [-0.8, 1.15]]); break;
    case 'hexagon': ring(6, 0, [1.08]); break;
    case 'pentagon': ring(5, -Math.PI / 2, [1.12]); break;
    case 'star': ring(5, -Math.PI / 2, [1.3, 0.55]); break;
    case 'hourglass': polygon([[-0.9, -1], [0.9, -1], [-0.9, 1], [0.9, 1]]); break;
    case 'cross': polygon([[-0.35, -1], [0, -0.5], [0.35, -1], [1, -0.35], [0.5, 0], [1, 0.35],
      [0.35, 1], [0, 0.5], [-0.35, 1], [-1, 0.35], [-0.5, 0], [-1, -0.35]]); break;
    default: ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

/** Fill and outline a run's marker (a hollow one: white inside, a thick coloured edge). */
export function paintMarker(ctx, style, x, y, r) {
  shapePath(ctx, style.marker, x, y, r);
  if (style.hollow) {
    ctx.fillStyle = '#ffffff';
    ctx.fill();
    ctx.lineWidth = Math.max(2, r * 0.42);
    ctx.strokeStyle = style.color;
    ctx.stroke();
    return;
  }
  ctx.fillStyle = style.color;
  ctx.fill();
  ctx.lineWidth = Math.max(1.5, r * 0.28);
  ctx.strokeStyle = style.edge;
  ctx.stroke();
}

/**
 * A small picture of a run's look: its marker, and with `line` a stretch of its trail (dash
 * and all), for the roster, the leaderboard and the legends.
 * @returns {HTMLImageElement}
 */
export function swatch(style, size = 16, { line = false, length = 2.2 } = {}) {
  const dpr = window.devicePixelRatio || 1;
  const width = line ? Math.round(size * length) : size;
  const key = JSON.stringify([style.color, style.marker, style.dash, style.hollow, style.edge,
    size, width, line, dpr]);
  let src = swatchImages.get(key);
  if (!src) {
    src = paintSwatch(style, size, width, line, dpr).toDataURL();
    swatchImages.set(key, src);
  }
  const img = document.createElement('img');
  Object.assign(img, { src, width, height: size, alt: '', className: 'swatch' });
  Object.assign(img.dataset, { color: style.color, marker: style.marker,
    dash: style.dash.join(','), hollow: String(style.hollow) });
  return img;
}

/** Swatches painted so far, as images, by look and size: the roster, the leaderboard and the
 * legends show the same few many times a second while a slider is dragged, and a canvas with
 * its own context each time was a fifth of the page's script time. */
const swatchImages = new Map();

function paintSwatch(style, size, width, line, dpr) {
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(size * dpr);
  const ctx = canvas.getContext('2d');
  ctx.scale(dpr, dpr);
  if (line) {
    const w = Math.max(2, size * 0.16);
    ctx.lineCap = 'butt';
    ctx.setLineDash(style.dash.map((d) => d * w));
    ctx.strokeStyle = style.color;
    ctx.lineWidth = w;
    ctx.beginPath();
    ctx.moveTo(0, size / 2);
    ctx.lineTo(width, size / 2);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  paintMarker(ctx, { ...style, edge: style.edge === '#ffffff' ? '#1b2430' : style.edge },
    width / 2, size / 2, size * 0.32);
  return canvas;
}

/**
 * A canvas with a reserved glyph (a critical point's or an outcome's), for the legends; drawn
 * by `draw(ctx, x, y, r)`, the same function the plot uses.
 * @returns {HTMLCanvasElement}
 */
export function glyph(draw, size = 16) {
  const canvas = document.createElement('canvas');
  const dpr = window.devicePixelRatio || 1;
  canvas.width = canvas.height = Math.round(size * dpr);
  canvas.style.width = canvas.style.height = `${size}px`;
  canvas.className = 'swatch';
  const ctx = canvas.getContext('2d');
  ctx.scale(dpr, dpr);
  draw(ctx, size / 2, size / 2, size * 0.3);
  return canvas;
}

/** The critical points a surface catalogue lists, as the plots mark them (dark ink, drawn
 * under the runs) and as their legends name them. */
export const CRITICAL = {
  global_min: { name: 'global minimum' },
  local_min: { name: 'local minimum' },
  saddle: { name: 'saddle point' },
  local_max: { name: 'local maximum' },
};

/** Draw a critical point's glyph: ★ global minimum, ☆ local minimum, an open hourglass for a
 * saddle, a caret ∧ for a maximum. */
export function drawCritical(ctx, kind, x, y, r) {
  ctx.save();
  ctx.lineJoin = 'round';
  if (kind === 'local_max') {
    ctx.beginPath();
    ctx.moveTo(x - r, y + 0.6 * r);
    ctx.lineTo(x, y - 0.8 * r);
    ctx.lineTo(x + r, y + 0.6 * r);
    ctx.lineCap = 'round';
    for (const [stroke, w] of [['#ffffff', r * 0.75], ['#1b2430', r * 0.35]]) {
      ctx.strokeStyle = stroke;
      ctx.lineWidth = w;
      ctx.stroke();
    }
  } else {
    shapePath(ctx, kind === 'saddle' ? 'hourglass' : 'star', x, y, r);
    const filled = kind === 'global_min';
    ctx.lineWidth = r * 0.5;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
    ctx.fillStyle = filled ? '#1b2430' : '#ffffff';
    ctx.fill();
    ctx.lineWidth = r * 0.24;
    ctx.strokeStyle = '#1b2430';
    ctx.stroke();
  }
  ctx.restore();
}

/** The outcome marks at the end of a run: a solid ring (converged), a dashed ring (stalled),
 * a cross ✕ (diverged), in the run's colour over a white halo. */
export const OUTCOMES = {
  converged: { name: 'converged' },
  stalled: { name: 'stalled' },
  diverged: { name: 'diverged' },
};

export function drawOutcome(ctx, status, x, y, r, color = '#1b2430') {
  ctx.save();
  ctx.beginPath();
  if (status === 'diverged') {
    const k = r * 0.75;
    ctx.moveTo(x - k, y - k); ctx.lineTo(x + k, y + k);
    ctx.moveTo(x + k, y - k); ctx.lineTo(x - k, y + k);
  } else ctx.arc(x, y, r, 0, 2 * Math.PI);
  const width = Math.max(2, r * (status === 'diverged' ? 0.34 : 0.26));
  ctx.lineCap = 'round';
  ctx.strokeStyle = 'rgba(255,255,255,0.9)';
  ctx.lineWidth = width * 2;
  ctx.stroke();
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  if (status === 'stalled') ctx.setLineDash([width * 1.4, width * 1.1]);
  ctx.stroke();
  ctx.restore();
}
