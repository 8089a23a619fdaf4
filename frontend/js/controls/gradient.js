/**
 * Settings of the whole race: the number of steps, and how every gradient is treated —
 * clipped by norm or by value, with seeded Gaussian noise standing in for mini-batches.
 */

import { h } from '../dom.js';
import { tr } from '../i18n.js';
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
    steps: numericField({ label: tr('settings.steps'), title: tr('settings.steps_title'),
      min: 10, max: Math.min(limits.max_steps, 5000), value: store.state.steps, integer: true,
      log: true, errorKey: 'steps', change: set('steps') }),
    clipNorm: optionalField({ label: tr('settings.clip_norm'),
      title: tr('settings.clip_norm_title'), min: 0.01, max: 1000, log: true, value: null,
      fallback: 1, errorKey: 'gradient.clip_norm', change: set('clipNorm') }),
    clipValue: optionalField({ label: tr('settings.clip_value'),
      title: tr('settings.clip_value_title'), min: 0.01, max: 1000, log: true, value: null,
      fallback: 1, errorKey: 'gradient.clip_value', change: set('clipValue') }),
    noise: numericField({ label: tr('settings.noise'), title: tr('settings.noise_title'),
      min: 0, max: 10, value: 0, errorKey: 'gradient.noise_std', change: set('noise') }),
    seed: numericField({ label: tr('settings.seed'), title: tr('settings.seed_title'),
      min: 0, max: 999, integer: true, value: 0, errorKey: 'gradient.seed',
      change: set('seed') }),
  };
  const raceError = h('div', { class: 'field-error' });
  registerSlot('gradient', raceError);
  root.append(h('h2', {}, tr('tab.settings')), ...Object.values(fields).map((f) => f.el),
    raceError);
  return {
    update(state) {
      for (const [key, field] of Object.entries(fields)) field.set(state[key]);
    },
  };
}
