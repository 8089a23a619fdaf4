/**
 * The networks lab: a network race is posted to the stream whenever its settings change;
 * its loss and accuracy curves are drawn as the frames arrive, and when the race is
 * complete, the loss landscape on the chosen plane with every run's projected path, from
 * above or in 3-D. The selected run's decision boundary follows the player's frame.
 *
 * The landscape stays on the last complete race while a new one is computed, so a nudged
 * slider changes the picture once, when the new landscape is there.
 */

import * as api from '../api.js';
import { tr } from '../i18n.js';
import { leftToRight } from '../format.js';
import { showErrors } from '../errors.js';
import { runStreamedRace } from '../racestream.js';
import { stylesOf } from '../palette.js';
import { zScale } from '../plots/scale.js';
import * as contour from '../plots/contour.js';
import { follower } from '../plots/follow.js';
import * as surface3d from '../plots/surface3d.js';
import * as losschart from '../plots/losschart.js';
import * as boundaryPlot from '../plots/boundary.js';
import * as checkChart from '../plots/gradcheck.js';
import { NetworkRace, toCsv } from './race.js';
import { boundaryFeed } from './boundaries.js';
import { datasetEntry, networkRequest, wantsStatistics } from './request.js';
import { nameRuns } from '../request.js';
import * as standings from './standings.js';
import * as layers from './layers.js';
import { networkCheck } from './check.js';

/** The charts' quantities, titled in the page's language (so made once it is loaded). */
const loss = () => ({ key: 'loss', shift: 0, log: 'auto', title: tr('plot.loss'),
  held: 'valLoss' });
const accuracy = () => ({ key: 'accuracy', shift: 0, log: false, title: tr('plot.accuracy'),
  format: '.0%', held: 'valAccuracy' });
/** The standings refresh at most this often (ms) while the race plays. */
const PANEL_INTERVAL = 100;

const percent = (v) => `${Math.round(100 * v)} %`;

/** What the landscape's plane is, for its caption. */
function planeCaption(plane) {
  if (plane.kind === 'pca') {
    const [a, b] = plane.explained ?? [];
    return a === undefined ? tr('netlab.pca_plane')
      : tr('netlab.pca_plane_explained', { a: percent(a), b: percent(b) });
  }
  // the engine names the centre "init" or "final weights of <run>"
  const final = /^final weights of (.+)$/.exec(plane.centre ?? '');
  if (final) return tr('netlab.random_plane_final', { label: final[1] });
  return tr(plane.centre === 'init' ? 'netlab.random_plane_init' : 'netlab.random_plane');
}

/**
 * @param {{catalogues: Object, store: Object, player: Object,
 *   els: {landscape: HTMLElement, landscape3d: HTMLElement, boundary: HTMLElement,
 *     loss: HTMLElement, accuracy: HTMLElement, standings: HTMLElement,
 *     landscapeCaption: HTMLElement, boundaryCaption: HTMLElement, layerHeat: HTMLElement,
 *     layerHist: HTMLElement, layersCaption: HTMLElement, checkPlot: HTMLElement,
 *     checkTable: HTMLElement, checkCaption: HTMLElement},
 *   progress: {begin: Function, status: Function, drawn: Function},
 *   arrived: () => void}} ctx `arrived` hears that a new race is on screen (its network's
 *   size is known)
 */
export function networkLab({ catalogues, store, player, els, progress, arrived }) {
  /** `race`: the latest (maybe still streaming); `complete`: the latest finished one;
   * `boundary`: the decision boundary on screen, with the race, run and frame it is of */
  const current = { race: null, complete: null, boundary: null };
  let panelsDrawn = 0;
  const follow3d = follower(surface3d.render);
  const checker = networkCheck({ plot: els.checkPlot, table: els.checkTable,
    caption: els.checkCaption });

  const feed = boundaryFeed((answer) => {
    current.boundary = answer;
    drawBoundary();
  }, (error) => {
    els.boundaryCaption.textContent = tr('netlab.no_boundary', { error: error.message });
  });

  /** Index in `race` of the selected roster row (its first run if that row is not racing). */
  function selectedIn(race) {
    return Math.max(0, race.runs.findIndex((r) => r.roster === store.state.netSelected));
  }

  /** The data of the race on screen, and the last boundary fetched while it is of the same
   * data (a new race on the same data keeps the old boundary until its own arrives). With no
   * race (every run switched off), the data of the last. */
  function drawBoundary() {
    const { race, complete } = current;
    const same = race && complete && JSON.stringify(race.request.dataset)
      === JSON.stringify(complete.request.dataset);
    const answer = same && current.boundary?.race === complete ? current.boundary : null;
    const drawn = boundaryPlot.render(els.boundary, store.state, {
      dataset: (race ?? complete)?.dataset, held: (race ?? complete)?.validation ?? null,
      boundary: answer?.data ?? null });
    if (answer) {
      const run = complete.runs[answer.run];
      els.boundaryCaption.textContent = tr('netlab.boundary_at', { label: run.info.label,
        step: answer.frame });
      els.boundary.dataset.run = String(answer.run);
      els.boundary.dataset.frame = String(answer.frame);
    } else els.boundaryCaption.textContent = tr('netlab.training_data');
    return drawn;
  }

  /** Every view at frame t; with no race, the last landscape without paths, the data
   * without a boundary, empty charts. */
  function draw(t) {
    const { race, complete } = current;
    const state = store.state;
    const styles = race ? stylesOf(race, state.netRuns, catalogues) : [];
    const jobs = [];
    if (complete) {
      const frame = Math.min(t, complete.steps);
      const shown = { grid: complete.grid, scale: complete.scale, race: race && complete, frame,
        styles: stylesOf(complete, state.netRuns, catalogues), selected: selectedIn(complete) };
      // (the Layers view hides the landscape: drawn there, at no size, Plotly wrote
      // "Infinity" into the axis titles' SVG attributes)
      if (state.netView === '3d') follow3d.follow([els.landscape3d, state, shown]);
      else if (state.netView === 'contour') {
        const start = [complete.runs[0].path[0], complete.runs[0].path[1]];
        jobs.push(contour.render(els.landscape, state, { ...shown, arrows: [],
          start: race ? start : null }));
      }
      if (race === complete) feed.want(complete, selectedIn(complete), frame);
    }
    jobs.push(drawBoundary());
    if (state.netView === 'check' && complete && race === complete) {
      checker.render(state, complete, selectedIn(complete), Math.min(t, complete.steps),
        player.playing);
    }
    if (state.netView === 'layers') {
      jobs.push(layers.render({ heat: els.layerHeat, hist: els.layerHist,
        caption: els.layersCaption }, state, { run: race?.runs[selectedIn(race)] ?? null,
        frame: t }));
    }
    if (!state.presenter || !state.hidden.includes('loss')) {
      jobs.push(losschart.render(els.loss, state, { race, frame: t, styles, quantity: loss() }));
      jobs.push(losschart.render(els.accuracy, state, { race, frame: t, styles,
        quantity: accuracy() }));
    }
    const now = performance.now();
    if (!player.playing || now - panelsDrawn > PANEL_INTERVAL || t >= player.total) {
      panelsDrawn = now;
      standings.render(els.standings, race, t, styles, race ? selectedIn(race) : 0,
        (i, event) => store.update({ netSelected: race.runs[i].roster }, { event }));
    }
    if (race?.marks.length) {
      const marks = race.marks.splice(0);
      Promise.all(jobs).then(() => progress.drawn(marks));
    }
  }

  /** Where the playhead goes when a race arrives: to the end (following the stream) unless
   * it is playing, the page opened on a link's frame, or a scenario opened (step 0). */
  function playheadFor(cause) {
    if (cause.scenario) return 0; // a scenario opens on its question, at step 0
    if (cause.initial) return store.state.frame ?? 'end';
    return player.playing ? undefined : 'end';
  }

  function run(cause) {
    const { body, stream, roster } = networkRequest(store.state, catalogues);
    return runStreamedRace({ body, posted: stream, path: 'networks/races/stream', current,
      player, progress, cause, playhead: () => playheadFor(cause),
      build: (meta) => nameRuns(new NetworkRace(meta, roster, body), catalogues),
      arrived,
      finished: (race, summary) => {
        race.scale = zScale(race.grid);
        current.race = race;
        current.complete = race;
        els.landscapeCaption.textContent = planeCaption(summary.landscape.plane);
      },
      failed: (error) => showErrors(error, roster, '', 'net') });
  }

  return {
    get race() {
      return current.race;
    },
    get boundary() {
      return current.boundary;
    },
    run,
    draw,
    /** Whether the race on screen is the one the state asks for (one with per-layer
     * statistics also serves a state that does not ask for them). */
    fresh() {
      if (!current.race) return false;
      const wanted = networkRequest(store.state, catalogues).body;
      const shown = current.race.request;
      if (wantsStatistics(store.state) && !shown.statistics) return false;
      return JSON.stringify({ ...shown, statistics: null })
        === JSON.stringify({ ...wanted, statistics: null });
    },
    /** The header: the data and the network on screen ("Two moons · 2–16–16–1 tanh net");
     * until a race is shown, the ones the controls ask for. */
    title() {
      const body = current.race?.request ?? networkRequest(store.state, catalogues).body;
      const { hidden, activation } = body.architecture;
      const { activations, architecture, datasets } = catalogues.networks;
      const act = activations.find((a) => a.id === activation);
      const data = datasets.find((d) => d.id === body.dataset.id);
      return tr('netlab.title', { data: data?.name ?? body.dataset.id,
        sizes: leftToRight([architecture.inputs, ...hidden, architecture.outputs].join('–')),
        activation: act?.name ?? activation });
    },
    exports: {
      images: async () => {
        const view = store.state.netView;
        let shown;
        if (view === 'layers') shown = layers.toImage({ heat: els.layerHeat, hist: els.layerHist });
        else if (view === 'check') shown = checkChart.toImage(els.checkPlot);
        else if (view === '3d') shown = surface3d.toImage(els.landscape3d);
        else shown = contour.toImage(els.landscape);
        return [await shown, await boundaryPlot.toImage(els.boundary)];
      },
      report: () => (current.race ? api.networkRace(current.race.request) : null),
      csv: () => (current.race ? toCsv(current.race) : null),
      name: () => `descent-lab-${datasetEntry(store.state, catalogues).id}-network`,
    },
  };
}
