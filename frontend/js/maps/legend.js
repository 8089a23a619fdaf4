/**
 * The map's legend: each colour with what it means and its share of the cells — a critical
 * point with the contour's glyph on its colour, the outcomes at no listed point, the glyph of
 * each other kind of critical point marked on the map — then how
 * lightness reads (fast … slow) and, on a hyperparameter map, the theory's marks and the
 * current setting. The same entries go under the exported PNG.
 */

import { CRITICAL, drawCritical, paintMarker } from '../palette.js';
import { h } from '../dom.js';
import { tr } from '../i18n.js';
import { num, pair } from '../format.js';
import { paler } from './cells.js';
import { markedPoints, SEARCH_MARKS } from '../plots/mapplot.js';

/** A critical point's kind in words (a kind the palette does not know: "minimum found"). */
export const pointName = (kind) => (CRITICAL[kind] ? tr(`critical.${kind}`)
  : tr('maplab.minimum_found'));

/** A run's outcome (the server's status code) in words; a code new to the page as it is. */
export function statusName(status) {
  const key = status === 'unfinished' ? 'outcome.unfinished' : `outcome.${status}_name`;
  const name = tr(key);
  return name === key ? status : name;
}

/** What an outcome at no listed point is called. */
const outcomeText = (status) => (status === 'converged' ? tr('maplab.converged_elsewhere')
  : status === 'stalled' ? tr('maplab.stalled_flat') : statusName(status));

function square(ctx, x, y, r, color) {
  ctx.fillStyle = color;
  ctx.fillRect(x - r * 1.3, y - r * 1.3, r * 2.6, r * 2.6);
  ctx.strokeStyle = 'rgba(27,36,48,0.35)';
  ctx.lineWidth = 1;
  ctx.strokeRect(x - r * 1.3, y - r * 1.3, r * 2.6, r * 2.6);
}

const percent = (n, total) => (total ? `${num(100 * n / total, 2)} %` : '');

/**
 * The legend's entries, each `{key, text, draw(ctx, x, y, r)}`.
 * @param {import('./mapdata.js').MapData} map
 * @param {Object[]} categories  @param {number[]} counts cells per category
 * @param {?{style: Object, text: string}} setting the current setting's mark
 * @param {?Object} [search] a grid and a random search drawn on the map
 */
export function legendEntries(map, categories, counts, setting, search = null) {
  const total = counts.reduce((a, b) => a + b, 0);
  const entries = [];
  categories.forEach((c, i) => {
    if (!counts[i]) return;
    if (c.point !== undefined) {
      const p = map.points[c.point];
      const name = pointName(p.kind);
      entries.push({ key: c.key, text: `${name} ${pair(...p.point, 3)} · ${percent(counts[i], total)}`,
        draw: (ctx, x, y, r) => {
          square(ctx, x, y, r, c.color);
          if (CRITICAL[p.kind]) drawCritical(ctx, p.kind, x, y, r * 0.9);
        } });
    } else {
      const outcome = outcomeText(c.status);
      const share = percent(counts[i], total);
      entries.push({ key: c.key, text: c.palest ? tr('maplab.darker', { outcome, share })
        : `${outcome} · ${share}`, draw: (ctx, x, y, r) => {
        if (!c.palest) {
          square(ctx, x, y, r, c.color);
          return;
        }
        const gradient = ctx.createLinearGradient(x - r * 1.3, 0, x + r * 1.3, 0);
        gradient.addColorStop(0, c.color);
        gradient.addColorStop(1, paler(c.color, c.palest));
        square(ctx, x, y, r, gradient);
      } });
    }
  });
  // a kind of critical point marked on the map that no cell reached (a saddle, a maximum):
  // its glyph, once
  const listed = new Set(categories.filter((c, i) => c.point !== undefined && counts[i])
    .map((c) => map.points[c.point].kind));
  for (const kind of new Set(markedPoints(map).map((p) => p.kind))) {
    if (listed.has(kind) || !CRITICAL[kind]) continue;
    entries.push({ key: `critical-${kind}`, text: pointName(kind),
      draw: (ctx, x, y, r) => drawCritical(ctx, kind, x, y, r * 0.9) });
  }
  const shaded = categories.find((c, i) => c.point !== undefined && counts[i]);
  if (shaded) {
    entries.push({ key: 'speed', text: tr('maplab.speed', { steps: map.steps }),
      draw: (ctx, x, y, r) => {
        const gradient = ctx.createLinearGradient(x - r * 1.3, 0, x + r * 1.3, 0);
        gradient.addColorStop(0, shaded.color);
        gradient.addColorStop(1, paler(shaded.color, shaded.palest));
        square(ctx, x, y, r, gradient);
      } });
  }
  const theory = map.summary?.theory;
  if (theory) {
    entries.push({ key: 'theory', text: tr('maplab.theory_limit', {
      low: num(theory.lam_min, 3), high: num(theory.lam_max, 3) }), draw: (ctx, x, y, r) => {
      ctx.save();
      ctx.strokeStyle = '#1b2430';
      ctx.lineWidth = 2.5;
      ctx.setLineDash([5, 3]);
      ctx.beginPath();
      ctx.moveTo(x - r * 1.6, y);
      ctx.lineTo(x + r * 1.6, y);
      ctx.stroke();
      ctx.restore();
    } });
    if (theory.optimum) {
      entries.push({ key: 'optimum', text: theory.optimum[1]
        ? tr('maplab.theory_optimum_mu', { lr: num(theory.optimum[0], 3),
          mu: num(theory.optimum[1], 3) })
        : tr('maplab.theory_optimum', { lr: num(theory.optimum[0], 3) }),
      draw: (ctx, x, y, r) => {
        ctx.save();
        ctx.strokeStyle = '#1b2430';
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.arc(x, y, r * 1.1, 0, 2 * Math.PI);
        ctx.moveTo(x - r * 1.1, y);
        ctx.lineTo(x + r * 1.1, y);
        ctx.moveTo(x, y - r * 1.1);
        ctx.lineTo(x, y + r * 1.1);
        ctx.stroke();
        ctx.restore();
      } });
    }
  }
  if (search) {
    for (const method of Object.keys(SEARCH_MARKS)) {
      const trials = search[method].trials[0].length;
      entries.push({ key: `${method}-trials`, text: tr(method === 'grid' ? 'maplab.grid_trials'
        : 'maplab.random_trials', { trials }),
      draw: (ctx, x, y, r) => {
        ctx.save();
        ctx.strokeStyle = '#1b2430';
        ctx.lineWidth = 1.6;
        ctx.beginPath();
        if (method === 'grid') ctx.arc(x, y, r * 1.3, 0, 2 * Math.PI);
        else {
          const d = r * 1.4;
          ctx.moveTo(x, y - d); ctx.lineTo(x + d, y); ctx.lineTo(x, y + d); ctx.lineTo(x - d, y);
          ctx.closePath();
        }
        ctx.stroke();
        ctx.beginPath();
        const k = r * 0.6;
        if (method === 'grid') {
          ctx.moveTo(x - k, y); ctx.lineTo(x + k, y); ctx.moveTo(x, y - k); ctx.lineTo(x, y + k);
        } else {  // three spokes, as Plotly's 'y-up'
          for (const angle of [-Math.PI / 2, Math.PI / 6, (5 * Math.PI) / 6]) {
            ctx.moveTo(x, y);
            ctx.lineTo(x + k * 1.2 * Math.cos(angle), y + k * 1.2 * Math.sin(angle));
          }
        }
        ctx.stroke();
        ctx.restore();
      } });
    }
  }
  if (setting) {
    entries.push({ key: 'setting', text: setting.text, draw: (ctx, x, y, r) => paintMarker(ctx,
      { ...setting.style, edge: '#1b2430' }, x, y, r) });
  }
  return entries;
}

/** Fill the list `el` with `entries` (rebuilt only when they change). */
export function fillMapLegend(el, entries) {
  const key = JSON.stringify(entries.map((e) => [e.key, e.text]));
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  const dpr = window.devicePixelRatio || 1;
  el.replaceChildren(...entries.map((entry) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = Math.round(18 * dpr);
    canvas.style.width = canvas.style.height = '18px';
    canvas.className = 'swatch';
    const ctx = canvas.getContext('2d');
    ctx.scale(dpr, dpr);
    entry.draw(ctx, 9, 9, 5.5);
    return h('li', { class: 'legend-mark', dataset: { entry: entry.key } }, canvas,
      h('span', {}, entry.text));
  }));
}
