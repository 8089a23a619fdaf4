/**
 * The standings at the current frame: who has converged (and in how many steps), who
 * diverged, who stalled and where — the API's outcome, revealed as the playback reaches it —
 * and each run's loss. At the last frame the numbers are the API's `final` ones.
 */

import { h } from './dom.js';
import { num, pair } from './format.js';
import { swatch } from './palette.js';
import { tr } from './i18n.js';

const RANK = { converged: 0, running: 1, unfinished: 1, stalled: 2, diverged: 3 };

/**
 * A run's standing at frame t: its status so far, the step it applies to, its loss. The
 * step at which a run met the convergence tolerance is known frame by frame, but whether
 * that was the minimum (converged) or somewhere else (stalled) only comes with the outcome.
 */
export function standing(race, run, t) {
  const o = run.outcome;
  const end = race.done && t >= race.steps;
  if (run.divergedAt !== null && run.divergedAt <= t) {
    return { status: 'diverged', step: run.divergedAt, loss: end ? o.final.loss : run.loss[t] };
  }
  if (end) {
    return { status: o.status, step: o.converged_at, loss: o.final.loss, near: o.final.near };
  }
  if (o && o.converged_at !== null && o.converged_at <= t) {
    return { status: o.status, step: o.converged_at, loss: run.loss[t], near: o.final.near };
  }
  return { status: 'running', step: null, loss: run.loss[t] };
}

/** A standing in a few words for the table, and in a sentence for its tooltip. */
function describe(s) {
  switch (s.status) {
    case 'converged': return [tr('outcome.converged', { step: s.step }),
      tr('outcome.converged_title', { step: s.step })];
    case 'diverged': return s.step === 0
      ? [tr('outcome.diverged_start'), tr('outcome.diverged_start_title')]
      : [tr('outcome.diverged', { step: s.step }), tr('outcome.diverged_title', { step: s.step })];
    case 'stalled': return s.near
      ? [tr(`outcome.stalled_${s.near.kind}`),
        tr(`outcome.stalled_${s.near.kind}_title`, { point: pair(...s.near.point, 3) })]
      : [tr('outcome.stalled'), tr('outcome.stalled_title')];
    case 'unfinished': return [tr('outcome.unfinished'), tr('outcome.unfinished_title')];
    default: return [tr('outcome.racing'), ''];
  }
}

const memo = new WeakMap();

/**
 * The one loss quantity the table shows, and its definition for the header: the gap f − f*
 * to the surface's smallest value where that is known (so that every run is compared with
 * the same zero, and a run stalled at a negative f does not look better than one that
 * reached the minimum), otherwise f itself.
 */
function quantityOf(race) {
  const fStar = race.surface?.f_star ?? null;
  return fStar === null
    ? { head: 'f', shift: 0, definition: tr('board.loss_title') }
    : { head: 'f − f*', shift: fStar, definition: tr('board.gap_title', { fStar: num(fStar, 4) }) };
}

/**
 * @param {HTMLElement} el
 * @param {?Object} race  @param {number} t  @param {import('./palette.js').Style[]} styles
 */
export function render(el, race, t, styles) {
  let m = memo.get(el);
  if (!race || race.available < 0) {
    if (m?.race !== null) {
      el.replaceChildren(h('h2', {}, tr('presenter.panel_leaderboard')),
        h('p', { class: 'muted' }, tr('board.no_race')));
      memo.set(el, { race: null });
    }
    return;
  }
  if (!m || m.race !== race) {
    const body = h('tbody');
    const q = quantityOf(race);
    const rows = race.runs.map((run, i) => {
      const cells = { rank: h('td', { class: 'rank' }), status: h('td', { class: 'status' }),
        loss: h('td', { class: 'loss num-cell' }) };
      cells.shift = q.shift;
      const row = h('tr', { dataset: { run: String(i), label: run.info.label } }, cells.rank,
        h('td', { class: 'who' }, swatch(styles[i], 14),
          h('span', {}, run.info.label)), cells.status, cells.loss);
      return { row, cells };
    });
    el.replaceChildren(h('h2', {}, tr('presenter.panel_leaderboard')), h('p', { class: 'board-note' }, q.definition),
      h('table', { class: 'board' },
      h('colgroup', {}, h('col', { class: 'c-rank' }), h('col', { class: 'c-run' }),
        h('col', { class: 'c-result' }), h('col', { class: 'c-loss' })),
      h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, tr('board.run')), h('th', {}, tr('board.result')),
        h('th', { class: 'num-cell', title: q.definition, dataset: { quantity: q.head } },
          h('bdi', { dir: 'ltr' }, q.head)))), body));
    m = { race, body, rows };
    memo.set(el, m);
  }
  const frame = Math.min(t, race.available);
  const standings = race.runs.map((run, i) => ({ i, s: standing(race, run, frame) }));
  standings.sort((a, b) => (RANK[a.s.status] - RANK[b.s.status])
    || (a.s.status === 'converged' ? a.s.step - b.s.step : 0)
    || ((a.s.loss ?? Infinity) - (b.s.loss ?? Infinity)) || a.i - b.i);
  standings.forEach(({ i, s }, place) => {
    const { row, cells } = m.rows[i];
    cells.rank.textContent = String(place + 1);
    const [text, sentence] = describe(s);
    cells.status.textContent = text;
    cells.status.title = sentence;
    const known = s.loss !== null && s.loss !== undefined;
    // f − f* is never below 0: rounding in f* must not print a gap of −10⁻¹⁶
    cells.loss.textContent = known ? num(cells.shift ? Math.max(s.loss - cells.shift, 0)
      : s.loss, 3) : '—';
    cells.loss.title = known ? `f = ${s.loss}` : '';
    row.dataset.status = s.status;
    row.dataset.loss = s.loss === null || s.loss === undefined ? '' : String(s.loss);
    row.dataset.step = s.step === null || s.step === undefined ? '' : String(s.step);
    row.className = `st-${s.status}`;
    if (m.body.children[place] !== row) m.body.insertBefore(row, m.body.children[place] ?? null);
  });
}
