/**
 * The surface: picker (a new surface brings its suggested learning rates, but for the rates
 * a person set), formula,
 * parameters (sliders from the catalogue's ranges), the catalogue's teaching note, the
 * start point (with the catalogue's suggested starts), and a box to type one's own formula
 * in x and y.
 */

import { h } from '../dom.js';
import { paramLabel, tr } from '../i18n.js';
import { pair } from '../format.js';
import { typeset } from '../tex.js';
import { registerSlot } from '../errors.js';
import { numericField } from './numeric.js';
import { surfaceEntry, defaultStart, EXPRESSION_VIEW } from '../request.js';

const GROUPS = [['teaching', 'surface.group_teaching'], ['network', 'surface.group_network'],
  ['benchmark', 'surface.group_benchmark']];
const FORMULA = '__formula__';

/** The picker group of a surface: a two-weight network's loss goes with the networks,
 * whatever else it is tagged; any other surface by its first tag, or under "More". */
function groupOf(surface) {
  const tag = surface.tags.includes('network') ? 'network' : surface.tags[0];
  return GROUPS.some(([t]) => t === tag) ? tag : 'more';
}

/** A surface's tag in the page's language (a tag new to the catalogues shows as it is). */
function tagName(tag) {
  const key = `surface.tag_${tag}`;
  const name = tr(key);
  return name === key ? tag : name;
}

/**
 * @param {HTMLElement} root
 * @param {{catalogues: Object, store: Object}} ctx
 * @returns {{update: (state: Object, grid: ?Object) => void}}
 */
export function surfaceControl(root, { catalogues, store }) {
  const select = h('select', { id: 'surface-select', 'aria-label': tr('surface.label') },
    ...[...GROUPS, ['more', 'surface.group_more']].map(([tag, name]) => {
      const members = catalogues.surfaces.filter((s) => groupOf(s) === tag);
      return members.length ? h('optgroup', { label: tr(name) },
        ...members.map((s) => h('option', { value: s.id }, s.name))) : null;
    }),
    h('optgroup', { label: tr('surface.group_own') },
      h('option', { value: FORMULA }, tr('surface.formula_option'))));
  const formula = h('div', { class: 'formula', 'aria-label': tr('surface.formula_label') });
  const chips = h('div', { class: 'chips' });
  const params = h('div', { class: 'params' });
  const note = h('p', { class: 'note' });
  const startText = h('span', { class: 'start-text' });
  const starts = h('span', { class: 'starts' });
  const startError = h('div', { class: 'field-error' });
  registerSlot('start', startError);

  const expression = h('input', { id: 'expression', type: 'text', spellcheck: false,
    autocomplete: 'off', placeholder: tr('surface.expression_placeholder'),
    'aria-label': tr('surface.expression_label') });
  const expressionError = h('div', { class: 'field-error', id: 'expression-error' });
  registerSlot('surface.expression', expressionError);
  const viewBoxes = [0, 1, 2, 3].map((i) => h('input', { type: 'number', step: 'any',
    class: 'num', 'aria-label': tr(['surface.x_from', 'surface.x_to', 'surface.y_from',
      'surface.y_to'][i]) }));
  const viewError = h('div', { class: 'field-error' });
  registerSlot('surface.view', viewError);

  const applyExpression = (event) => {
    const text = expression.value.trim();
    if (!text) return;
    // the box inputs belong to formulas: coming from a catalogue surface, start from the default
    const view = store.state.expression ? viewBoxes.map((b) => Number(b.value)) : EXPRESSION_VIEW;
    const patch = { expression: text, scenario: '', start: null, params: {} };
    patch.view = view.every(Number.isFinite) && view.some((v, i) => v !== EXPRESSION_VIEW[i])
      ? view : null;
    store.update(patch, { event });
  };
  expression.addEventListener('keydown', (event) => {
    event.stopPropagation();
    if (event.key === 'Enter') applyExpression(event);
  });
  expression.addEventListener('change', applyExpression);
  viewBoxes.forEach((b) => b.addEventListener('change', (event) => {
    if (store.state.expression) applyExpression(event);
  }));

  select.addEventListener('change', (event) => {
    if (select.value === FORMULA) {
      expression.focus();
      return;
    }
    // A learning rate tuned for one surface can blow up on the next: each run takes the
    // rate the new surface suggests for its optimizer (derived from its curvature and
    // checked by a race on the server), unless the person set that run's rate.
    const suggested = catalogues.surfaces.find((s) => s.id === select.value)?.suggested_lr ?? {};
    const runs = store.state.runs.map((run) => (run.id in suggested && !run.ownLr
      ? { ...run, hp: { ...run.hp, lr: suggested[run.id] } } : run));
    store.update({ surface: select.value, expression: '', params: {}, view: null, start: null,
      scenario: '', runs }, { event });
  });

  root.append(
    h('h2', {}, tr('tab.surface')),
    select, formula, chips, params, note,
    h('div', { class: 'start-row' }, h('span', { class: 'muted' }, `${tr('surface.start')} `),
      startText,
      starts),
    startError,
    h('p', { class: 'hint' }, tr('surface.hint')),
    h('div', { class: 'expression-box' },
      h('label', { for: 'expression', class: 'field-label' }, 'f(x, y) ='),
      expression,
      h('button', { type: 'button', class: 'small', onclick: applyExpression },
        tr('surface.plot_button'))),
    expressionError,
    h('div', { class: 'view-box' }, h('span', { class: 'muted' }, tr('surface.box_x')),
      viewBoxes[0], '…',
      viewBoxes[1], h('span', { class: 'muted' }, 'y'), viewBoxes[2], '…', viewBoxes[3]),
    viewError,
  );

  let built = null;
  let fields = {};
  return {
    update(state, grid) {
      const entry = surfaceEntry(state, catalogues);
      select.value = entry ? entry.id : FORMULA;
      if (document.activeElement !== expression) expression.value = state.expression;
      const view = state.view ?? (entry ? [...entry.view.x, ...entry.view.y] : EXPRESSION_VIEW);
      viewBoxes.forEach((b, i) => {
        if (document.activeElement !== b) b.value = String(view[i]);
      });
      root.classList.toggle('formula-mode', !entry);
      const key = entry ? entry.id : `formula:${grid?.surface.expression?.text ?? ''}`;
      if (key !== built) {
        built = key;
        const latex = entry ? entry.latex : grid?.surface.expression?.latex;
        formula.innerHTML = latex ? `<span class="muted">f =</span> ${typeset(latex)}` : '';
        chips.replaceChildren(...(entry ? entry.tags.map(tagName) : [tr('surface.your_formula')])
          .map((t) => h('span', { class: 'chip' }, t)),
        ...(entry?.log_contours ? [h('span', { class: 'chip accent',
          title: tr('surface.log_contours_title') }, tr('surface.log_contours'))] : []));
        note.textContent = entry ? entry.note : tr('surface.formula_note');
        fields = {};
        params.replaceChildren(...(entry ? entry.params.map((p) => {
          const field = numericField({ label: paramLabel(p.name), title: p.meaning, min: p.min,
            max: p.max,
            value: state.params[p.name] ?? p.default, errorKey: `surface.params.${p.name}`,
            change: (value, event) => store.update({
              params: { ...store.state.params, [p.name]: value } }, { event, drag: true }),
          });
          fields[p.name] = field;
          return field.el;
        }) : []));
        starts.replaceChildren(...(entry ? entry.starts.map((s, i) => h('button', {
          type: 'button', class: 'small start-choice',
          title: tr('surface.start_at', { point: pair(...s, 3) }),
          onclick: (event) => store.update({ start: s }, { event }),
        }, String(i + 1))) : []));
      }
      for (const p of entry?.params ?? []) fields[p.name].set(state.params[p.name] ?? p.default);
      const start = state.start ?? defaultStart(state, catalogues);
      startText.textContent = pair(start[0], start[1], 3);
    },
  };
}
