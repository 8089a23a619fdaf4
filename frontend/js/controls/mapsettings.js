/**
 * What the maps lab maps: where every start leads (basins) or where every setting leads
 * (two hyperparameters of the mapped run, each from low to high, linear or log), at how many
 * cells per side and steps per cell, and the rectangle zoomed into. Ranges come from the
 * optimizer catalogue and the server's limits; a value the server refuses is shown beside
 * the control it came from, in the server's words.
 */

import { h } from '../dom.js';
import { num } from '../format.js';
import { registerSlot } from '../errors.js';
import { numericField } from './numeric.js';
import { axisNames, axisParam, axisSpan, mapAxes, mapRun } from '../maps/request.js';

const KINDS = [['basins', 'Basins', 'where every start leads'],
  ['hyperparameters', 'Settings', 'where every pair of two hyperparameters leads']];
/** Most steps offered on the slider (more can be typed, up to the server's limit). */
const MAX_SLIDER_STEPS = 5000;

/** One axis of a hyperparameter map: which hyperparameter, from, to, log or linear. */
function axisRow(which, { store, catalogues }) {
  const name = h('select', { 'aria-label': `${which} axis hyperparameter` });
  const lo = h('input', { type: 'number', step: 'any', class: 'num', 'aria-label':
    `${which} axis from` });
  const hi = h('input', { type: 'number', step: 'any', class: 'num', 'aria-label':
    `${which} axis to` });
  const log = h('input', { type: 'checkbox', 'aria-label': `${which} axis on a log scale` });
  const error = h('div', { class: 'field-error' });
  registerSlot(`map.${which}`, error);
  const key = which === 'x' ? 'mapX' : 'mapY';
  const optimizer = () => catalogues.optimizers.find((o) => o.id === mapRun(store.state)?.id);
  const axis = () => mapAxes(store.state, catalogues)[which];
  const edit = (patch, event) => store.update({ [key]: { ...axis(), ...patch } }, { event });
  name.addEventListener('change', (event) => {
    store.update({ [key]: axisSpan(axisParam(optimizer(), name.value)) }, { event });
  });
  lo.addEventListener('change', (event) => edit({ lo: Number(lo.value) }, event));
  hi.addEventListener('change', (event) => edit({ hi: Number(hi.value) }, event));
  log.addEventListener('change', (event) => edit({ scale: log.checked ? 'log' : 'linear' },
    event));
  for (const input of [lo, hi]) input.addEventListener('keydown', (e) => e.stopPropagation());
  const el = h('div', { class: 'field map-axis', dataset: { axis: which } },
    h('label', { class: 'field-label' }, `${which} axis`), name,
    h('span', { class: 'axis-range' }, lo, h('span', { class: 'muted' }, 'to'), hi,
      h('label', { class: 'check' }, log, 'log')), error);
  return {
    el,
    update(state) {
      const o = optimizer();
      const a = axis();
      if (!o || !a) return;
      const names = axisNames(o);
      if (name.dataset.names !== names.join()) {
        name.dataset.names = names.join();
        name.replaceChildren(...names.map((n) => h('option', { value: n }, n)));
      }
      name.value = a.name;
      if (document.activeElement !== lo) lo.value = String(Number(a.lo.toPrecision(6)));
      if (document.activeElement !== hi) hi.value = String(Number(a.hi.toPrecision(6)));
      log.checked = a.scale === 'log';
    },
  };
}

/**
 * @param {HTMLElement} root
 * @param {{catalogues: Object, store: Object}} ctx
 * @returns {{update: (state: Object) => void}}
 */
export function mapSettingsControl(root, ctx) {
  const { catalogues, store } = ctx;
  const set = (key) => (value, event, dragging) => store.update({ [key]: value },
    { event, drag: dragging });
  const kinds = h('div', { class: 'seg map-kind', role: 'group', 'aria-label': 'map kind' },
    ...KINDS.map(([kind, label, title]) => h('button', { type: 'button', title,
      dataset: { kind }, onclick: (event) => store.update({ mapKind: kind }, { event }) },
    label)));
  const about = h('p', { class: 'note' });
  const axes = { x: axisRow('x', ctx), y: axisRow('y', ctx) };
  const fields = {
    mapResolution: numericField({ label: 'cells per side', title: 'cells per side of the map',
      min: 4, max: catalogues.limits.max_map_resolution, value: store.state.mapResolution,
      integer: true, log: true, errorKey: 'map.resolution', change: set('mapResolution') }),
    mapSteps: numericField({ label: 'steps', title: 'steps of every run', min: 10,
      max: Math.min(catalogues.limits.max_steps, MAX_SLIDER_STEPS),
      value: store.state.mapSteps, integer: true, log: true, errorKey: 'map.steps',
      change: set('mapSteps') }),
  };
  const zoomText = h('span', { class: 'muted zoom-text' });
  const whole = h('button', { type: 'button', class: 'small', id: 'map-unzoom',
    title: 'back to the whole rectangle', onclick: (event) => {
      const o = catalogues.optimizers.find((q) => q.id === mapRun(store.state)?.id);
      const { x, y } = mapAxes(store.state, catalogues);
      const span = (a) => (o && a ? { ...axisSpan(axisParam(o, a.name)), scale: a.scale } : null);
      store.update(store.state.mapKind === 'basins' ? { mapRegion: null }
        : { mapX: span(x), mapY: span(y) }, { event });
    } }, 'Whole map');
  const error = h('div', { class: 'field-error' });
  registerSlot('map', error);
  root.append(h('h2', {}, 'Map'), kinds, about, axes.x.el, axes.y.el,
    ...Object.values(fields).map((f) => f.el),
    h('div', { class: 'schedule-row zoom-row' }, zoomText, whole), error);

  return {
    update(state) {
      kinds.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed',
        String(b.dataset.kind === state.mapKind)));
      const basins = state.mapKind === 'basins';
      about.textContent = basins ? 'The run of the selected optimizer from every start in the '
        + 'rectangle: the colour is where it ended, the lightness how many steps it took.'
        : 'The run of the selected optimizer from the start (Surface tab) with every pair of '
        + 'settings: the colour is where it ended, the lightness how many steps it took.';
      for (const row of Object.values(axes)) {
        row.el.hidden = basins;
        if (!basins) row.update(state);
      }
      fields.mapResolution.set(state.mapResolution);
      fields.mapSteps.set(state.mapSteps);
      whole.hidden = !basins && !state.mapX && !state.mapY;
      whole.disabled = basins && !state.mapRegion;
      zoomText.textContent = basins && state.mapRegion
        ? `zoomed: x ${num(state.mapRegion[0], 4)} … ${num(state.mapRegion[1], 4)}, `
          + `y ${num(state.mapRegion[2], 4)} … ${num(state.mapRegion[3], 4)}`
        : 'drag a box on the map to zoom';
    },
  };
}
