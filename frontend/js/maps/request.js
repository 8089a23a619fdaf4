/**
 * The maps lab's state ↔ the maps API's request bodies.
 *
 * A map is of one run of the lab's roster (the selected one), over the surface the surfaces
 * lab shows: a basin map races it from every cell of a rectangle of starts, a hyperparameter
 * map from the surfaces lab's start with every cell's pair of settings. Axes the state leaves
 * unset come from the optimizer's catalogue entry: the learning rate on a log scale against
 * its momentum, or against its next hyperparameter.
 */

import { newRun } from '../state.js';
import {
  defaultStart, fullHyperparameters, runSpecs, surfaceHyperparameters, surfaceSpec,
} from '../request.js';

/** The learning rates a fresh hyperparameter map spans (clipped to the optimizer's range). */
const LR_SPAN = [1e-3, 1];

/** The run the map is of: the selected row of the roster, or its first switched-on row. */
export function mapRun(state) {
  const runs = state.mapRuns;
  const chosen = runs[state.mapSelected];
  return chosen?.on ? chosen : runs.find((r) => r.on) ?? null;
}

/** The value a map axis named `name` has in `run` (lr_x and lr_y default to lr). */
export function runValue(run, name) {
  return run?.hp[name] ?? run?.hp.lr ?? null;
}

/** The whole span a map axis of hyperparameter `p` (a catalogue entry) starts with: learning
 * rates and log-scaled quantities on a log axis, widened to the decade of the current
 * `value` (so that the current setting is on the map: SGD's rate on Rosenbrock, 6.6·10⁻⁴,
 * fell off the usual 10⁻³ … 1). */
export function axisSpan(p, value = null) {
  if (p.log || p.name.startsWith('lr')) {
    const decade = value > 0 ? 10 ** Math.floor(Math.log10(value)) : LR_SPAN[0];
    return { name: p.name, lo: Math.max(p.min, Math.min(LR_SPAN[0], decade)),
      hi: Math.min(p.max, Math.max(LR_SPAN[1], decade * 10)), scale: 'log' };
  }
  return { name: p.name, lo: p.min, hi: p.name === 'momentum' ? Math.min(p.max, 0.99) : p.max,
    scale: 'linear' };
}

/** The axes a fresh map of `optimizer` has: lr (log) × momentum, or × its next
 * hyperparameter; an optimizer with one learning rate per coordinate maps lr_x × lr_y when
 * it has nothing else. Each spans what `axisSpan` says for `run`'s values. */
export function defaultAxes(optimizer, run = null) {
  const params = optimizer.hyperparameters;
  const lr = params.find((p) => p.name === 'lr');
  const span = (p) => axisSpan(p, runValue(run, p.name));
  const other = params.find((p) => p.name === 'momentum') ?? params.find((p) => p !== lr);
  if (lr && other) return { x: span(lr), y: span(other) };
  if (lr && optimizer.per_coordinate_lr) {
    return { x: span({ ...lr, name: 'lr_x' }), y: span({ ...lr, name: 'lr_y' }) };
  }
  const [first, second] = params;
  return { x: span(first), y: second ? span(second) : null };
}

/** The names a hyperparameter map's axis may take for `optimizer`. */
export function axisNames(optimizer) {
  return [...optimizer.hyperparameters.map((p) => p.name),
    ...(optimizer.per_coordinate_lr ? ['lr_x', 'lr_y'] : [])];
}

/** The catalogue entry of an axis name (lr_x and lr_y range as lr does). */
export function axisParam(optimizer, name) {
  const base = name === 'lr_x' || name === 'lr_y' ? 'lr' : name;
  const p = optimizer.hyperparameters.find((q) => q.name === base);
  return p ? { ...p, name } : null;
}

/** The axes of the state's hyperparameter map. */
export function mapAxes(state, catalogues) {
  const run = mapRun(state);
  const optimizer = run && catalogues.optimizers.find((o) => o.id === run.id);
  const fallback = optimizer ? defaultAxes(optimizer, run) : { x: null, y: null };
  return { x: state.mapX ?? fallback.x, y: state.mapY ?? fallback.y };
}

/**
 * The request of the state's map.
 * @returns {?{kind: string, path: string, body: Object, roster: number[]}} null: no run to map
 *   (`roster[0]` is the roster row of the body's optimizer, for placing its errors)
 */
export function mapRequest(state, catalogues) {
  const run = mapRun(state);
  if (!run) return null;
  const { optimizers: [optimizer] } = runSpecs([{ ...run, on: true }]);
  const body = { surface: surfaceSpec(state, catalogues), optimizer,
    resolution: state.mapResolution, steps: state.mapSteps };
  if (state.mapKind === 'basins') {
    if (state.mapRegion) body.region = [...state.mapRegion];
  } else {
    const { x, y } = mapAxes(state, catalogues);
    Object.assign(body, { start: state.start ?? defaultStart(state, catalogues), x, y });
  }
  return { kind: state.mapKind, path: `maps/${state.mapKind}/stream`, body,
    roster: [state.mapRuns.indexOf(run)] };
}

/** The state a maps-lab scenario describes: its roster (the map of the first run), its
 * surface and start, what is mapped over which rectangle, and the scenario to show. */
export function mapStateFromScenario(scenario, catalogues) {
  const { map } = scenario;
  const req = map.request;
  const runs = map.optimizers.map((spec) => {
    const optimizer = catalogues.optimizers.find((o) => o.id === spec.id);
    return { ...newRun(spec.id, fullHyperparameters(optimizer, spec.hyperparameters)),
      label: spec.label ?? '' };
  });
  return { lab: 'maps', scenario: scenario.id, surface: req.surface.id ?? '',
    params: req.surface.params ?? {}, expression: '', view: null, start: req.start ?? null,
    mapKind: map.kind, mapRuns: runs, mapSelected: 0, mapRegion: req.region ?? null,
    mapX: req.x ?? null, mapY: req.y ?? null, mapResolution: req.resolution,
    mapSteps: req.steps };
}

/** A first roster for the maps lab: the surfaces lab's selected run, as it is set; with no
 * run there (a link straight to the maps lab), the first optimizer at the rate the surface
 * suggests for it. (At the catalogue's default rate, SGD's 0.01, every start on Rosenbrock
 * diverges: the first map a visitor saw was one black square.) */
export function firstMapRoster(state, catalogues) {
  const run = state.runs[state.selected] ?? state.runs[0];
  if (run) return [{ ...run, label: '', on: true }];
  const optimizer = catalogues.optimizers[0];
  return [newRun(optimizer.id, surfaceHyperparameters(optimizer, state, catalogues))];
}
