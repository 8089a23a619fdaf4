/**
 * One race streamed onto the screen: the lifecycle the surface lab and the networks lab
 * share, so both behave alike when a control changes.
 *
 * A new race supersedes the one in flight. With no optimizer switched on there is no race.
 * Otherwise the first frames load the player and later ones extend it, so paths appear while
 * the rest is still computed (during a drag, once whole); two performance marks time the
 * change to its first paths and to all of them (read once the frame that shows them is drawn); an error is shown beside
 * the controls that caused it, and a superseded race ends quietly.
 */

import * as api from './api.js';
import { clearErrors } from './errors.js';
import { tr } from './i18n.js';

/**
 * @param {Object} how
 * @param {{optimizers: Array}} how.body the race the controls ask for (maybe with no runs)
 * @param {Object} [how.posted] what is posted to the stream, if not `body` itself
 * @param {string} [how.path] the stream's path under the API
 * @param {{race: ?Object}} how.current holds the race on screen; set when its first frames
 *   arrive, so the old race stays on screen until then
 * @param {Object} how.player
 * @param {{begin: Function, status: Function}} how.progress
 * @param {Object} how.cause the change that asked for the race
 * @param {() => (number|string|undefined)} how.playhead where the playhead goes when the
 *   race arrives (asked then: whether the player is playing may have changed meanwhile)
 * @param {(meta: Object) => Object} how.build the race model, from the stream's meta line
 * @param {(race: Object) => void} [how.arrived] the race's first frames are on screen
 * @param {(race: Object, summary: Object) => void} [how.finished] the race is complete
 * @param {(error: Error) => void} how.failed shows what went wrong, where it went wrong
 */
export async function runStreamedRace({ body, posted = body, path, current, player, progress,
  cause, playhead, build, arrived = () => {}, finished = () => {}, failed }) {
  const signal = api.supersede('race');
  if (!body.optimizers.length) {
    current.race = null;
    progress.status(tr('race.empty'), 'empty');
    player.load(-1, 0, 0);
    return;
  }
  const { id, began } = progress.begin(cause);
  let race = null;
  // While a slider is dragged the next race is already wanted: a race is drawn once, whole,
  // rather than once per streamed frame line (a drag spent most of its drawing on paths
  // that the next race replaced before anyone could read them).
  const whole = Boolean(cause.drag);
  const show = () => {
    current.race = race;
    race.marks.push({ name: 'race:first-paths', began, id });
    progress.status(tr('race.streaming'), 'streaming');
    player.load(race.available, race.steps, playhead());
    arrived(race);
  };
  progress.status(tr('race.computing'), 'computing');
  try {
    await api.streamRace(posted, {
      meta: (meta) => {
        race = build(meta);
        race.marks = [];
        clearErrors();
      },
      frame: (event) => {
        race.addFrames(event);
        if (current.race === race) player.extend(race.available);
        else if (!whole) show();
      },
      summary: (summary) => {
        race.finish(summary);
        if (current.race !== race) show();
        finished(race, summary);
        race.marks.push({ name: 'race:all-paths', began, id, done: true });
        progress.status('', 'streamed');
        player.extend(race.available);
      },
    }, signal, path);
  } catch (error) {
    if (api.isAbort(error)) return;
    progress.status('', 'error');
    failed(error);
  }
}
