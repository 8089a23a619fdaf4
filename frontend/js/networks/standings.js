/**
 * The networks lab's standings at the current frame: each run's training loss and accuracy
 * (and, with held-out data, its validation loss and the gap to the training loss), lowest
 * loss first, a diverged run last with the step it diverged at. The selected row is
 * the run whose decision boundary is on screen; clicking a row selects it.
 */

import { h } from '../dom.js';
import { num } from '../format.js';
import { swatch } from '../palette.js';
import { tr } from '../i18n.js';

const memo = new WeakMap();

const percent = (v) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : '—');

/**
 * @param {HTMLElement} el
 * @param {?Object} race  @param {number} t  @param {import('../palette.js').Style[]} styles
 * @param {number} selected index of the run whose boundary is shown
 * @param {(run: number, event: Event) => void} choose
 */
export function render(el, race, t, styles, selected, choose) {
  let m = memo.get(el);
  if (!race || race.available < 0) {
    if (m?.race !== null) {
      el.replaceChildren(h('h2', {}, tr('board.runs')), h('p', { class: 'muted' },
        tr('board.no_race')));
      memo.set(el, { race: null });
    }
    return;
  }
  if (!m || m.race !== race) {
    const body = h('tbody');
    const rows = race.runs.map((run, i) => {
      const cells = { loss: h('td', { class: 'num-cell' }), accuracy: h('td', {
        class: 'num-cell' }) };
      if (race.validation) {
        cells.valLoss = h('td', { class: 'num-cell' });
        cells.gap = h('td', { class: 'num-cell' });
      }
      const row = h('tr', { dataset: { run: String(i), label: run.info.label },
        title: tr('netlab.show_boundary'), onclick: (event) => choose(i, event) },
      h('td', { class: 'who' }, swatch(styles[i], 14),
        h('span', {}, run.info.label)), ...Object.values(cells));
      return { row, cells };
    });
    const heads = race.validation ? [
      h('th', { class: 'num-cell', title: tr('standings.val_loss_title') },
        tr('standings.val_loss')),
      h('th', { class: 'num-cell', title: tr('standings.gap_title') }, tr('standings.gap')),
    ] : [];
    el.replaceChildren(h('h2', {}, tr('board.runs')), h('table', { class: `board standings${
      race.validation ? ' held' : ''}` },
      h('thead', {}, h('tr', {}, h('th', {}, tr('board.run')),
        h('th', { class: 'num-cell' }, tr('plot.loss')),
        h('th', { class: 'num-cell' }, tr('plot.accuracy')), ...heads)), body));
    m = { race, body, rows };
    memo.set(el, m);
  }
  const frame = Math.min(t, race.available);
  const order = race.runs.map((run, i) => {
    const diverged = run.divergedAt !== null && run.divergedAt <= frame;
    return { i, diverged, loss: run.loss[frame] };
  }).sort((a, b) => (a.diverged - b.diverged) || ((Number.isFinite(a.loss) ? a.loss : Infinity)
    - (Number.isFinite(b.loss) ? b.loss : Infinity)) || a.i - b.i);
  order.forEach(({ i, diverged }, place) => {
    const { row, cells } = m.rows[i];
    const run = race.runs[i];
    cells.loss.textContent = diverged ? tr('netlab.diverged_at', { step: run.divergedAt })
      : num(run.loss[frame], 3);
    cells.accuracy.textContent = diverged ? '' : percent(run.accuracy[frame]);
    if (cells.valLoss) {
      cells.valLoss.textContent = diverged ? '' : num(run.valLoss[frame], 3);
      cells.gap.textContent = diverged ? '' : num(run.valLoss[frame] - run.loss[frame], 2);
    }
    row.dataset.loss = String(run.loss[frame]);
    row.dataset.accuracy = String(run.accuracy[frame]);
    row.className = `${diverged ? 'st-diverged' : ''}${i === selected ? ' selected' : ''}`;
    if (m.body.children[place] !== row) m.body.insertBefore(row, m.body.children[place] ?? null);
  });
}
