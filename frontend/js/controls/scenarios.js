/**
 * Lecture scenarios (GET /scenarios): a gallery to choose one, and a card that carries the
 * lesson — the question to put to the class before pressing play, then, once the race has
 * been played to its end (or on request), what to notice.
 */

import { h } from '../dom.js';
import { swatch } from '../palette.js';
import { stateFromScenario } from '../request.js';

/**
 * @param {{card: HTMLElement, dialog: HTMLDialogElement, opener: HTMLElement}} els
 * @param {{catalogues: Object, store: Object}} ctx
 * @returns {{update: (state: Object, atEnd: boolean) => void}}
 */
export function scenarioControl(els, { catalogues, store }) {
  const { scenarios } = catalogues;
  const revealed = new Set();
  const load = (scenario, event) => {
    store.update(stateFromScenario(scenario, catalogues), { event, scenario: true });
    els.dialog.close();
  };

  const cards = scenarios.map((s, i) => h('button', { type: 'button', class: 'scenario-tile',
    dataset: { scenario: s.id }, onclick: (event) => load(s, event) },
  h('span', { class: 'tile-head' }, h('span', { class: 'chip' }, s.topic),
    h('span', { class: 'muted' }, `${i + 1}/${scenarios.length}`)),
  h('strong', {}, s.title), h('span', { class: 'tile-question' }, s.question)));
  els.dialog.append(
    h('div', { class: 'dialog-head' }, h('h2', {}, 'Lecture scenarios'),
      h('span', { class: 'muted' }, 'Each sets up a race and a question for the class.'),
      h('button', { type: 'button', class: 'icon close', 'aria-label': 'close',
        onclick: () => els.dialog.close() }, '×')),
    h('div', { class: 'tiles' }, ...cards));
  els.dialog.addEventListener('click', (event) => {
    if (event.target === els.dialog) els.dialog.close();
  });
  els.opener.addEventListener('click', () => els.dialog.showModal());

  let shown = null;
  let shownKey = '';
  const notice = h('div', { class: 'notice' });
  const reveal = h('button', { type: 'button', class: 'small', onclick: () => {
    revealed.add(shown);
    notice.classList.add('open');
  } }, 'What to notice?');

  return {
    update(state, atEnd) {
      const index = scenarios.findIndex((s) => s.id === state.scenario);
      const scenario = scenarios[index];
      if (scenario && atEnd) revealed.add(scenario.id);
      const focus = scenario ? state.runs.findIndex((r) => r.label === scenario.focus) : -1;
      const key = JSON.stringify([state.scenario, revealed.has(state.scenario), focus,
        state.runs[focus]?.color]);
      if (key === shownKey) return;
      shownKey = key;
      if (!scenario) {
        shown = null;
        els.card.replaceChildren(h('h2', {}, 'Your race'),
          h('p', {}, 'Every change re-runs the race at once: drag a slider, pick a surface, '
            + 'or click the plot to move the start.'),
          h('button', { type: 'button', class: 'primary', onclick: () => els.dialog.showModal() },
            'Browse lecture scenarios'));
        return;
      }
      shown = scenario.id;
      notice.replaceChildren(h('h3', {}, 'What to notice'), h('p', {}, scenario.notice));
      notice.classList.toggle('open', revealed.has(scenario.id));
      const step = (d) => h('button', { type: 'button', class: 'small',
        disabled: !scenarios[index + d], onclick: (event) => load(scenarios[index + d], event) },
      d < 0 ? '‹ Previous' : 'Next ›');
      els.card.replaceChildren(...[
        h('div', { class: 'card-head' }, h('span', { class: 'chip' }, scenario.topic),
          h('span', { class: 'muted' }, `scenario ${index + 1} of ${scenarios.length}`)),
        h('h2', { class: 'scenario-title' }, scenario.title),
        h('div', { class: 'question' }, h('h3', {}, 'Ask the class'),
          h('p', {}, scenario.question)),
        notice,
        revealed.has(scenario.id) ? null : reveal,
        h('div', { class: 'card-actions' }, step(-1),
          focus >= 0 ? h('span', { class: 'focus', title: 'the run this lesson is about' },
            'follow ', swatch(state.runs[focus].color, focus, 14), ` ${scenario.focus}`) : null,
          step(1)),
      ].filter(Boolean));
    },
  };
}
