/**
 * Decision boundaries for the frames the player shows. A boundary comes from the server
 * (it evaluates the run's network at that frame on a grid over the data), so while the
 * race plays, at most one request is in flight; when it returns, the frame wanted by then
 * is asked for next — frames passed over meanwhile are never fetched — and the last frame
 * asked for is always the last one shown. Recent answers are kept: scrubbing back over
 * them asks nothing.
 */

import * as api from '../api.js';

/** Grid points per side: a smooth map and line on a projector, about 70 kB a frame. */
const RESOLUTION = 61;
/** Answers kept per race. */
const KEEP = 400;

/**
 * @param {(answer: {race: Object, run: number, frame: number, data: Object}) => void} show
 * @param {(error: Error) => void} fail
 * @returns {{want: (race: Object, run: number, frame: number) => void}}
 */
export function boundaryFeed(show, fail) {
  let cached = { race: null, answers: new Map() };
  let wanted = null;
  let busy = false;
  /** the last frame asked for, and whether it is on screen (then late answers are not) */
  let latest = '';
  let settled = true;
  /** the frame being fetched */
  let flying = '';

  const keyOf = (run, frame) => `${run}:${frame}`;

  async function pump() {
    busy = true;
    while (wanted) {
      const job = wanted;
      wanted = null;
      const key = keyOf(job.run, job.frame);
      if (cached.race !== job.race || cached.answers.has(key)) continue;
      flying = key;
      const signal = api.supersede('boundary');
      try {
        const data = await api.boundary({ race: job.race.request, run: job.run,
          frame: job.frame, resolution: RESOLUTION }, signal);
        if (cached.race !== job.race) continue;
        const { answers } = cached;
        answers.set(key, data);
        if (answers.size > KEEP) answers.delete(answers.keys().next().value);
        if (settled) continue;
        settled = key === latest;
        show({ ...job, data });
      } catch (error) {
        if (!api.isAbort(error)) fail(error);
      } finally {
        flying = '';
      }
    }
    busy = false;
  }

  return {
    want(race, run, frame) {
      if (cached.race !== race) {
        cached = { race, answers: new Map() };
        flying = '';
        if (busy) api.supersede('boundary');
      }
      latest = keyOf(run, frame);
      const data = cached.answers.get(latest);
      settled = Boolean(data);
      if (data) {
        wanted = null;
        show({ race, run, frame, data });
        return;
      }
      wanted = latest === flying ? null : { race, run, frame };
      if (!busy) pump();
    },
  };
}
