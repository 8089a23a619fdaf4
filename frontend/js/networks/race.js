/**
 * A network race as it arrives from the stream: loss, accuracy, gradient norm and learning
 * rate per frame as the frame lines come in (and, when asked for, per-layer statistics every
 * few frames); then, with the summary, each run's path
 * projected on the landscape plane and the landscape itself — both need the whole race
 * (the PCA plane is fitted to every path), so they arrive at its end.
 *
 * Its runs have the fields the shared plots read (`path`, `loss`, `divergedAt`, `outcome`…),
 * so the contour, the loss chart and the player draw it as they draw a surface race.
 */

import { pairs, putPairs, putScalars, scalars } from '../race.js';

/** Learning rates are per step (step t moves frame t − 1 to frame t): frame 0 has none. */
const LR_OFFSET = 1;

/**
 * The landscape as a grid document of the surface API, which the contour draws: alphas
 * and betas as x and y, heights on a log scale (a network's loss spans decades between
 * the paths and the far corners).
 */
function landscapeGrid(landscape, name) {
  const { alphas, betas, loss } = landscape;
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of loss) {
    for (const v of row) {
      if (v === null) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return {
    x: alphas, y: betas, z: loss, z_range: [lo, hi],
    surface: { id: 'landscape', name, critical_points: [], log_contours: true, axes: ['α', 'β'],
      view: { x: [alphas[0], alphas.at(-1)], y: [betas[0], betas.at(-1)] } },
  };
}

/** A run's per-layer statistics (`stats`), the frame line's recorded frames appended. */
function addStatistics(run, src) {
  if (!src.statistics) return;
  const { frames, mean, std, saturated, grad_norm: gradNorm, histograms } = src.statistics;
  run.stats ??= { frames: [], mean: [], std: [], saturated: [], gradNorm: [],
    histograms: { lo: [], hi: [], counts: [] } };
  const to = run.stats;
  to.frames.push(...frames);
  to.mean.push(...mean);
  to.std.push(...std);
  to.saturated.push(...saturated);
  to.gradNorm.push(...gradNorm);
  to.histograms.lo.push(...histograms.lo);
  to.histograms.hi.push(...histograms.hi);
  to.histograms.counts.push(...histograms.counts);
}

/** A run's validation curves from frame `first` on, and its best and stopping steps. */
function heldOut(run, src, first) {
  if (src.val_loss === null || src.val_loss === undefined) return;
  putScalars(run.valLoss, src.val_loss, first);
  putScalars(run.valAccuracy, src.val_accuracy, first);
  run.bestStep = src.best_step;
  run.stoppedAt = src.stopped_at;
}

export class NetworkRace {
  /**
   * @param {Object} meta the stream's first event
   * @param {number[]} roster roster index of each run, in request order
   * @param {Object} request the race body (without the stream's options)
   */
  constructor(meta, roster, request) {
    this.meta = meta;
    this.request = request;
    this.steps = meta.steps;
    /** last frame received (−1: none yet) */
    this.available = -1;
    this.done = false;
    this.dataset = meta.dataset;
    this.architecture = meta.architecture;
    /** from the summary: the landscape, and its grid for the contour */
    this.landscape = null;
    this.grid = null;
    const n = meta.steps + 1;
    this.runs = meta.runs.map((info, i) => ({
      info, roster: roster[i], path: pairs(n), loss: scalars(n), accuracy: scalars(n),
      gradNorm: scalars(n), lr: scalars(n), convergedAt: null, divergedAt: null, outcome: null,
      valLoss: scalars(n), valAccuracy: scalars(n), bestStep: null, stoppedAt: null,
      stats: null,
    }));
    /** the held-out points and the early-stopping rule, or null */
    this.validation = meta.validation;
  }

  /** Add one `frame` event (frames `first` … `last` of every run). */
  addFrames(event) {
    event.runs.forEach((src, i) => {
      const run = this.runs[i];
      putScalars(run.loss, src.loss, event.first);
      putScalars(run.accuracy, src.accuracy, event.first);
      putScalars(run.gradNorm, src.grad_norm, event.first);
      run.divergedAt = src.diverged_at ?? run.divergedAt;
      heldOut(run, src, event.first);
      addStatistics(run, src);
    });
    this.available = event.last;
  }

  /** The stream's last event: the whole race, paths and landscape included. */
  finish(summary) {
    summary.runs.forEach((src, i) => {
      const run = this.runs[i];
      putPairs(run.path, src.path, 0);
      putScalars(run.loss, src.loss, 0);
      putScalars(run.accuracy, src.accuracy, 0);
      putScalars(run.gradNorm, src.grad_norm, 0);
      putScalars(run.lr, src.lr, LR_OFFSET);
      run.divergedAt = src.diverged_at;
      run.convergedAt = src.converged_at;
      heldOut(run, src, 0);
      run.outcome = src;
    });
    this.landscape = summary.landscape;
    this.grid = landscapeGrid(summary.landscape, summary.landscape.plane.kind);
    this.available = this.steps;
    this.done = true;
  }
}

/** The race as CSV, one row per run and frame: the curves and the point on the plane. */
export function toCsv(race) {
  const cell = (v) => (Number.isFinite(v) ? String(v) : '');
  const quote = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = ['run,label,optimizer,step,loss,accuracy,grad_norm,lr,alpha,beta,val_loss,'
    + 'val_accuracy'];
  race.runs.forEach((run, r) => {
    for (let t = 0; t <= race.available; t += 1) {
      rows.push([r, quote(run.info.label), run.info.optimizer, t, cell(run.loss[t]),
        cell(run.accuracy[t]), cell(run.gradNorm[t]), cell(run.lr[t]), cell(run.path[2 * t]),
        cell(run.path[2 * t + 1]), cell(run.valLoss[t]), cell(run.valAccuracy[t])].join(','));
    }
  });
  return `${rows.join('\n')}\n`;
}
