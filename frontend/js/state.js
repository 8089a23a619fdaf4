/**
 * The page's one state object and its mirror in the URL hash.
 *
 * Every field is declared once in FIELDS: its hash parameter, its codec, its default and
 * its `effect` — what a change invalidates: 'grid' (the surface's values, so the race too),
 * 'race' (run again) or 'display' (draw again). The hash holds only the fields that differ
 * from their defaults, so a copied link is short and reproduces the exact race; hyperparameters
 * are written out in full so that the link does not depend on the server's defaults.
 */

import { LANGUAGES, browserLanguage } from './i18n.js';

/** @typedef {{parse: (text: string) => *, format: (value: *) => string}} Codec */

const finite = (text) => {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) throw new Error(`not a number: ${text}`);
  return value;
};

/** @type {Object<string, Codec>} */
const text = { parse: (s) => s, format: (v) => v };
const number = { parse: finite, format: (v) => String(v) };
const integer = {
  parse: (s) => {
    const v = finite(s);
    if (!Number.isInteger(v)) throw new Error(`not an integer: ${s}`);
    return v;
  },
  format: (v) => String(v),
};
const flag = { parse: (s) => s !== '0' && s !== 'false', format: (v) => (v ? '1' : '0') };
const numbers = (n) => ({
  parse: (s) => {
    const values = s.split(',').map(finite);
    if (values.length !== n) throw new Error(`expected ${n} numbers: ${s}`);
    return values;
  },
  format: (v) => v.map(String).join(','),
});
const words = { parse: (s) => s.split(',').filter(Boolean), format: (v) => v.join(',') };
/** Layer widths `16,16`; `none` for no layer at all (an empty value means the default). */
const widths = {
  parse: (s) => (s === 'none' ? [] : s.split(',').map(integer.parse)),
  format: (v) => (v.length ? v.join(',') : 'none'),
};
const oneOf = (...choices) => ({
  parse: (s) => {
    if (!choices.includes(s)) throw new Error(`expected one of ${choices}`);
    return s;
  },
  format: (v) => v,
});
/** `a:1,b:100` ↔ {a: 1, b: 100}. */
const numberMap = {
  parse: (s) => Object.fromEntries(s.split(',').filter(Boolean).map((part) => {
    const at = part.indexOf(':');
    return [decodeURIComponent(part.slice(0, at)), finite(part.slice(at + 1))];
  })),
  format: (v) => Object.entries(v).map(([k, x]) => `${encodeURIComponent(k)}:${x}`).join(','),
};

/**
 * One contestant of the roster.
 * @typedef {{id: string, label: string, on: boolean,
 *   hp: Object<string, number>, schedule: ({kind: string}&Object<string, number>)|null,
 *   clipNorm: number|null, clipValue: number|null, noise: number|null, seed: number|null,
 *   lookahead: {k: number, alpha: number}|null, momentumSchedule: {tau: number}|null,
 *   ownLr: boolean}} Run
 * `ownLr`: the person typed or dragged this run's learning rate, so a new surface keeps it
 * instead of bringing the rate it suggests.
 */

/** A fresh run with no overrides (its hyperparameters are filled in from the catalogue). A
 * run has no colour of its own: its optimizer's colour and marker come from the catalogue. */
export function newRun(id, hp = {}) {
  return { id, label: '', on: true, hp: { ...hp }, schedule: null, clipNorm: null,
    clipValue: null, noise: null, seed: null, lookahead: null, momentumSchedule: null,
    ownLr: false };
}

/** Escape only what separates a run's parts (`;`, `:`) and `%` itself; the URL encoding of
 * the hash does the rest (a space becomes `+`), so labels stay readable in the address bar. */
const escapePart = (text) => text.replace(/[%;:]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);

/**
 * A run as `id:adam;lr:0.05;ownlr;label:Adam fast;off;sched:linear;sched.tau:400;clip:1`, with
 * `la.k:5;la.alpha:0.5` when Lookahead wraps it and `ms.tau:250` when its momentum rises. Links
 * from before colours came from the catalogue carry a colour index `c:2`: it is skipped.
 */
const runCodec = {
  parse(s) {
    const run = newRun('');
    for (const part of s.split(';').filter(Boolean)) {
      const at = part.indexOf(':');
      const key = decodeURIComponent(at < 0 ? part : part.slice(0, at));
      const value = at < 0 ? '' : decodeURIComponent(part.slice(at + 1));
      if (key === 'id') run.id = value;
      else if (key === 'label') run.label = value;
      else if (key === 'c') integer.parse(value);
      else if (key === 'off') run.on = false;
      else if (key === 'ownlr') run.ownLr = true;
      else if (key === 'sched') run.schedule = { ...run.schedule, kind: value };
      else if (key.startsWith('sched.')) {
        run.schedule = { ...run.schedule, [key.slice(6)]: finite(value) };
      }
      else if (key === 'clip') run.clipNorm = finite(value);
      else if (key === 'clipv') run.clipValue = finite(value);
      else if (key === 'noise') run.noise = finite(value);
      else if (key === 'seed') run.seed = integer.parse(value);
      else if (key === 'la.k') run.lookahead = { ...run.lookahead, k: integer.parse(value) };
      else if (key === 'la.alpha') run.lookahead = { ...run.lookahead, alpha: finite(value) };
      else if (key === 'ms.tau') run.momentumSchedule = { tau: integer.parse(value) };
      else run.hp[key] = finite(value);
    }
    if (!run.id) throw new Error(`a run without an id: ${s}`);
    if (run.schedule && !run.schedule.kind) run.schedule = null;
    if (run.lookahead && (run.lookahead.k === undefined || run.lookahead.alpha === undefined)) {
      throw new Error(`Lookahead needs both la.k and la.alpha: ${s}`);
    }
    return run;
  },
  format(run) {
    const e = escapePart;
    const parts = [`id:${e(run.id)}`];
    for (const [k, v] of Object.entries(run.hp)) parts.push(`${e(k)}:${v}`);
    if (run.ownLr) parts.push('ownlr');
    if (run.label) parts.push(`label:${e(run.label)}`);
    if (!run.on) parts.push('off');
    if (run.schedule) {
      const { kind, ...params } = run.schedule;
      parts.push(`sched:${e(kind)}`);
      for (const [k, v] of Object.entries(params)) parts.push(`sched.${e(k)}:${v}`);
    }
    if (run.clipNorm !== null) parts.push(`clip:${run.clipNorm}`);
    if (run.clipValue !== null) parts.push(`clipv:${run.clipValue}`);
    if (run.noise !== null) parts.push(`noise:${run.noise}`);
    if (run.seed !== null) parts.push(`seed:${run.seed}`);
    if (run.lookahead) parts.push(`la.k:${run.lookahead.k}`, `la.alpha:${run.lookahead.alpha}`);
    if (run.momentumSchedule) parts.push(`ms.tau:${run.momentumSchedule.tau}`);
    return parts.join(';');
  },
};

/** A phone's screen: the contour alone by default (its GL is better spent on one view, and a
 * 3-D view under the contour would push the player off the screen); 3-D when asked for. */
const PHONE = typeof window !== 'undefined' && window.matchMedia('(max-width: 699px)').matches;

/**
 * `lab` says which lab a field belongs to (none: all): a change to the other lab's fields
 * re-runs nothing on screen. Empty network fields stand for the network catalogue's defaults.
 * @typedef {{key: string, param: string, codec: Codec, default: *, repeated?: boolean,
 *   nullable?: boolean, effect: 'grid'|'race'|'display', lab?: 'surfaces'|'networks'|'maps'}} Field
 * @type {Field[]}
 */
const SURFACE_FIELDS = [
  { key: 'scenario', param: 'sc', codec: text, default: '', effect: 'display' },
  { key: 'surface', param: 's', codec: text, default: 'rosenbrock', effect: 'grid' },
  { key: 'params', param: 'p', codec: numberMap, default: {}, effect: 'grid' },
  { key: 'expression', param: 'f', codec: text, default: '', effect: 'grid' },
  { key: 'view', param: 'box', codec: numbers(4), default: null, nullable: true, effect: 'grid' },
  { key: 'start', param: 'x0', codec: numbers(2), default: null, nullable: true, effect: 'race' },
  { key: 'steps', param: 'n', codec: integer, default: 500, effect: 'race' },
  { key: 'runs', param: 'o', codec: runCodec, default: [], repeated: true, effect: 'race' },
  { key: 'clipNorm', param: 'clip', codec: number, default: null, nullable: true, effect: 'race' },
  { key: 'clipValue', param: 'clipv', codec: number, default: null, nullable: true,
    effect: 'race' },
  { key: 'noise', param: 'noise', codec: number, default: 0, effect: 'race' },
  { key: 'seed', param: 'seed', codec: integer, default: 0, effect: 'race' },
  { key: 'selected', param: 'sel', codec: integer, default: 0, effect: 'display' },
].map((f) => ({ ...f, lab: 'surfaces' }));

/** An axis of a hyperparameter map: `lr:0.001:1:log` ↔ {name, lo, hi, scale}. */
const axisCodec = {
  parse(s) {
    const [name, lo, hi, scale = 'linear', ...rest] = s.split(':');
    if (!name || rest.length || !['linear', 'log'].includes(scale)) {
      throw new Error(`expected name:low:high[:log]: ${s}`);
    }
    return { name, lo: finite(lo), hi: finite(hi), scale };
  },
  format: (v) => `${v.name}:${v.lo}:${v.hi}${v.scale === 'log' ? ':log' : ''}`,
};

/** The maps lab: its own roster (the map is of the selected run), its kind, its rectangle (a
 * zoom: the region of starts, or the two axes; null: the default) and its size. The surface
 * and the start are the surfaces lab's, so that a map and the races it opens agree. */
const MAP_FIELDS = [
  { key: 'mapKind', param: 'mk', codec: oneOf('basins', 'hyperparameters'), default: 'basins',
    effect: 'race' },
  { key: 'mapRuns', param: 'mo', codec: runCodec, default: [], repeated: true, effect: 'race' },
  { key: 'mapSelected', param: 'msel', codec: integer, default: 0, effect: 'race' },
  { key: 'mapRegion', param: 'mbox', codec: numbers(4), default: null, nullable: true,
    effect: 'race' },
  { key: 'mapX', param: 'mx', codec: axisCodec, default: null, nullable: true, effect: 'race' },
  { key: 'mapY', param: 'my', codec: axisCodec, default: null, nullable: true, effect: 'race' },
  { key: 'mapResolution', param: 'mr', codec: integer, default: 128, effect: 'race' },
  { key: 'mapSteps', param: 'mn', codec: integer, default: 500, effect: 'race' },
].map((f) => ({ ...f, lab: 'maps' }));

const NETWORK_FIELDS = [
  { key: 'dataset', param: 'ds', codec: text, default: '', effect: 'race' },
  { key: 'dataParams', param: 'dp', codec: numberMap, default: {}, effect: 'race' },
  { key: 'layers', param: 'hid', codec: widths, default: null, nullable: true, effect: 'race' },
  { key: 'activation', param: 'act', codec: text, default: '', effect: 'race' },
  { key: 'init', param: 'init', codec: text, default: '', effect: 'race' },
  { key: 'initScale', param: 'isg', codec: number, default: null, nullable: true,
    effect: 'race' },
  { key: 'bias', param: 'ib', codec: number, default: null, nullable: true, effect: 'race' },
  { key: 'dropout', param: 'drop', codec: number, default: null, nullable: true,
    effect: 'race' },
  { key: 'batchNorm', param: 'bn', codec: flag, default: false, effect: 'race' },
  { key: 'batch', param: 'bs', codec: integer, default: null, nullable: true, effect: 'race' },
  { key: 'netSeed', param: 'ns', codec: integer, default: 0, effect: 'race' },
  { key: 'initSeed', param: 'is', codec: integer, default: 0, effect: 'race' },
  { key: 'valFraction', param: 'vf', codec: number, default: null, nullable: true,
    effect: 'race' },
  { key: 'valSeed', param: 'vs', codec: integer, default: 0, effect: 'race' },
  { key: 'patience', param: 'pat', codec: integer, default: null, nullable: true,
    effect: 'race' },
  { key: 'stopEarly', param: 'stop', codec: flag, default: false, effect: 'race' },
  { key: 'netSteps', param: 'nn', codec: integer, default: null, nullable: true, effect: 'race' },
  { key: 'plane', param: 'plane', codec: text, default: '', effect: 'race' },
  { key: 'netRuns', param: 'no', codec: runCodec, default: [], repeated: true, effect: 'race' },
  { key: 'netSelected', param: 'nsel', codec: integer, default: 0, effect: 'display' },
  { key: 'netView', param: 'nview', codec: oneOf('contour', '3d', 'layers', 'check'),
    default: 'contour', effect: 'display' },
  { key: 'netStat', param: 'lq', codec: oneOf('std', 'saturated', 'grad_norm'), default: 'std',
    effect: 'display' },
].map((f) => ({ ...f, lab: 'networks' }));

export const FIELDS = [
  { key: 'lang', param: 'lang', codec: oneOf(...LANGUAGES.map((l) => l.id)),
    default: browserLanguage(), effect: 'display' },
  { key: 'lab', param: 'lab', codec: oneOf('surfaces', 'networks', 'maps'),
    default: 'surfaces',
    effect: 'display' },
  ...SURFACE_FIELDS,
  ...NETWORK_FIELDS,
  ...MAP_FIELDS,
  { key: 'frame', param: 't', codec: integer, default: null, nullable: true, effect: 'display' },
  { key: 'speed', param: 'speed', codec: number, default: 60, effect: 'display' },
  { key: 'loop', param: 'loop', codec: flag, default: false, effect: 'display' },
  { key: 'layout', param: 'view', codec: oneOf('both', 'contour', '3d', 'ab'),
    default: PHONE ? 'contour' : 'both', effect: 'display' },
  /** In the A/B layout, the one setting B changes: `name:value` (compare.js). */
  { key: 'compare', param: 'ab', codec: text, default: '', effect: 'display' },
  { key: 'presenter', param: 'present', codec: flag, default: false, effect: 'display' },
  { key: 'hidden', param: 'hide', codec: words, default: ['surface', 'roster', 'gradient',
    'inspector'],
    effect: 'display' },
];

const BY_KEY = Object.fromEntries(FIELDS.map((f) => [f.key, f]));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const clone = (value) => (value === null || typeof value !== 'object' ? value
  : JSON.parse(JSON.stringify(value)));

/** Every field at its default. */
export function defaults() {
  return Object.fromEntries(FIELDS.map((f) => [f.key, clone(f.default)]));
}

/**
 * State from a hash such as `#s=bowl&n=200&o=id:sgd;lr:0.1`. Fields that are absent or do
 * not parse keep their defaults; the names of those that did not parse are returned so the
 * page can say so rather than silently run something else.
 * @returns {{state: Object, rejected: string[], present: boolean}}
 */
export function fromHash(hash) {
  const query = new URLSearchParams(hash.replace(/^#/, ''));
  const state = defaults();
  const rejected = [];
  for (const field of FIELDS) {
    const values = query.getAll(field.param);
    if (!values.length) continue;
    try {
      if (field.repeated) state[field.key] = values.map((v) => field.codec.parse(v));
      else if (field.nullable && values[0] === '') state[field.key] = null;
      else state[field.key] = field.codec.parse(values[0]);
    } catch {
      rejected.push(field.param);
    }
  }
  // (a link that names only its language is a first visit, in that language)
  return { state, rejected, present: [...query.keys()].some((key) => key !== 'lang') };
}

/** The hash of a state: only the fields that differ from their defaults. */
export function toHash(state) {
  const query = new URLSearchParams();
  for (const field of FIELDS) {
    const value = state[field.key];
    if (same(value, field.default)) continue;
    if (field.repeated) value.forEach((v) => query.append(field.param, field.codec.format(v)));
    else query.set(field.param, value === null ? '' : field.codec.format(value));
  }
  return `#${query.toString().replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%3B/gi, ';')}`;
}

/**
 * The store: `state` to read, `update(patch, cause)` to change it, `subscribe(fn)` to hear
 * which keys changed. `cause` travels to the listeners: `{event}` carries the input event whose
 * time stamp starts the "control change → paths drawn" measurement, `{fromHash: true}` marks
 * changes that came from the address bar (and must not be written back to it).
 */
export function createStore(initial) {
  let state = { ...defaults(), ...initial };
  const listeners = new Set();
  return {
    get state() {
      return state;
    },
    update(patch, cause = {}) {
      const changed = new Set(Object.keys(patch).filter((k) => {
        if (!(k in BY_KEY)) throw new Error(`unknown state field ${k}`);
        return !same(patch[k], state[k]);
      }));
      if (!changed.size) return;
      state = { ...state, ...patch };
      for (const fn of listeners) fn(changed, cause);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** What a set of changed keys requires of `lab`: the strongest effect among its fields. */
export function effectOf(changed, lab) {
  const effects = [...changed].map((k) => BY_KEY[k])
    .filter((f) => !f.lab || f.lab === lab).map((f) => f.effect);
  if (effects.includes('grid')) return 'grid';
  if (effects.includes('race')) return 'race';
  return 'display';
}
