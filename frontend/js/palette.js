/**
 * Run colours and marker shapes.
 *
 * Colours are Okabe & Ito's palette, distinguishable with every common colour-vision
 * deficiency; each run also gets its own marker shape (and, past the eighth run, a dashed
 * trail), so that no reading of the plot depends on colour alone. Yellow comes last: it is
 * the weakest on a pale surface, and every trail is drawn over a white halo anyway.
 */

export const COLORS = [
  { hex: '#0072B2', name: 'blue' },
  { hex: '#D55E00', name: 'vermillion' },
  { hex: '#009E73', name: 'bluish green' },
  { hex: '#CC79A7', name: 'reddish purple' },
  { hex: '#E69F00', name: 'orange' },
  { hex: '#56B4E9', name: 'sky blue' },
  { hex: '#000000', name: 'black' },
  { hex: '#F0E442', name: 'yellow' },
];

/** Marker shapes, in the order runs receive them; drawn by `shapePath`. */
const SHAPES = ['circle', 'square', 'diamond', 'triangle', 'triangle-down', 'hexagon',
  'star', 'cross'];

/** Colour of a run by its palette index (wrapping past the eighth). */
export function colorOf(index) {
  return COLORS[((index % COLORS.length) + COLORS.length) % COLORS.length].hex;
}

/** Marker shape of the run at roster position `position`. */
export function shapeOf(position) {
  return SHAPES[position % SHAPES.length];
}

/** Trail dash pattern (in line widths) of the run at `position`: solid for the first eight. */
export function dashOf(position) {
  return position < COLORS.length ? [] : [3, 2];
}

/**
 * Trace a marker shape of radius `r` centred on (x, y) into a 2-D canvas context (the caller
 * fills and strokes it). Shared by the plots' overlays and the legend swatches.
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
    case 'diamond': polygon([[0, -1.2], [1.1, 0], [0, 1.2], [-1.1, 0]]); break;
    case 'triangle': polygon([[0, -1.15], [1.1, 0.8], [-1.1, 0.8]]); break;
    case 'triangle-down': polygon([[0, 1.15], [1.1, -0.8], [-1.1, -0.8]]); break;
    case 'hexagon': ring(6, 0, [1.05]); break;
    case 'star': ring(5, -Math.PI / 2, [1.25, 0.55]); break;
    case 'cross': polygon([[-0.35, -1], [0.35, -1], [0.35, -0.35], [1, -0.35], [1, 0.35],
      [0.35, 0.35], [0.35, 1], [-0.35, 1], [-0.35, 0.35], [-1, 0.35], [-1, -0.35],
      [-0.35, -0.35]]); break;
    default: ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

/**
 * A small canvas showing a run's colour and shape, for the roster and the leaderboard.
 * @returns {HTMLCanvasElement}
 */
export function swatch(colorIndex, position, size = 16) {
  const canvas = document.createElement('canvas');
  const dpr = window.devicePixelRatio || 1;
  canvas.width = canvas.height = Math.round(size * dpr);
  canvas.style.width = canvas.style.height = `${size}px`;
  canvas.className = 'swatch';
  const ctx = canvas.getContext('2d');
  ctx.scale(dpr, dpr);
  shapePath(ctx, shapeOf(position), size / 2, size / 2, size * 0.34);
  ctx.fillStyle = colorOf(colorIndex);
  ctx.fill();
  ctx.lineWidth = 1.2;
  ctx.strokeStyle = '#1b2430';
  ctx.stroke();
  return canvas;
}

/**
 * Colour and shape of each run of a race, from the roster row it came from (`rows`: the
 * lab's roster; a row since changed to another optimizer keeps the race's own colours).
 * @returns {{color: number, position: number}[]}
 */
export function stylesOf(race, rows) {
  return race.runs.map((run) => {
    const row = rows[run.roster];
    return { color: row && row.id === run.info.optimizer ? row.color : run.roster,
      position: run.roster };
  });
}
