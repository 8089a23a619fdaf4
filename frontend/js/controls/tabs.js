/**
 * Tabs over a panel's sections, so that each section (surface, optimizers, settings; the
 * lesson, the inspector) gets the full height of a 720-pixel projector instead of sharing it
 * behind a scroll bar. A section's `data-tab` names its tab; sections of the other labs
 * (`data-lab`: the labs a section belongs to) and sections hidden by presenter mode (`data-presenter` names the panel
 * choice that hides them, by default their own `data-panel`) lose their tab, and a single
 * remaining tab needs no bar. A panel tall enough for all its sections (`stackFrom` pixels:
 * a 1080-line screen) shows them one above the other.
 */

import { h } from '../dom.js';
import { sizeOf } from '../plots/size.js';

/**
 * @param {HTMLElement} panel holding `section[data-tab]` elements
 * @param {string} first data-panel of the tab shown at start
 * @param {number} [stackFrom] panel height (px) from which sections are stacked, not tabbed
 * @returns {{refresh: () => void, show: (name: string) => void}}
 */
export function tabs(panel, first, stackFrom = Infinity) {
  const sections = [...panel.querySelectorAll(':scope > section[data-tab]')];
  const bar = h('div', { class: 'tabs', role: 'tablist' });
  panel.prepend(bar);
  let active = first;
  const buttons = sections.map((section) => {
    const name = section.dataset.panel;
    section.setAttribute('role', 'tabpanel');
    section.id ||= `panel-${name}`;
    const button = h('button', { type: 'button', role: 'tab', 'aria-controls': section.id,
      dataset: { tab: name }, onclick: () => api.show(name) }, section.dataset.tab);
    return { name, button, section };
  });
  bar.append(...buttons.map((b) => b.button));
  const api = {
    show(name) {
      active = name;
      api.refresh();
    },
    /** Show the active tab, or the first visible one if presenter mode hid it. */
    refresh() {
      const { classList, dataset } = document.body;
      const visible = buttons.filter(({ section, name }) => (section.dataset.lab?.split(' ')
        ?? [dataset.lab]).includes(dataset.lab) && !(classList.contains('presenter')
        && classList.contains(`hide-${section.dataset.presenter ?? name}`)));
      const shown = visible.find((b) => b.name === active) ?? visible[0];
      const stacked = sizeOf(panel).height >= stackFrom;
      for (const b of buttons) {
        const on = (stacked && visible.includes(b)) || b === shown;
        b.section.classList.toggle('tab-hidden', !on);
        b.button.setAttribute('aria-selected', String(on));
        b.button.hidden = !visible.includes(b);
      }
      bar.hidden = stacked || visible.length < 2;
      // names too long for the bar (Оптимізатори · Налаштування) are set in a smaller type
      bar.classList.remove('tight');
      if (!bar.hidden && bar.scrollWidth > bar.clientWidth + 1) bar.classList.add('tight');
    },
  };
  api.refresh();
  return api;
}
