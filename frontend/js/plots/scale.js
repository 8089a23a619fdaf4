/**
 * How loss values are shown on the contour and the 3-D surface: as they are, or — for the
 * surfaces the catalogue marks `log_contours` (Rosenbrock's valley floor is 2500 times lower
 * than its walls) — as log₁₀ of the height above the lowest value on the grid, so that the
 * valley floor gets contours too. The race's own loss values go through the same map, so
 * the paths lie on the surface drawn.
 */

/**
 * @param {Object} grid the API's grid document
 * @returns {{log: boolean, map: (v: number) => number, label: string}}
 */
export function zScale(grid) {
  const [lo, hi] = grid.z_range;
  if (!grid.surface.log_contours || lo === null || hi === null) {
    return { log: false, map: (v) => v, label: 'loss' };
  }
  const floor = Math.max((hi - lo) * 1e-4, 1e-12);
  return { log: true, map: (v) => Math.log10(Math.max(v - lo, 0) + floor),
    label: 'log₁₀ of loss above its minimum' };
}

/** The grid's z through `scale` (null where the API had no finite value). */
export function mapGrid(grid, scale) {
  return grid.z.map((row) => row.map((v) => (v === null ? null : scale.map(v))));
}

/** Colours of the surface: pale where the loss is low, slate where it is high, so that the
 * saturated run colours stand out on every part of it, on a screen or a washed-out projector. */
export const SURFACE_COLORSCALE = [
  [0, '#fdfcf5'], [0.2, '#eff2ea'], [0.45, '#dde5ea'], [0.7, '#c6d2de'], [1, '#a4b4c8'],
];

/** Evenly spaced contour levels over the finite values of a mapped grid. */
export function levels(z, count) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of z) {
    for (const v of row) {
      if (v === null || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(hi > lo)) return { start: lo, end: lo + 1, size: 1, lo, hi: lo + 1 };
  const size = (hi - lo) / count;
  return { start: lo + size / 2, end: hi, size, lo, hi };
}
