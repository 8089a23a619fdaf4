/**
 * Settings of the whole race: the number of steps, and how every gradient is treated —
 * clipped by norm or by value, with seeded Gaussian noise standing in for mini-batches.
 */

import { h } from '../dom.js';
import { numericField, optionalField } from './numeric.js';
import { registerSlot } from '../errors.js';

/**
 * @param {HTMLElement} root
 * @param {{catalogues: Object, store: Object}} ctx
 * @returns {{update: (state: Object) => void}}
 */
export function gradientControl(root, { catalogues, store }) {
  const { limits } = catalogues;
  const set = (key) => (value, event, dragging) => store.update({ [key]: value },
    { event, drag: dragging });
  const fields = {
    steps: numericField({ label: 'steps', title: 'steps per run', min: 10,
      max: Math.min(limits.max_steps, 5000), value: store.state.steps, integer: true, log: true,
      errorKey: 'steps', change: set('steps') }),
    clipNorm: optionalField({ label: 'clip ‖g‖ at', title: 'rescale every gradient longer than '
      + 'this (keeps its direction)', min: 0.01, max: 1000, log: true, value: null, fallback: 1,
    errorKey: 'gradient.clip_norm', change: set('clipNorm') }),
    clipValue: optionalField({ label: 'clip |gᵢ| at', title: 'clamp each gradient component '
      + 'to ± this (can turn the direction)', min: 0.01, max: 1000, log: true, value: null,
    fallback: 1, errorKey: 'gradient.clip_value', change: set('clipValue') }),
    noise: numericField({ label: 'noise σ', title: 'std of the Gaussian noise added to each '
      + 'gradient component, as mini-batches would', min: 0, max: 10, value: 0,
    errorKey: 'gradient.noise_std', change: set('noise') }),
    seed: numericField({ label: 'seed', title: 'seed of that noise: the same seed, the same '
      + 'race', min: 0, max: 999, integer: true, value: 0, errorKey: 'gradient.seed',
    change: set('seed') }),
  };
  const raceError = h('div', { class: 'field-error' });
  registerSlot('gradient', raceError);
  root.append(h('h2', {}, 'Settings'), ...Object.values(fields).map((f) => f.el), raceError);
  return {
    update(state) {
      for (const [key, field] of Object.entries(fields)) field.set(state[key]);
    },
  };
}
