/**
 * What the maps lab maps: where every start leads (basins) or where every setting leads
 * (two hyperparameters of the mapped run, each from low to high, linear or log), at how many
 * cells per side and steps per cell, and the rectangle zoomed into. Ranges come from the
 * optimizer catalogue and the server's limits; a value the server refuses is shown beside
 * the control it came from, in the server's words.
 */

import { h } from '../dom.js';
import { tr } from '../i18n.js';
import { num } from '../format.js';
import { registerSlot } from '../errors.js';
import { numericField } from './numeric.js';
import {
  axisNames, axisParam, axisSpan, mapAxes, mapRun, runValue,
} from '../maps/request.js';

const KINDS = [['basins', 'mapset.basins', 'mapset.basins_title'],
  ['hyperparameters', 'mapset.settings', 'mapset.settings_title']];
/** Most steps offered on the slider (more can be typed, up to the server's limit). */
const MAX_SLIDER_STEPS = 5000;

/** One axis of a hyperparameter map: which hyperparameter, from, to, log or linear. */
function axisRow(which, { store, catalogues }) {
  const name = h('select', { 'aria-label': tr('mapset.axis_name', { axis: which }) });
  const lo = h('input', { type: 'number', step: 'any', class: 'num', 'aria-label':
    tr('mapset.axis_from', { axis: which }) });
  const hi = h('input', { type: 'number', step: 'any', class: 'num', 'aria-label':
    tr('mapset.axis_to', { axis: which }) });
  const log = h('input', { type: 'checkbox',
    'aria-label': tr('mapset.axis_log', { axis: which }) });
  const error = h('div', { class: 'field-error' });
  registerSlot(`map.${which}`, error);
  const key = which === 'x' ? 'mapX' : 'mapY';
  const optimizer = () => catalogues.optimizers.find((o) => o.id === mapRun(store.state)?.id);
  const axis = () => mapAxes(store.state, catalogues)[which];
  const edit = (patch, event) => store.update({ [key]: { ...axis(), ...patch } }, { event });
  name.addEventListener('change', (event) => {
    store.update({ [key]: axisSpan(axisParam(optimizer(), name.value),
      runValue(mapRun(store.state), name.value)) }, { event });
  });
  lo.addEventListener('change', (event) => edit({ lo: Number(lo.value) }, event));
  hi.addEventListener('change', (event) => edit({ hi: Number(hi.value) }, event));
  log.addEventListener('change', (event) => edit({ scale: log.checked ? 'log' : 'linear' },
    event));
  for (const input of [lo, hi]) input.addEventListener('keydown', (e) => e.stopPropagation());
  const el = h('div', { class: 'field map-axis', dataset: { axis: which } },
    h('label', { class: 'field-label' }, tr('mapset.axis', { axis: which })), name,
    h('span', { class: 'axis-range' }, lo, h('span', { class: 'muted' }, tr('mapset.to')), hi,
      h('label', { class: 'check' }, log, tr('mapset.log'))), error);
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
  const kinds = h('div', { class: 'seg map-kind', role: 'group',
    'aria-label': tr('mapset.kind_label') },
  ...KINDS.map(([kind, label, title]) => h('button', { type: 'button', title: tr(title),
    dataset: { kind }, onclick: (event) => store.update({ mapKind: kind }, { event }) },
  tr(label))));
  const about = h('p', { class: 'note' });
  const axes = { x: axisRow('x', ctx), y: axisRow('y', ctx) };
  const fields = {
    mapResolution: numericField({ label: tr('mapset.cells'), title: tr('mapset.cells_title'),
      min: 4, max: catalogues.limits.max_map_resolution, value: store.state.mapResolution,
      integer: true, log: true, errorKey: 'map.resolution', change: set('mapResolution') }),
    mapSteps: numericField({ label: tr('settings.steps'), title: tr('mapset.steps_title'),
      min: 10,
      max: Math.min(catalogues.limits.max_steps, MAX_SLIDER_STEPS),
      value: store.state.mapSteps, integer: true, log: true, errorKey: 'map.steps',
      change: set('mapSteps') }),
  };
  const zoomText = h('span', { class: 'muted zoom-text' });
  const whole = h('button', { type: 'button', class: 'small', id: 'map-unzoom',
    title: tr('mapset.whole_title'), onclick: (event) => {
      const o = catalogues.optimizers.find((q) => q.id === mapRun(store.state)?.id);
      const { x, y } = mapAxes(store.state, catalogues);
      const span = (a) => (o && a ? { ...axisSpan(axisParam(o, a.name),
        runValue(mapRun(store.state), a.name)), scale: a.scale } : null);
      store.update(store.state.mapKind === 'basins' ? { mapRegion: null }
        : { mapX: span(x), mapY: span(y) }, { event });
    } }, tr('mapset.whole'));
  const error = h('div', { class: 'field-error' });
  registerSlot('map', error);
  root.append(h('h2', {}, tr('tab.map')), kinds, about, axes.x.el, axes.y.el,
    ...Object.values(fields).map((f) => f.el),
    h('div', { class: 'schedule-row zoom-row' }, zoomText, whole), error);

  return {
    update(state) {
      kinds.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed',
        String(b.dataset.kind === state.mapKind)));
      const basins = state.mapKind === 'basins';
      about.textContent = tr(basins ? 'mapset.about_basins' : 'mapset.about_settings');
      for (const row of Object.values(axes)) {
        row.el.hidden = basins;
        if (!basins) row.update(state);
      }
      fields.mapResolution.set(state.mapResolution);
      fields.mapSteps.set(state.mapSteps);
      whole.hidden = !basins && !state.mapX && !state.mapY;
      whole.disabled = basins && !state.mapRegion;
      zoomText.textContent = basins && state.mapRegion
        ? tr('mapset.zoomed', { x0: num(state.mapRegion[0], 4), x1: num(state.mapRegion[1], 4),
          y0: num(state.mapRegion[2], 4), y1: num(state.mapRegion[3], 4) })
        : tr('mapset.drag_hint');
    },
  };
}
