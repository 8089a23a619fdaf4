/**
 * A race as it arrives from the stream: typed arrays filled frame line by frame line, so
 * that the plots can draw frame t of every run without copying, and can draw the part that
 * has arrived while the rest is still being computed.
 *
 * Frame t holds the point after t steps; `grad[t]` is the gradient step t used (frame 0:
 * the raw gradient at the start); `state[name][t]` the optimizer's state after step t.
 * Values the API sent as null (not finite) are NaN here.
 */

/** n points (x, y), or n numbers, all missing (NaN) until they arrive. */
export const pairs = (n) => new Float64Array(2 * n).fill(NaN);
export const scalars = (n) => new Float64Array(n).fill(NaN);

/** Copy rows of [x, y] (or values) from the API into a typed array from frame `first` on. */
export function putPairs(target, rows, first) {
  rows.forEach((row, k) => {
    const i = 2 * (first + k);
    target[i] = row?.[0] ?? NaN;
    target[i + 1] = row?.[1] ?? NaN;
  });
}

export function putScalars(target, values, first) {
  values.forEach((v, k) => {
    target[first + k] = v ?? NaN;
  });
}

/**
 * @typedef {Object} RunData
 * @property {Object} info the run as the API resolved it (optimizer, label, hyperparameters…)
 * @property {number} roster index of the roster row it came from
 * @property {Float64Array} path x0,y0,x1,y1,…  @property {Float64Array} loss
 * @property {Float64Array} gradNorm  @property {Float64Array} lr  @property {Float64Array} grad
 * @property {Object<string, Float64Array>} state
 * @property {Object<string, {pairs: boolean, values: Float64Array}>} derived
 * @property {number|null} convergedAt  @property {number|null} divergedAt
 * @property {Object|null} outcome the summary's {status, converged_at, diverged_at, final}
 */

export class Race {
  /**
   * @param {Object} meta the stream's first event
   * @param {number[]} roster roster index of each run, in request order
   * @param {Object} request the body that was posted (kept for exports and shared links)
   */
  constructor(meta, roster, request) {
    this.meta = meta;
    this.request = request;
    this.steps = meta.steps;
    this.surface = meta.surface;
    this.start = meta.starts[0];
    /** last frame received (−1: none yet) */
    this.available = -1;
    this.done = false;
    const n = meta.steps + 1;
    /** @type {RunData[]} */
    this.runs = meta.runs.map((info, i) => ({
      info, roster: roster[i], path: pairs(n), loss: scalars(n), gradNorm: scalars(n),
      lr: scalars(n), grad: pairs(n), state: {}, derived: {}, convergedAt: null,
      divergedAt: null, outcome: null,
    }));
  }

  /** Add one `frame` event (frames `first` … `last` of every run). */
  addFrames(event) {
    const n = this.steps + 1;
    event.runs.forEach((src, i) => {
      const run = this.runs[i];
      putPairs(run.path, src.path, event.first);
      putScalars(run.loss, src.loss, event.first);
      putScalars(run.gradNorm, src.grad_norm, event.first);
      putScalars(run.lr, src.lr, event.first);
      putPairs(run.grad, src.grad, event.first);
      for (const [name, rows] of Object.entries(src.state ?? {})) {
        run.state[name] ??= pairs(n);
        putPairs(run.state[name], rows, event.first);
      }
      for (const [name, rows] of Object.entries(src.derived ?? {})) {
        const isPairs = Array.isArray(rows[0]);
        run.derived[name] ??= { pairs: isPairs, values: isPairs ? pairs(n) : scalars(n) };
        (isPairs ? putPairs : putScalars)(run.derived[name].values, rows, event.first);
      }
      run.convergedAt = src.converged_at ?? run.convergedAt;
      run.divergedAt = src.diverged_at ?? run.divergedAt;
    });
    this.available = event.last;
  }

  /** The stream's last event: every run's outcome. */
  finish(summary) {
    summary.runs.forEach((outcome, i) => {
      const run = this.runs[i];
      run.outcome = outcome;
      run.convergedAt = outcome.converged_at;
      run.divergedAt = outcome.diverged_at;
    });
    this.done = true;
  }

  /** The step at which a run's race ended for the plot's finish mark, or null. */
  static finishStep(run, steps) {
    if (run.divergedAt !== null) return run.divergedAt;
    if (run.convergedAt !== null) return run.convergedAt;
    return run.outcome ? steps : null;
  }
}

/**
 * The race as CSV, one row per run and frame — the columns of `descentlab race --format csv`
 * so that a spreadsheet made from either reads the same.
 */
export function toCsv(race) {
  const cell = (v) => (Number.isFinite(v) ? String(v) : '');
  const quote = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = ['run,label,optimizer,start_index,step,x,y,loss,grad_norm,lr,grad_x,grad_y'];
  race.runs.forEach((run, r) => {
    for (let t = 0; t <= race.available; t += 1) {
      rows.push([r, quote(run.info.label), run.info.optimizer, run.info.start_index, t,
        cell(run.path[2 * t]), cell(run.path[2 * t + 1]), cell(run.loss[t]),
        cell(run.gradNorm[t]), cell(run.lr[t]), cell(run.grad[2 * t]),
        cell(run.grad[2 * t + 1])].join(','));
    }
  });
  return `${rows.join('\n')}\n`;
}
