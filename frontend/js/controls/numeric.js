/**
 * One number, set two ways: a slider for feel and a box for exact values. Ranges come from the
 * API's catalogues; a quantity the catalogue marks `log` (learning rates, ε) gets a
 * logarithmic slider, as does any range spanning more than three decades.
 */

import { h } from '../dom.js';
import { inputValue, num } from '../format.js';
import { registerSlot } from '../errors.js';

const TICKS = 1000;

function scaleOf(min, max, log) {
  const useLog = min > 0 && (log || max / min > 1e3);
  if (useLog) {
    const a = Math.log10(min);
    const b = Math.log10(max);
    return { to: (v) => ((Math.log10(v) - a) / (b - a)) * TICKS,
      from: (s) => 10 ** (a + (s / TICKS) * (b - a)) };
  }
  return { to: (v) => ((v - min) / (max - min)) * TICKS,
    from: (s) => min + (s / TICKS) * (max - min) };
}

/** A slider's value rounded to three significant digits (and to integers when asked). */
function tidy(value, integer) {
  if (integer) return Math.round(value);
  return Number(value.toPrecision(3));
}

/**
 * @param {{label: string, title?: string, min: number, max: number, value: number,
 *   log?: boolean, integer?: boolean, slider?: boolean, errorKey?: string,
 *   change: (value: number, event: Event, dragging: boolean) => void}} spec
 *   `slider: false` leaves only the box (a seed: no position on a slider means anything)
 * @returns {{el: HTMLElement, set: (value: number) => void}}
 */
export function numericField(spec) {
  const { min, max, integer = false } = spec;
  const scale = scaleOf(min, max, spec.log);
  const slider = h('input', { type: 'range', min: 0, max: TICKS, step: 1,
    'aria-label': spec.label });
  const box = h('input', { type: 'number', min, max, step: integer ? 1 : 'any',
    'aria-label': `${spec.label} value`, class: 'num' });
  const error = h('div', { class: 'field-error' });
  const el = h('div', { class: spec.slider === false ? 'field typed' : 'field',
    title: spec.title ? `${spec.title} (${num(min)} … ${num(max)})` : '' },
    h('label', { class: 'field-label' }, spec.label), slider, box, error);
  if (spec.errorKey) registerSlot(spec.errorKey, error);

  const set = (value) => {
    if (document.activeElement !== box) box.value = inputValue(value);
    if (document.activeElement !== slider) {
      slider.value = String(Math.round(scale.to(Math.min(Math.max(value, min), max))));
    }
  };
  // a drag (pointer held on the slider) is throttled downstream; a key press is not
  let held = false;
  slider.addEventListener('pointerdown', () => { held = true; });
  slider.addEventListener('pointerup', () => { held = false; });
  slider.addEventListener('lostpointercapture', () => { held = false; });
  slider.addEventListener('input', (event) => {
    const value = tidy(scale.from(Number(slider.value)), integer);
    box.value = inputValue(value);
    spec.change(value, event, held);
  });
  slider.addEventListener('change', (event) => {
    spec.change(tidy(scale.from(Number(slider.value)), integer), event, false);
  });
  box.addEventListener('change', (event) => {
    const value = Number(box.value);
    if (box.value === '' || !Number.isFinite(value)) return;
    // out-of-range values go to the server, which names the problem beside this field
    slider.value = String(Math.round(scale.to(Math.min(Math.max(value, min), max))));
    spec.change(value, event, false);
  });
  box.addEventListener('keydown', (event) => event.stopPropagation());
  set(spec.value);
  return { el, set };
}

/**
 * A number that may be switched off (`null`): clipping thresholds and per-run overrides,
 * where "off" and "a value" are different requests.
 * @param {{label: string, title?: string, min: number, max: number, value: ?number,
 *   fallback: number, log?: boolean, errorKey?: string,
 *   change: (value: ?number, event: Event, dragging: boolean) => void}} spec
 * @returns {{el: HTMLElement, set: (value: ?number) => void}}
 */
export function optionalField(spec) {
  const toggle = h('input', { type: 'checkbox', 'aria-label': `use ${spec.label}` });
  let current = spec.value ?? spec.fallback;
  const field = numericField({ ...spec, value: current, change: (value, event, dragging) => {
    current = value;
    toggle.checked = true;
    field.el.classList.remove('off');
    spec.change(value, event, dragging);
  } });
  toggle.addEventListener('change', (event) => {
    field.el.classList.toggle('off', !toggle.checked);
    spec.change(toggle.checked ? current : null, event, false);
  });
  field.el.querySelector('.field-label').prepend(toggle);
  const set = (value) => {
    toggle.checked = value !== null;
    field.el.classList.toggle('off', value === null);
    if (value !== null) {
      current = value;
      field.set(value);
    }
  };
  set(spec.value);
  return { el: field.el, set };
}
