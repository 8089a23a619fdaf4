/**
 * A map's cells as the page holds them: the API's binary blocks turned into typed arrays,
 * and each cell's outcome turned into the one number the map plot colours.
 *
 * Colour says where a run ended — each critical point of the surface its own colour (the
 * point itself is drawn with the contour's glyph), then "stalled elsewhere", "diverged" and
 * "unfinished" — and lightness says how fast: a run that got there in few steps is drawn in
 * full colour, one that took all its steps almost white. An unfinished run got nowhere in
 * particular, so its lightness says how low it got instead: the lower its final loss (on a
 * log scale, over the map's unfinished runs), the darker. Cell value = category + shade, so
 * one Plotly heatmap with one stepped colour scale draws it all.
 */

const TYPES = { int8: Int8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array };
/** The share of a category's band its shades use (the rest keeps one category's palest shade
 * from blending into the next). How pale the slowest run is drawn comes with the map. */
const BAND = 0.95;

/** A `{dtype, shape, data}` block as a typed array (row-major, its own buffer). */
export function decode(block) {
  const bytes = Uint8Array.from(atob(block.data), (c) => c.charCodeAt(0));
  return new TYPES[block.dtype](bytes.buffer);
}

/** Every per-cell array of a `cells` document, decoded, with the grid's shape. */
export function decodeCells(cells) {
  const [rows, cols] = cells.status.shape;
  return { rows, cols, status: decode(cells.status), basin: decode(cells.basin),
    step: decode(cells.step), loss: decode(cells.loss), final: decode(cells.final) };
}

/**
 * The categories of a map: one per point the surface lists (in the API's order), then one
 * per status (`statuses`, in code order) for the runs that ended at no listed point.
 * Colours and `palest` (how far towards white the slowest run at a point is mixed) are the
 * server's, so a map here looks as its PNG and HTML exports do.
 * @returns {{key: string, status?: string, point?: number, color: string, palest: number}[]}
 */
export function categoriesOf(points, statuses, statusColors, palest) {
  return [...points.map((p, i) => ({ key: `point-${i}`, point: i, color: p.color, palest })),
    ...statuses.map((status) => ({ key: status, status, color: statusColors[status],
      palest: status === 'unfinished' ? palest : 0 }))];
}

/** The category of a cell: the point its run ended at (converged or stalled there), else its
 * status (converged or stalled away from every listed point, diverged, unfinished). */
function categoryOf(status, basin, statuses, nPoints) {
  const name = statuses[status];
  if ((name === 'converged' || name === 'stalled') && basin >= 0) return basin;
  return nPoints + status;
}

/** The range of log₁₀ final loss over the unfinished runs of decoded cells ([0, 0]: none). */
export function unfinishedRange(cells, statuses) {
  const code = statuses.indexOf('unfinished');
  let lo = Infinity;
  let hi = -Infinity;
  cells.status.forEach((s, k) => {
    if (s !== code || !(cells.loss[k] > 0)) return;
    const v = Math.log10(cells.loss[k]);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  });
  return lo <= hi ? [lo, hi] : [0, 0];
}

/**
 * The heatmap values (rows of columns) of decoded cells: category + shade, where the shade
 * (0 fast … BAND slow) is log(1 + step) / log(1 + steps) of the step the run got there, or
 * for an unfinished run its log final loss's place in `range` (0 lowest … BAND highest).
 */
export function cellValues(cells, statuses, nPoints, steps, range = [0, 0]) {
  const z = [];
  const scale = Math.log1p(steps);
  const unfinished = nPoints + statuses.indexOf('unfinished');
  const spread = range[1] - range[0];
  for (let j = 0; j < cells.rows; j += 1) {
    const row = new Array(cells.cols);
    for (let i = 0; i < cells.cols; i += 1) {
      const k = j * cells.cols + i;
      const category = categoryOf(cells.status[k], cells.basin[k], statuses, nPoints);
      let shade = 0;
      if (category < nPoints && cells.step[k] >= 0) shade = Math.log1p(cells.step[k]) / scale;
      else if (category === unfinished && spread > 0 && cells.loss[k] > 0) {
        shade = Math.min(1, Math.max(0, (Math.log10(cells.loss[k]) - range[0]) / spread));
      }
      row[i] = category + BAND * shade;
    }
    z.push(row);
  }
  return z;
}

/** How many cells of each category (indices into `categories`) the heatmap values hold. */
export function countCategories(z, n) {
  const counts = new Array(n).fill(0);
  for (const row of z) for (const v of row) counts[Math.min(n - 1, Math.floor(v))] += 1;
  return counts;
}

/** Mix a `#rrggbb` colour towards white by `k` (0 … 1). */
export function paler(hex, k) {
  const v = parseInt(hex.slice(1), 16);
  const rgb = [(v >> 16) & 255, (v >> 8) & 255, v & 255].map((c) => Math.round(c + (255 - c) * k));
  return `rgb(${rgb.join(',')})`;
}

/** The stepped colour scale of `categories`: each band from its full colour to its palest. */
export function colorscale(categories) {
  const n = categories.length;
  return categories.flatMap((c, i) => [[i / n, c.color], [(i + BAND) / n,
    paler(c.color, c.palest)]]).concat([[1, paler(categories[n - 1].color,
    categories[n - 1].palest)]]);
}
