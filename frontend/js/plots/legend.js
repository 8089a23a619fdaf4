/**
 * A plot's legend, in HTML beside the plot (never over it, so that it hides no run): each
 * run's trail and marker with its label, then the critical-point and outcome glyphs the plot
 * shows. Rebuilt only when what it lists changes, not every frame.
 */

import { h } from '../dom.js';
import { drawCritical, drawOutcome, glyph, swatch } from '../palette.js';
import { tr } from '../i18n.js';

const memo = new WeakMap();

/**
 * The legend element of `host`: a `.legend` list placed after `host` (`place: 'after'`) or
 * inside it (`'inside'`: the caller positions it), created on first use.
 */
export function legendOf(host, place = 'after') {
  let el = memo.get(host);
  if (!el) {
    el = h('ul', { class: `legend-list ${place}`, 'aria-label': 'legend' });
    if (place === 'after') host.after(el);
    else host.append(el);
    memo.set(host, el);
    el.dataset.key = '';
  }
  return el;
}

/**
 * Fill `el` with the entries of `runs` ({label, style}), `critical` (kinds), `outcomes`
 * (statuses) and `marks` ({label, draw(ctx, x, y, r)}: a plot's own glyphs). `size`: the
 * swatch size in px.
 */
export function fillLegend(el, { runs = [], critical = [], outcomes = [], marks = [],
  size = 14, length = 2.2 }) {
  const key = JSON.stringify([runs.map((r) => [r.label, r.style]), critical, outcomes,
    marks.map((m) => m.label), size, length]);
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  el.replaceChildren(
    ...runs.map((r) => h('li', { class: 'legend-run', dataset: { label: r.label } },
      swatch(r.style, size, { line: true, length }), h('span', {}, r.label))),
    ...critical.map((kind) => h('li', { class: 'legend-mark', dataset: { critical: kind } },
      glyph((ctx, x, y, r) => drawCritical(ctx, kind, x, y, r * 1.25), size),
      h('span', {}, tr(`critical.${kind}`)))),
    ...outcomes.map((status) => h('li', { class: 'legend-mark', dataset: { outcome: status } },
      glyph((ctx, x, y, r) => drawOutcome(ctx, status, x, y, r * 1.3), size),
      h('span', {}, tr(`outcome.${status}_name`)))),
    ...marks.map((mark) => h('li', { class: 'legend-mark', dataset: { mark: mark.label } },
      glyph(mark.draw, size), h('span', {}, mark.label))),
  );
}
