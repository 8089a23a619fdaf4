/**
 * The networks lab's state ↔ the API's network race request.
 *
 * Empty network fields of the state stand for the network catalogue's defaults (the first
 * dataset, the default architecture and plane, the default number of steps); they are
 * resolved here, so that the controls and the request always show what the server will run.
 */

import { newRun } from '../state.js';
import { fullHyperparameters, runSpecs, STREAM_LINES } from '../request.js';

/** The dataset catalogue entry of the state. */
export function datasetEntry(state, catalogues) {
  const { datasets } = catalogues.networks;
  return datasets.find((d) => d.id === state.dataset) ?? datasets[0];
}

/** Every parameter of the state's dataset, the catalogue's defaults filling the gaps. */
export function datasetParams(state, catalogues) {
  return Object.fromEntries(datasetEntry(state, catalogues).params.map((p) => [p.name,
    state.dataParams[p.name] ?? p.default]));
}

/** Hidden layer widths, activation, initialisation, dropout and batch normalization of the
 * state (`init` null: the activation's own; σ, the biases' start and the dropout rate from
 * the catalogue unless set). */
export function architectureOf(state, catalogues) {
  const { default: standard } = catalogues.networks.architecture;
  return { hidden: state.layers ?? standard.hidden,
    activation: state.activation || standard.activation, init: state.init || null,
    init_scale: state.initScale ?? standard.init_scale, bias: state.bias ?? standard.bias,
    dropout: state.dropout ?? standard.dropout, batch_norm: state.batchNorm };
}

/** The landscape plane's id, and the plane catalogue as a list of {id, meaning}. */
export function planes(catalogues) {
  return Object.entries(catalogues.networks.landscape.planes)
    .map(([id, meaning]) => ({ id, meaning }));
}

export function planeOf(state, catalogues) {
  return state.plane || planes(catalogues)[0].id;
}

/** The held-out share of the state (the catalogue's default unless set). */
export function validationOf(state, catalogues) {
  const { validation } = catalogues.networks.race;
  return { fraction: state.valFraction ?? validation.fraction.default, seed: state.valSeed };
}

/** Early stopping: null without a patience (or without held-out data to watch). */
export function earlyStoppingOf(state, catalogues) {
  if (state.patience === null || !(validationOf(state, catalogues).fraction > 0)) return null;
  return { patience: state.patience, stop: state.stopEarly };
}

export function stepsOf(state, catalogues) {
  return state.netSteps ?? catalogues.networks.race.steps.default;
}

/** The optimizer catalogue entries a network race accepts. */
export function networkOptimizers(catalogues) {
  const allowed = new Set(catalogues.networks.optimizers);
  return catalogues.optimizers.filter((o) => allowed.has(o.id));
}

/** An optimizer's hyperparameters for a network: the suggested learning rate for networks,
 * the optimizer catalogue's defaults for the rest, overridden by `given`. */
export function networkHyperparameters(optimizer, catalogues, given = {}) {
  const lr = catalogues.networks.race.suggested_lr[optimizer.id];
  return fullHyperparameters(optimizer, lr === undefined ? given : { lr, ...given });
}

/** The roster of a first visit to the networks lab, as the network catalogue names it. */
export function firstRoster(catalogues) {
  const first = catalogues.networks.race.first_roster;
  return networkOptimizers(catalogues).filter((o) => first.includes(o.id))
    .map((o) => newRun(o.id, networkHyperparameters(o, catalogues)));
}

/** The Layers view draws per-layer statistics: only a race shown there records them (a pass
 * over every point at each recorded frame, ~ a quarter more work). */
export function wantsStatistics(state) {
  return state.netView === 'layers';
}

/**
 * The network race request of a state (`body`, as the JSON export and the decision
 * boundaries post it), the streamed request (`stream`) and the roster row of each optimizer.
 * @returns {{body: Object, stream: Object, roster: number[]}}
 */
export function networkRequest(state, catalogues) {
  const { optimizers, roster } = runSpecs(state.netRuns);
  const steps = stepsOf(state, catalogues);
  const dataset = datasetEntry(state, catalogues);
  const body = {
    dataset: { id: dataset.id, params: datasetParams(state, catalogues) },
    architecture: architectureOf(state, catalogues),
    optimizers,
    steps,
    batch_size: state.batch,
    seed: state.netSeed,
    init_seed: state.initSeed,
    validation: validationOf(state, catalogues),
    early_stopping: earlyStoppingOf(state, catalogues),
    landscape: { plane: planeOf(state, catalogues) },
    statistics: wantsStatistics(state) ? {} : null,
  };
  const stream = { ...body, frame_steps: Math.max(1, Math.ceil(steps / STREAM_LINES)) };
  return { body, stream, roster };
}

/** The state a networks-lab scenario opens on: its race's settings (what its request leaves
 * out, the catalogue's defaults), its roster, its view; the run it follows selected. */
export function networkStateFromScenario(scenario, catalogues) {
  const { request: req, view, statistic } = scenario.network;
  const arch = req.architecture ?? {};
  const netRuns = req.optimizers.map((spec) => {
    const optimizer = catalogues.optimizers.find((o) => o.id === spec.id);
    return { ...newRun(spec.id, networkHyperparameters(optimizer, catalogues,
      spec.hyperparameters)), label: spec.label ?? '' };
  });
  return { lab: 'networks', scenario: scenario.id, dataset: req.dataset?.id ?? '',
    dataParams: req.dataset?.params ?? {}, layers: arch.hidden ?? null,
    activation: arch.activation ?? '', init: arch.init ?? '', initScale: arch.init_scale ?? null,
    bias: arch.bias ?? null, dropout: arch.dropout ?? null, batchNorm: arch.batch_norm ?? false,
    batch: req.batch_size ?? null,
    netSeed: req.seed ?? 0, initSeed: req.init_seed ?? 0,
    valFraction: req.validation?.fraction ?? null, valSeed: req.validation?.seed ?? 0,
    patience: req.early_stopping?.patience ?? null, stopEarly: req.early_stopping?.stop ?? false,
    netSteps: req.steps ?? null, plane: req.landscape?.plane ?? '', netRuns,
    netSelected: Math.max(0, netRuns.findIndex((r) => r.label === scenario.focus)),
    netView: view, netStat: statistic };
}
