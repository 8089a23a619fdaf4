/**
 * The surfaces lab's Check panel: the gradient the optimizers use, at the selected run's
 * point on screen, against finite differences over a sweep of step sizes h (the server's
 * `POST /gradient-check`). A new point is asked for only while the panel is visible and the
 * player is not running through frames, and a newer request aborts an older one: at most
 * one check is in flight and the last point asked for is the one shown.
 */

import * as api from './api.js';
import { h, numberRow } from './dom.js';
import { num, pair } from './format.js';
import { tr } from './i18n.js';
import { swatch } from './palette.js';
import * as chart from './plots/gradcheck.js';

const at2 = (a, t) => [a[2 * t], a[2 * t + 1]];

/** What the panel says about one answer: the analytic gradient, the best centred estimate
 * and its error. */
function numbers(check) {
  const k = check.best.centred;
  const rows = [numberRow(tr('check.analytic'), pair(...check.analytic),
    tr('check.analytic_title'))];
  if (k >= 0) {
    // (the estimate itself is the row presenter mode leaves out: the legend says its h)
    rows.push(numberRow(tr('check.centred_at', { h: num(check.steps[k], 2) }),
      pair(...check.centred[k]), '', 'estimate'),
    numberRow(tr('check.error'), num(check.centred_error[k], 2), tr('check.error_title')));
  }
  return h('dl', { class: 'numbers' }, ...rows);
}

/**
 * @param {HTMLElement} el the panel
 * @returns {{render: Function}}
 */
export function checkPanel(el) {
  const head = h('div', { class: 'insp-head' });
  const body = h('div', { class: 'check-numbers' });
  const plot = h('div', { class: 'plot check-plot', id: 'check-plot', role: 'img',
    'aria-label': tr('check.plot_label') });
  const note = h('p', { class: 'note' }, tr('check.explain'));
  const warning = h('p', { class: 'warn', hidden: true }, tr('check.small_gradient'));
  el.replaceChildren(h('h2', {}, tr('check.title')), head, body, warning, plot, note);
  /** the state the check on its way was asked in: the chart's type size */
  let asked = null;
  const ask = api.latestAnswer('gradient-check', 'check', {
    show(check, key) {
      body.replaceChildren(numbers(check));
      warning.hidden = !check.small_gradient;
      chart.render(plot, asked, check);
      el.dataset.checked = key;
    },
    fail(error) {
      body.replaceChildren(h('p', { class: 'error' }, error.message));
      warning.hidden = true;
      chart.render(plot, asked, null);
    },
  });

  return {
    /**
     * @param {Object} state  @param {?Object} race  @param {number} runIndex
     * @param {number} t  @param {Object[]} styles  @param {boolean} playing
     */
    render(state, race, runIndex, t, styles, playing) {
      const run = race?.runs[runIndex];
      if (!run || t > race.available) {
        head.replaceChildren(h('span', { class: 'muted' }, tr('check.choose')));
        return;
      }
      const point = at2(run.path, t);
      head.replaceChildren(swatch(styles[runIndex], 16, { line: true }),
        h('strong', {}, run.info.label), h('span', { class: 'muted' },
          ` ${t >= 1 ? tr('plot.step_at', { step: t }) : tr('inspector.at_start')} · `,
          pair(...point)));
      const key = JSON.stringify([race.request.surface, point, state.presenter]);
      if (!playing && ask(key, { surface: race.request.surface, point })) asked = state;
    },
  };
}
