/**
 * Settings of a network race: the number of steps, full-batch or mini-batch gradients (the
 * lectures' point about gradient noise and batch size), the seeds of the mini-batches and
 * of the initial weights, the plane through weight space the landscape is drawn on, and the
 * per-layer statistic the Layers view colours (choosing one opens that view).
 * Ranges and meanings come from the network catalogue.
 */

import { h } from '../dom.js';
import { tr } from '../i18n.js';
import { numericField, optionalField } from './numeric.js';
import { registerSlot } from '../errors.js';
import { planeOf, planes, stepsOf } from '../networks/request.js';
import { QUANTITIES } from '../networks/layers.js';

/** Batch size offered when mini-batches are switched on. */
const FIRST_BATCH = 32;
/** Seeds on the slider: any will do, a few are easy to tell apart. */
const SEEDS = 999;
/** Longest race offered on the slider (a longer one can be typed). */
const MAX_SLIDER_STEPS = 5000;

/**
 * @param {HTMLElement} root
 * @param {{catalogues: Object, store: Object}} ctx
 * @returns {{update: (state: Object) => void}}
 */
export function networkSettingsControl(root, { catalogues, store }) {
  const { race } = catalogues.networks;
  const set = (key) => (value, event, dragging) => store.update({ [key]: value },
    { event, drag: dragging });
  const fields = {
    netSteps: numericField({ label: tr('settings.steps'), title: tr('settings.steps_title'),
      min: 10,
      max: Math.min(race.steps.max, catalogues.limits.max_steps, MAX_SLIDER_STEPS),
      value: stepsOf(store.state, catalogues), integer: true, log: true, errorKey: 'net.steps',
      change: set('netSteps') }),
    batch: optionalField({ label: tr('netset.batch'), title: tr('netset.batch_title'),
      min: race.batch_size.min, max: race.batch_size.max, log: true, value: null,
    fallback: FIRST_BATCH, integer: true, errorKey: 'net.batch_size', change: set('batch') }),
    netSeed: numericField({ label: tr('netset.batch_seed'), title: race.seed, min: 0, max: SEEDS,
      integer: true, value: 0, errorKey: 'net.seed', change: set('netSeed') }),
    initSeed: numericField({ label: tr('netset.init_seed'), title: race.init_seed, min: 0,
      max: SEEDS,
      integer: true, value: 0, errorKey: 'net.init_seed', change: set('initSeed') }),
  };
  const plane = h('select', { id: 'plane-select', 'aria-label': tr('netset.plane_label') },
    ...planes(catalogues).map((p) => h('option', { value: p.id, title: p.meaning },
      p.id === 'pca' ? tr('netset.plane_pca') : p.id === 'random' ? tr('netset.plane_random')
        : p.id)));
  plane.addEventListener('change', (event) => store.update({ plane: plane.value }, { event }));
  const planeNote = h('p', { class: 'note' });
  const planeError = h('div', { class: 'field-error' });
  registerSlot('net.landscape', planeError);
  const raceError = h('div', { class: 'field-error' });
  registerSlot('net.gradient', raceError);
  const stat = h('select', { id: 'layer-stat-select', 'aria-label': tr('net.layer_statistic'),
    title: tr('net.layer_statistic_title') },
  ...Object.keys(QUANTITIES).map((id) => h('option', { value: id }, tr(`stats.${id}`))));
  stat.addEventListener('change', (event) => store.update({ netStat: stat.value,
    netView: 'layers' }, { event }));
  const statError = h('div', { class: 'field-error', id: 'statistics-error' });
  registerSlot('net.statistics', statError);
  root.append(h('h2', {}, tr('tab.settings')), ...Object.values(fields).map((f) => f.el),
    h('h3', {}, tr('plot.landscape_caption')),
    h('div', { class: 'schedule-row' }, h('span', { class: 'field-label' }, tr('netset.plane')),
      plane),
    planeNote, planeError,
    h('h3', {}, tr('net.layers_heading')),
    h('div', { class: 'schedule-row' }, h('span', { class: 'field-label' },
      tr('net.layer_statistic')), stat),
    h('p', { class: 'note' }, tr('net.layer_statistic_title')), statError, raceError);
  return {
    update(state) {
      fields.netSteps.set(stepsOf(state, catalogues));
      fields.batch.set(state.batch);
      fields.netSeed.set(state.netSeed);
      fields.initSeed.set(state.initSeed);
      const id = planeOf(state, catalogues);
      plane.value = id;
      stat.value = state.netStat;
      planeNote.textContent = planes(catalogues).find((p) => p.id === id)?.meaning ?? '';
    },
  };
}
