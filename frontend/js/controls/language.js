/**
 * The header's language picker. Each language is listed in its own name, so a reader finds
 * theirs whatever the page speaks now. A choice goes into the state (and so the link); the
 * page then reloads in that language, which rebuilds every panel and catalogue text.
 */

import { h } from '../dom.js';
import { LANGUAGES } from '../i18n.js';

/**
 * @param {HTMLSelectElement} select
 * @param {{store: Object}} ctx
 */
export function languageControl(select, { store }) {
  select.replaceChildren(...LANGUAGES.map((l) => h('option', { value: l.id, lang: l.id,
    dir: l.dir }, l.name)));
  select.value = store.state.lang;
  select.addEventListener('change', (event) => store.update({ lang: select.value },
    { event }));
}
