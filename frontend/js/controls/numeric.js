/**
 * One number, set two ways: a slider for feel and a box for exact values. Ranges come from the
 * API's catalogues; a quantity the catalogue marks `log` (learning rates, ε) gets a
 * logarithmic slider, as does any range spanning more than three decades.
 */

import { h } from '../dom.js';
import { tr } from '../i18n.js';
import { inputValue, num } from '../format.js';
import { invalid, registerSlot } from '../errors.js';

const TICKS = 1000;

/** Decades a log slider spans at most: a learning rate's 10⁻⁶…10 on 100 pixels would move
 * 0.001 → 0.5 in a short drag; three decades around the value give each decade room. The box
 * takes any value in the full range, and the slider re-centres on it. */
const WINDOW = 3;

function scaleOf(min, max, log, around) {
  const useLog = min > 0 && (log || max / min > 1e3);
  if (useLog) {
    let a = Math.log10(min);
    let b = Math.log10(max);
    if (b - a > WINDOW + 1 && around > 0) {
      const c = Math.min(Math.max(Math.log10(around), a + WINDOW / 2), b - WINDOW / 2);
      [a, b] = [c - WINDOW / 2, c + WINDOW / 2];
    }
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

/** A label whose identifiers may wrap after their underscores ("weight_decay λ" ran into its
 * slider in a narrow column); the text itself is unchanged. */
function breakable(label) {
  return label.split(/(?<=_)/).flatMap((part, i) => (i ? [h('wbr'), part] : [part]));
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
  let scale = scaleOf(min, max, spec.log, spec.value);
  const bounds = () => [scale.from(0), scale.from(TICKS)];
  const slider = h('input', { type: 'range', min: 0, max: TICKS, step: 1,
    'aria-label': spec.label });
  const box = h('input', { type: 'number', min, max, step: integer ? 1 : 'any',
    'aria-label': tr('field.value_label', { label: spec.label }), class: 'num' });
  const error = h('div', { class: 'field-error' });
  const el = h('div', { class: spec.slider === false ? 'field typed' : 'field',
    title: spec.title ? `${spec.title} (${num(min)} … ${num(max)})` : '' },
    h('label', { class: 'field-label' }, breakable(spec.label)), slider, box, error);
  if (spec.errorKey) registerSlot(spec.errorKey, error);

  /** Re-centre a windowed slider on `value` when the value is near or past its ends. */
  const recentre = (value) => {
    const [lo, hi] = bounds();
    if (value <= lo * 1.05 || value >= hi / 1.05) scale = scaleOf(min, max, spec.log, value);
    slider.title = tr('field.slider_title', { from: num(scale.from(0)),
      to: num(scale.from(TICKS)) });
    Object.assign(slider.dataset, { lo: String(scale.from(0)), hi: String(scale.from(TICKS)) });
  };
  const set = (value) => {
    if (document.activeElement !== box) box.value = inputValue(value);
    if (document.activeElement !== slider) {
      recentre(value);
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
    const value = tidy(scale.from(Number(slider.value)), integer);
    spec.change(value, event, false);
    recentre(value);
    slider.value = String(Math.round(scale.to(value)));
  });
  // A typed value outside the catalogue's range is refused here, in words, beside the box
  // (the race on screen is dimmed until it is fixed); nothing is sent.
  const refuse = (message) => {
    if (spec.errorKey) invalid(spec.errorKey, message);
  };
  box.addEventListener('change', (event) => {
    const value = Number(box.value);
    // the quantity's own name ("learning rate ε" from its catalogue meaning), else the label
    const name = spec.title?.includes(':') ? spec.title.split(':')[0] : spec.label;
    if (box.value.trim() === '' || !Number.isFinite(value)) {
      refuse(tr('field.type_number', { name, min: num(min), max: num(max) }));
      return;
    }
    if (value < min || value > max || (integer && !Number.isInteger(value))) {
      refuse(tr(integer ? 'field.whole_between' : 'field.between', { name, min: num(min),
        max: num(max) }).replace(/^./, (c) => c.toUpperCase()));
      return;
    }
    refuse(null);
    recentre(value);
    slider.value = String(Math.round(scale.to(value)));
    spec.change(value, event, false);
  });
  slider.addEventListener('input', () => refuse(null));
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
  const toggle = h('input', { type: 'checkbox',
    'aria-label': tr('field.use', { label: spec.label }) });
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
