/**
 * The page's state ↔ the API's request bodies.
 *
 * The state keeps what a person set (a roster of runs, some switched off; a surface by id or
 * a typed formula); the API takes a race request. Going one way builds the body to post,
 * going the other turns a scenario's ready-made request into a state — with every
 * hyperparameter written out from the catalogue's defaults so the sliders show them.
 */

import { newRun } from './state.js';

/** The surface catalogue entry of the state, or null for a typed formula. */
export function surfaceEntry(state, catalogues) {
  if (state.expression) return null;
  return catalogues.surfaces.find((s) => s.id === state.surface) ?? catalogues.surfaces[0];
}

/** The box a typed formula is shown on when none is given. */
export const EXPRESSION_VIEW = [-3, 3, -3, 3];

/** The surface part of a request (and of a grid query). */
export function surfaceSpec(state, catalogues) {
  if (state.expression) {
    return { expression: state.expression, view: state.view ?? EXPRESSION_VIEW };
  }
  const spec = { id: surfaceEntry(state, catalogues).id };
  if (Object.keys(state.params).length) spec.params = { ...state.params };
  if (state.view) spec.view = [...state.view];
  return spec;
}

/**
 * Where a race starts when nobody clicked: the surface's first suggested start, or for a
 * formula (which has none) a point up and to the left inside its box, so the descent has
 * somewhere to go.
 */
export function defaultStart(state, catalogues) {
  const entry = surfaceEntry(state, catalogues);
  if (entry) return entry.starts[0];
  const [x0, x1, y0, y1] = state.view ?? EXPRESSION_VIEW;
  return [x0 + 0.15 * (x1 - x0), y0 + 0.85 * (y1 - y0)];
}

/** Points per axis of a surface's contour and 3-D grid. */
export const GRID_RESOLUTION = 151;

/** Frame lines per stream: enough for the first paths to show at once, few enough to be cheap. */
export const STREAM_LINES = 4;

/**
 * Call each run the person did not name by its optimizer's name from the catalogue, which is
 * in the page's language (the server names such a run in English). Returns `race`.
 * @param {{request: Object, runs: {info: Object}[]}} race
 */
export function nameRuns(race, catalogues) {
  race.runs.forEach((run, i) => {
    if (race.request.optimizers?.[i]?.label) return;
    const name = catalogues.optimizers.find((o) => o.id === run.info.optimizer)?.name;
    if (name) run.info = { ...run.info, label: name };
  });
  return race;
}

/**
 * The optimizers part of a request: the roster's switched-on runs.
 * @returns {{optimizers: Object[], roster: number[]}} `roster[i]` is the roster row of
 *   `optimizers[i]` (switched-off rows are not sent), for placing errors and colours.
 */
export function runSpecs(runs) {
  const roster = [];
  const optimizers = [];
  runs.forEach((run, index) => {
    if (!run.on) return;
    roster.push(index);
    const spec = { id: run.id, hyperparameters: { ...run.hp } };
    if (run.label) spec.label = run.label;
    if (run.schedule && run.schedule.kind !== 'constant') spec.schedule = { ...run.schedule };
    if (run.clipNorm !== null) spec.clip_norm = run.clipNorm;
    if (run.clipValue !== null) spec.clip_value = run.clipValue;
    if (run.noise !== null) spec.noise_std = run.noise;
    if (run.seed !== null) spec.seed = run.seed;
    if (run.lookahead) spec.lookahead = { ...run.lookahead };
    if (run.momentumSchedule) spec.momentum_schedule = { ...run.momentumSchedule };
    optimizers.push(spec);
  });
  return { optimizers, roster };
}

/**
 * The race request of a state.
 * @returns {{body: Object, roster: number[]}} `roster[i]` is the roster row of the body's
 *   `optimizers[i]`.
 */
export function raceRequest(state, catalogues) {
  const { optimizers, roster } = runSpecs(state.runs);
  const body = {
    surface: surfaceSpec(state, catalogues),
    start: state.start ?? defaultStart(state, catalogues),
    steps: state.steps,
    optimizers,
    gradient: { clip_norm: state.clipNorm, clip_value: state.clipValue,
      noise_std: state.noise, seed: state.seed },
    record: { path: true, state: true },
    frame_steps: Math.max(1, Math.ceil(state.steps / STREAM_LINES)),
  };
  return { body, roster };
}

/** Catalogue defaults of an optimizer's hyperparameters, overridden by `given`. */
export function fullHyperparameters(optimizer, given = {}) {
  return Object.fromEntries(optimizer.hyperparameters.map((h) => [h.name,
    given[h.name] ?? h.default]));
}

/** An optimizer's hyperparameters on the state's surface: the learning rate that surface
 * suggests for it (a typed formula suggests none: the catalogue's default), the optimizer
 * catalogue's defaults for the rest, overridden by `given`. */
export function surfaceHyperparameters(optimizer, state, catalogues, given = {}) {
  const lr = surfaceEntry(state, catalogues)?.suggested_lr[optimizer.id];
  return fullHyperparameters(optimizer, lr === undefined ? given : { lr, ...given });
}

/** The roster of a surfaces lab opened by a link that names no optimizer: the default
 * lineup (the one a first visit to the networks lab gets too), each at the rate the surface
 * suggests for it. (Empty, such a link — `#present=1`, `#view=3d` — opened on a bare surface
 * and a note to switch an optimizer on, behind the closed controls.) */
export function defaultRoster(state, catalogues) {
  const lineup = catalogues.networks.race.first_roster;
  return catalogues.optimizers.filter((o) => lineup.includes(o.id))
    .map((o) => newRun(o.id, surfaceHyperparameters(o, state, catalogues)));
}

/** A schedule with every parameter written out (catalogue defaults, then `given`). */
export function fullSchedule(catalogues, given) {
  const entry = catalogues.schedules.find((s) => s.id === given.kind);
  if (!entry) return { ...given };
  return { kind: given.kind, ...Object.fromEntries(entry.params.map((p) => [p.name,
    given[p.name] ?? p.default])) };
}

/** The state a scenario describes: its request in full, and the scenario to show. */
export function stateFromScenario(scenario, catalogues) {
  const req = scenario.request;
  const surface = req.surface;
  const runs = req.optimizers.map((spec) => {
    const optimizer = catalogues.optimizers.find((o) => o.id === spec.id);
    const run = newRun(spec.id, fullHyperparameters(optimizer, spec.hyperparameters));
    run.label = spec.label ?? '';
    run.schedule = spec.schedule ? fullSchedule(catalogues, spec.schedule) : null;
    run.clipNorm = spec.clip_norm ?? null;
    run.clipValue = spec.clip_value ?? null;
    run.noise = spec.noise_std ?? null;
    run.seed = spec.seed ?? null;
    run.lookahead = spec.lookahead ? { ...spec.lookahead } : null;
    run.momentumSchedule = spec.momentum_schedule ? { ...spec.momentum_schedule } : null;
    return run;
  });
  const focus = req.optimizers.findIndex((o) => o.label === scenario.focus);
  const gradient = req.gradient ?? {};
  // a lesson about one knob opens in A/B, any other leaves A/B for both views
  const compare = scenario.compare ? { layout: 'ab',
    compare: `${scenario.compare.name}:${scenario.compare.value}` } : { compare: '' };
  return {
    ...compare,
    lab: 'surfaces',
    scenario: scenario.id,
    surface: surface.id ?? '',
    params: surface.params ?? {},
    expression: surface.expression ?? '',
    view: surface.view ?? null,
    start: req.start ?? req.starts?.[0] ?? null,
    steps: req.steps,
    runs,
    clipNorm: gradient.clip_norm ?? null,
    clipValue: gradient.clip_value ?? null,
    noise: gradient.noise_std ?? 0,
    seed: gradient.seed ?? 0,
    selected: Math.max(0, focus),
    frame: 0,
  };
}
