/**
 * The networks lab's Check view: backpropagation held against finite differences for the
 * selected run at the frame on screen (the server's `POST /networks/gradient-check`, which
 * nudges a dozen sampled weights, one in every layer first). Beside the chart of the
 * relative error against h, a table of the sampled weights: where each sits, backprop's
 * derivative, the centred difference at the best h, and their relative error.
 *
 * A check costs a few hundred forward passes, so none is asked for while the player runs;
 * a newer request aborts an older one.
 */

import * as api from '../api.js';
import { h } from '../dom.js';
import { num, subscript } from '../format.js';
import { tr } from '../i18n.js';
import * as chart from '../plots/gradcheck.js';

/** How many weights are checked: one per layer of the deepest net, and a few more. */
const SAMPLES = 12;
/** Relative errors above this are flagged: backprop and the difference disagree. */
const SUSPECT = 1e-4;

/** A weight's name as the lectures write it: W₂[3, 7], b₁[4], γ₁[2], β₁[2]. */
function parameterName(p) {
  const symbol = { weight: 'W', bias: 'b', gamma: 'γ', beta: 'β' }[p.kind];
  const where = p.column === null ? `${p.row}` : `${p.row}, ${p.column}`;
  return `${symbol}${subscript(p.layer)}[${where}]`;
}

function table(check) {
  const k = check.best.centred;
  const head = h('tr', {}, ...['check.parameter', 'check.backprop', 'check.error']
    .map((key) => h('th', { scope: 'col', class: key.slice(6) }, tr(key))));
  const rows = check.parameters.map((p, c) => {
    const error = k >= 0 ? check.coordinate_errors[c] : null;
    const centred = k >= 0 ? num(check.centred[k][c], 4) : '—';
    return h('tr', { class: error !== null && error > SUSPECT ? 'suspect' : '' },
      h('th', { scope: 'row' }, parameterName(p)),
      h('td', { class: 'backprop' }, num(check.analytic[c], 3)),
      h('td', { title: `${tr('check.centred')}: ${centred}` }, num(error, 2)));
  });
  return h('table', { class: 'check-table' }, h('thead', {}, head), h('tbody', {}, ...rows));
}

/**
 * @param {{plot: HTMLElement, table: HTMLElement, caption: HTMLElement}} els
 * @returns {{render: Function}}
 */
export function networkCheck(els) {
  /** what the view shows while a check is computed: the state, the run's label, the frame */
  let asked = null;
  const ask = api.latestAnswer('networks/gradient-check', 'network-check', {
    show(check, key) {
      els.caption.textContent = tr('check.network_caption', { label: asked.label,
        step: check.frame, count: check.parameters.length,
        h: num(check.steps[check.best.centred] ?? null, 2) });
      els.table.replaceChildren(table(check));
      chart.render(els.plot, asked.state, check);
      els.plot.dataset.checked = key;
    },
    fail(error) {
      els.caption.textContent = error.message;
      els.table.replaceChildren();
      chart.render(els.plot, asked.state, null);
    },
  });

  return {
    /**
     * @param {Object} state  @param {?Object} race the complete race on screen
     * @param {number} run its index  @param {number} frame  @param {boolean} playing
     */
    render(state, race, run, frame, playing) {
      if (!race) return;
      const key = JSON.stringify([race.request, run, frame, state.presenter]);
      const label = race.runs[run].info.label;
      if (!playing && ask(key, { race: race.request, run, frame, samples: SAMPLES })) {
        asked = { state, label };
        els.caption.textContent = tr('check.computing', { label, step: frame });
      }
    },
  };
}
