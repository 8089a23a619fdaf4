/**
 * Lecture scenarios (GET /scenarios): a gallery to choose one, and a card that carries the
 * lesson — the question to put to the class before pressing play, then, once the race has
 * been played to its end (or on request), what to notice.
 */

import { h } from '../dom.js';
import { rowStyle, swatch } from '../palette.js';
import { raceRequest, stateFromScenario } from '../request.js';
import { mapRequest, mapStateFromScenario } from '../maps/request.js';
import { networkRequest, networkStateFromScenario } from '../networks/request.js';
import { tr } from '../i18n.js';
import { thumbnailUrl } from '../api.js';

/** A scenario's state (a race, a map of the maps lab, or a network race) and the request it
 * posts. */
const stateOf = (scenario, catalogues) => (scenario.network
  ? networkStateFromScenario(scenario, catalogues) : scenario.map
    ? mapStateFromScenario(scenario, catalogues) : stateFromScenario(scenario, catalogues));
const requestOf = (scenario, state, catalogues) => (scenario.network
  ? networkRequest(state, catalogues).body : scenario.map
    ? mapRequest(state, catalogues)?.body : raceRequest(state, catalogues).body);

/**
 * @param {{card: HTMLElement, dialog: HTMLDialogElement, opener: HTMLElement,
 *   showPanel: (panel: string) => void}} els `showPanel` opens the panel a lesson continues in
 * @param {{catalogues: Object, store: Object}} ctx
 * @returns {{update: (state: Object, race: ?Object, t: number) => void}}
 */
export function scenarioControl(els, { catalogues, store }) {
  const { scenarios } = catalogues;
  const revealed = new Set();
  // In presenter mode, once what to notice is shown, the question folds to one line
  // (the class has answered it; the notice needs the room): a click shows it whole again.
  let wholeQuestion = false;
  const load = (scenario, event) => {
    // a scenario opens on its question: what to notice waits until it has been played
    revealed.delete(scenario.id);
    shownKey = '';
    const next = stateOf(scenario, catalogues);
    const leavesAb = store.state.layout === 'ab' && next.layout !== 'ab';
    store.update({ ...next, ...(leavesAb ? { layout: 'both' } : {}) },
      { event, scenario: true });
    els.dialog.close();
  };

  // one tab per chapter of the lesson plan (the catalogue lists scenarios in its order)
  const chapters = [...new Set(scenarios.map((s) => s.chapter))];
  const tile = (s) => h('button', { type: 'button', class: 'scenario-tile',
    dataset: { scenario: s.id }, onclick: (event) => load(s, event) },
  h('img', { class: 'thumb', src: thumbnailUrl(s.id), alt: '', width: 200, height: 100,
    loading: 'lazy', decoding: 'async' }),
  h('span', { class: 'tile-head' }, h('span', { class: 'chip' }, s.topic),
    h('span', { class: 'muted' }, `${scenarios.indexOf(s) + 1}/${scenarios.length}`)),
  h('strong', {}, s.title), h('span', { class: 'tile-question' }, s.question));
  const pages = chapters.map((c) => h('div', { class: 'tiles', role: 'tabpanel',
    id: `chapter-${c}`, dataset: { chapter: c } },
  ...scenarios.filter((s) => s.chapter === c).map(tile)));
  const tabs = chapters.map((c) => h('button', { type: 'button', role: 'tab',
    class: 'chapter-tab', dataset: { chapter: c }, 'aria-controls': `chapter-${c}`,
    onclick: () => showChapter(c) },
  tr(`chapter.${c}`), ' ',
  h('span', { class: 'count' }, String(scenarios.filter((s) => s.chapter === c).length))));
  const showChapter = (chapter) => {
    for (const t of tabs) t.setAttribute('aria-selected', String(t.dataset.chapter === chapter));
    for (const p of pages) p.hidden = p.dataset.chapter !== chapter;
  };
  els.dialog.append(
    h('div', { class: 'dialog-head' }, h('h2', {}, tr('scenario.gallery_title')),
      h('span', { class: 'muted' },
        tr('scenario.gallery_intro', { count: scenarios.length })),
      h('button', { type: 'button', class: 'icon close', 'aria-label': tr('common.close'),
        onclick: () => els.dialog.close() }, '×')),
    h('div', { class: 'chapter-tabs', role: 'tablist',
      'aria-label': tr('scenario.chapters') }, ...tabs),
    ...pages);
  showChapter(chapters[0]);
  els.dialog.addEventListener('click', (event) => {
    if (event.target === els.dialog) els.dialog.close();
  });
  /** The gallery opens on the chapter of the scenario on screen. */
  const openGallery = () => {
    const current = scenarios.find((s) => s.id === store.state.scenario);
    showChapter(current?.chapter ?? chapters[0]);
    els.dialog.showModal();
  };
  els.opener.addEventListener('click', openGallery);

  /** The request each scenario posts as it was staged, to tell when the user changed it. */
  const staged = new Map();
  const stagedBody = (scenario) => {
    if (!staged.has(scenario.id)) {
      staged.set(scenario.id, JSON.stringify(requestOf(scenario, stateOf(scenario, catalogues),
        catalogues)));
    }
    return staged.get(scenario.id);
  };

  let shownKey = '';
  const api = {
    /**
     * @param {Object} state  @param {?Object} race the race on screen  @param {number} t its
     *   frame. What to notice is revealed once this scenario's own race (not the one still on
     *   screen from before it was opened) has been played to its last step.
     */
    update(state, race, t) {
      const index = scenarios.findIndex((s) => s.id === state.scenario);
      const scenario = scenarios[index];
      const body = scenario ? JSON.stringify(requestOf(scenario, state, catalogues)) : '';
      const changed = Boolean(scenario) && body !== stagedBody(scenario);
      const ours = Boolean(race?.done) && JSON.stringify(race.request) === body;
      // (an edited race is not the one the notice describes: it waits for Reveal)
      if (scenario && !changed && ours && t >= race.steps) revealed.add(scenario.id);
      const focus = scenario ? state.runs.findIndex((r) => r.label === scenario.focus) : -1;
      const key = JSON.stringify([state.scenario, revealed.has(state.scenario), focus,
        state.runs.map((r) => r.id), changed, state.presenter, wholeQuestion]);
      if (key === shownKey) return;
      shownKey = key;
      els.card.dataset.changed = String(changed);
      if (!scenario) {
        els.card.replaceChildren(h('h2', {}, tr('scenario.own_title')),
          h('p', {}, tr('scenario.own_text')),
          h('button', { type: 'button', class: 'primary', onclick: openGallery },
            tr('scenario.browse')));
        return;
      }
      const open = revealed.has(scenario.id);
      if (!open) wholeQuestion = false;
      const foldable = open && state.presenter;
      const toggleQuestion = () => {
        wholeQuestion = !wholeQuestion;
        api.update(store.state, race, t);
      };
      // In presenter mode Previous and Next sit on the head row, as ‹ and ›, beside the
      // position: the row the topic chip used (the title says the topic) and the row below
      // the notice both go to the notice.
      const compact = state.presenter;
      const step = (d) => {
        const label = d < 0 ? tr('scenario.previous') : tr('scenario.next');
        return h('button', { type: 'button', class: compact ? 'small step' : 'small',
          disabled: !scenarios[index + d], onclick: (event) => load(scenarios[index + d], event),
          'aria-label': compact ? label : null, title: compact ? label : null },
        compact ? (d < 0 ? '‹' : '›') : label);
      };
      const position = h('span', { class: 'muted' },
        tr('scenario.position', { index: index + 1, count: scenarios.length }));
      els.card.replaceChildren(...[
        compact ? h('div', { class: 'card-head' }, step(-1), position, step(1))
          : h('div', { class: 'card-head' }, h('span', { class: 'chip' }, scenario.topic), position),
        h('h2', { class: 'scenario-title' }, scenario.title),
        changed ? h('div', { class: 'changed', role: 'status' },
          h('span', {}, h('strong', {}, tr('scenario.changed')), ' ',
            tr('scenario.changed_text')),
          h('button', { type: 'button', class: 'small reset',
            onclick: (event) => load(scenario, event) }, tr('scenario.reset'))) : null,
        h('div', foldable ? {
          class: 'question foldable', role: 'button', tabindex: 0,
          'aria-expanded': String(wholeQuestion), title: tr('scenario.question_toggle'),
          onclick: toggleQuestion,
          onkeydown: (event) => {
            if (event.key !== 'Enter') return; // (space stays the player's key)
            event.preventDefault();
            event.stopPropagation();
            toggleQuestion();
          },
        } : { class: 'question' }, h('h3', {}, tr('scenario.question')),
          h('p', {}, scenario.question)),
        open ? h('div', { class: 'notice open' }, h('h3', {}, tr('scenario.notice')),
          h('p', {}, scenario.notice))
          : h('button', { type: 'button', class: 'small reveal', title: tr('scenario.reveal_title'), onclick: () => {
            revealed.add(scenario.id);
            shownKey = '';
            api.update(store.state, race, t);
          } }, tr('scenario.reveal')),
        // a lesson that continues in a panel beside the race (the gradient check) opens it
        scenario.panel ? h('button', { type: 'button', class: 'small open-panel',
          onclick: () => els.showPanel(scenario.panel) }, tr(`scenario.open_${scenario.panel}`))
          : null,
        h('div', { class: 'card-actions' }, compact ? null : step(-1),
          focus >= 0 ? h('span', { class: 'focus', title: tr('scenario.focus_title') },
            tr('scenario.follow'), ' ', swatch(rowStyle(state.runs, focus, catalogues), 14, { line: true }),
            ` ${scenario.focus}`) : null,
          compact ? null : step(1)),
      ].filter(Boolean));
    },
  };
  return api;
}
