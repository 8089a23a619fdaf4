/**
 * Presenter mode: larger type, thicker lines and bigger markers for the back of a lecture
 * hall, with the panels the lecturer chose hidden so the plots get the room.
 */

import { h } from '../dom.js';
import { tr } from '../i18n.js';

/** Panel choices; in the networks lab `surface` hides its data and network, `gradient` its
 * settings, `leaderboard` its standings and `loss` its charts. */
export const PANELS = [['surface', 'presenter.panel_surface'], ['roster', 'tab.optimizers'],
  ['gradient', 'presenter.panel_gradient'], ['scenario', 'presenter.panel_scenario'],
  ['inspector', 'tab.inspector'], ['leaderboard', 'presenter.panel_leaderboard'],
  ['loss', 'presenter.panel_loss']];

/**
 * @param {HTMLElement} root
 * @param {{store: Object}} ctx
 * @returns {{update: (state: Object) => void}}
 */
export function presenterControl(root, { store, catalogues }) {
  const toggle = h('button', { type: 'button', class: 'small toggle', id: 'presenter-toggle',
    'aria-pressed': 'false', title: tr('presenter.title'),
    onclick: (event) => store.update({ presenter: !store.state.presenter }, { event }) },
  tr('presenter.button'));
  // (the boxes say which panel they hide in `data-hides`: a `data-panel` would match the very
  // rules that hide that panel, and a hidden box could not bring it back)
  const boxes = PANELS.map(([key, label]) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', dataset: { hides: key }, onchange: (event) => {
      const hidden = PANELS.map(([k]) => k).filter((k) => (k === key ? event.target.checked
        : store.state.hidden.includes(k)));
      store.update({ hidden }, { event });
    } }), tr(label)));
  const menu = h('details', { class: 'menu' }, h('summary', { title: tr('presenter.menu_title'),
    'aria-label': tr('presenter.menu_label') }, '▾'),
  h('div', { class: 'menu-body' }, h('p', { class: 'muted' }, tr('presenter.hide')),
    ...boxes));
  root.append(toggle, menu);
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'p' || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target instanceof Element && event.target.closest('input, textarea, select')) return;
    store.update({ presenter: !store.state.presenter }, { event });
  });
  return {
    update(state) {
      toggle.setAttribute('aria-pressed', String(state.presenter));
      document.body.classList.toggle('presenter', state.presenter);
      for (const [key] of PANELS) {
        const hide = state.presenter && state.hidden.includes(key);
        document.body.classList.toggle(`hide-${key}`, hide);
      }
      const left = ['surface', 'roster', 'gradient'];
      const right = ['scenario', 'inspector', 'leaderboard'];
      const gone = (keys) => state.presenter && keys.every((k) => state.hidden.includes(k));
      // the networks lab has no right panel (its standings sit under the plots), except for
      // the lesson card of a network scenario
      const lesson = catalogues?.scenarios.find((s) => s.id === state.scenario)?.network;
      const networks = state.lab === 'networks' && !lesson;
      document.body.classList.toggle('hide-left', gone(left));
      document.body.classList.toggle('hide-right', networks || gone(right));
      // the leaderboard stays beside the loss chart: the lesson's large type needs the panel
      document.body.classList.toggle('hide-lower', gone(['loss', 'leaderboard']));
      boxes.forEach((b) => {
        const input = b.querySelector('input');
        input.checked = state.hidden.includes(input.dataset.hides);
      });
    },
  };
}
