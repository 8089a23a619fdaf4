/**
 * A/B compare: the race on screen (A) beside the same race with one setting changed (B),
 * both drawn at the player's frame. A lesson about one knob — the ravine turned by 45°, or
 * clipping on and off — is then seen in the contours themselves, not only in the loss chart.
 *
 * The knob is one of the surface's parameters, the clipping norm (0: off) or the gradient
 * noise; `state.compare` holds it as `name:value` (in the link as `ab=theta:0`). B is its own
 * request on its own channel: it never supersedes A, and a newer B supersedes an older one.
 */

import * as api from './api.js';
import { Race } from './race.js';
import { GRID_RESOLUTION, raceRequest, surfaceEntry, surfaceSpec } from './request.js';
import { zScale } from './plots/scale.js';
import { h } from './dom.js';
import { num } from './format.js';
import { tr } from './i18n.js';

const GRADIENT_KNOBS = { clip_norm: 'clipNorm', noise_std: 'noise' };

/** `name:value` ↔ {name, value} (null: no comparison). */
export function parseCompare(text) {
  const at = text.lastIndexOf(':');
  if (at < 1) return null;
  const value = Number(text.slice(at + 1));
  return Number.isFinite(value) ? { name: text.slice(0, at), value } : null;
}

/** The knobs B can turn on this state's surface: its parameters, then clipping and noise. */
export function knobsOf(state, catalogues) {
  const params = state.expression ? [] : surfaceEntry(state, catalogues)?.params ?? [];
  return [
    ...params.map((p) => ({ name: p.name, label: p.name, value: state.params[p.name] ?? p.default })),
    { name: 'clip_norm', label: tr('compare.clip_norm'), value: state.clipNorm ?? 0 },
    { name: 'noise_std', label: tr('compare.noise_std'), value: state.noise ?? 0 },
  ];
}

/** The state B races: A's, with the knob turned (a clipping norm of 0 means no clipping). */
export function stateB(state, knob) {
  if (knob.name in GRADIENT_KNOBS) {
    const value = knob.name === 'clip_norm' && knob.value === 0 ? null : knob.value;
    return { ...state, [GRADIENT_KNOBS[knob.name]]: value };
  }
  return { ...state, params: { ...state.params, [knob.name]: knob.value } };
}

/** "theta = 45" — how a side of the comparison is captioned. */
export function knobText(knob) {
  const value = knob.name === 'clip_norm' && !knob.value ? tr('compare.off') : num(knob.value, 4);
  return `${knob.label} = ${value}`;
}

/**
 * @param {{catalogues: Object, store: Object, els: {view: HTMLElement, bar: HTMLElement,
 *   captionA: HTMLElement}, redraw: () => void}} ctx
 * @returns {{sync: () => void, shown: () => ?Object, active: () => boolean}}
 */
export function compareLab({ catalogues, store, els, redraw }) {
  const b = { grid: null, gridKey: '', scale: null, race: null, raceKey: '' };
  const select = h('select', { 'aria-label': tr('compare.knob') });
  const input = h('input', { type: 'number', class: 'num', step: 'any',
    'aria-label': tr('compare.value') });
  const error = h('span', { class: 'error', role: 'alert' });
  // A's bar says what A has, B's lets the class change it: the two plots keep one size
  const captionA = h('span', {});
  els.captionA.replaceChildren(h('strong', {}, 'A'), captionA);
  els.bar.replaceChildren(h('strong', {}, 'B'), select, h('span', {}, '='), input, error);
  const choose = () => {
    const value = Number(input.value);
    if (input.value.trim() === '' || !Number.isFinite(value)) {
      error.textContent = tr('compare.not_a_number');
      els.view.classList.add('stale');
      return;
    }
    store.update({ compare: `${select.value}:${value}` }, {});
  };
  select.addEventListener('change', () => {
    const knob = knobsOf(store.state, catalogues).find((k) => k.name === select.value);
    input.value = String(knob?.value ?? 0);
    choose();
  });
  input.addEventListener('change', choose);

  /** The knob in force: the state's, or (none yet) the first knob left as A has it. */
  const knobB = () => {
    const knobs = knobsOf(store.state, catalogues);
    const chosen = parseCompare(store.state.compare ?? '');
    const knob = knobs.find((k) => k.name === chosen?.name) ?? knobs[0];
    return { ...knob, value: chosen && chosen.name === knob.name ? chosen.value : knob.value };
  };

  async function loadGrid(state) {
    const spec = surfaceSpec(state, catalogues);
    const key = JSON.stringify(spec);
    if (key === b.gridKey) return;
    const grid = await api.grid(spec, GRID_RESOLUTION, api.supersede('grid-b'));
    Object.assign(b, { grid, gridKey: key, scale: zScale(grid) });
    redraw();
  }

  async function runRace(state) {
    const { body, roster } = raceRequest(state, catalogues);
    const key = JSON.stringify(body);
    if (key === b.raceKey) return;
    b.raceKey = key;
    let race = null;
    await api.streamRace(body, {
      meta: (meta) => { race = new Race(meta, roster, body); },
      frame: (event) => {
        race.addFrames(event);
        b.race = race;
        redraw();
      },
      summary: (summary) => {
        race.finish(summary);
        redraw();
      },
    }, api.supersede('race-b'));
  }

  return {
    /** Whether the page shows the comparison. */
    active: () => store.state.lab === 'surfaces' && store.state.layout === 'ab',
    /** Bring B up to date with A and the knob (a no-op when nothing changed). */
    sync() {
      if (!this.active()) return;
      const knobs = knobsOf(store.state, catalogues);
      const knob = knobB();
      select.replaceChildren(...knobs.map((k) => h('option', { value: k.name,
        selected: k.name === knob.name }, k.label)));
      if (document.activeElement !== input) input.value = String(knob.value);
      captionA.textContent = knobText(knobs.find((k) => k.name === knob.name));
      const state = stateB(store.state, knob);
      if (!raceRequest(state, catalogues).body.optimizers.length) {
        // (as A says: the API would refuse an empty race in its own words)
        b.race = null;
        b.raceKey = '';
        error.textContent = tr('race.empty');
        redraw();
        return;
      }
      Promise.all([loadGrid(state), runRace(state)]).then(() => {
        error.textContent = '';
        els.view.classList.remove('stale');
      }, (failure) => {
        if (api.isAbort(failure)) return;
        b.raceKey = '';
        b.gridKey = '';
        error.textContent = failure.detail?.[0]?.msg ?? failure.message;
        els.view.classList.add('stale');  // B on screen no longer matches the knob
      });
    },
    /** What the B contour draws (null until its grid and first frames have arrived). */
    shown: () => (b.grid && b.race ? b : null),
  };
}
