/**
 * Wiring: the catalogues are fetched, the state is read from the URL (or the first lecture
 * scenario is set up), and from then on every state change flows one way — state → grid and
 * race requests → data → the player's frame → every view drawn at that frame. The surfaces
 * lab is wired here; the networks lab (networks/lab.js) shares the player, the roster, the
 * transport, presenter mode and the exports; the maps lab (maps/lab.js) the roster, the
 * surface panel and the exports.
 */

import * as api from './api.js';
import { createStore, effectOf, fromHash, toHash } from './state.js';
import { stylesOf } from './palette.js';
import { num, pair } from './format.js';
import { defaultRoster, defaultStart, fullHyperparameters, fullSchedule, GRID_RESOLUTION,
  nameRuns, raceRequest, stateFromScenario, surfaceEntry, surfaceSpec } from './request.js';
import { Race, toCsv } from './race.js';
import { runStreamedRace } from './racestream.js';
import { createPlayer } from './player.js';
import { coalesce, switchGroup, throttle } from './dom.js';
import { clearErrors, onReveal, setFallback, showErrors } from './errors.js';
import { zScale } from './plots/scale.js';
import { onResize } from './plots/size.js';
import { legendOf } from './plots/legend.js';
import * as contour from './plots/contour.js';
import * as surface3d from './plots/surface3d.js';
import { follower } from './plots/follow.js';
import * as losschart from './plots/losschart.js';
import * as leaderboard from './leaderboard.js';
import * as inspector from './inspector.js';
import { checkPanel } from './gradcheck.js';
import { surfaceControl } from './controls/surface.js';
import { rosterControl } from './controls/roster.js';
import { gradientControl } from './controls/gradient.js';
import { transportControl } from './controls/transport.js';
import { scenarioControl } from './controls/scenarios.js';
import { presenterControl } from './controls/presenter.js';
import { exportControl } from './controls/exporter.js';
import { tabs } from './controls/tabs.js';
import { drawer } from './controls/drawer.js';
import { networkControl } from './controls/network.js';
import { networkSettingsControl } from './controls/netsettings.js';
import { networkLab } from './networks/lab.js';
import { firstRoster, networkHyperparameters } from './networks/request.js';
import { mapLab } from './maps/lab.js';
import { firstMapRoster } from './maps/request.js';
import { mapSettingsControl } from './controls/mapsettings.js';
import { searchPanels } from './maps/search.js';
import { browserLanguage, currentLanguage, loadLanguage, tr, translatePage } from './i18n.js';
import { languageControl } from './controls/language.js';
import { compareLab } from './compare.js';

/** Slider drags re-run at most this often (ms), one race at a time; the last value always
 * runs. A network race takes a good part of a second: a drag asks for one less often. */
const DRAG_INTERVAL = 40;
const NETWORK_DRAG_INTERVAL = 150;
const MAP_DRAG_INTERVAL = 250;
/** The 3-D view stays still while a slider or the start is dragged, and this long after (ms). */
const DRAG_HOLD = 250;
/** The share of the time the 3-D view may spend drawing when it is the only view (the loss
 * chart and the panels keep the rest). */
const THREE_D_ALONE = 0.75;
/** Its share beside the contour, which leads there. In software WebGL each 3-D redraw holds
 * the page until the picture is read back for compositing (traced: 100–250 ms on a loaded
 * 2-core machine), so playback runs at about (1 − share) of its rate: a third left 20 frames
 * a second where the contour alone ran 28. */
const THREE_D_BESIDE = 0.2;
/** From this height (px) the lesson and the inspector are shown together instead of as tabs. */
const STACK_FROM = 860;
/** Leaderboard and inspector refresh at most this often (ms) while the race plays. */
const PANEL_INTERVAL = 100;

const $ = (id) => document.getElementById(id);
const els = {
  contour: $('contour'), contourB: $('contour-b'), surface: $('surface3d'), loss: $('loss'), board: $('leaderboard'),
  inspector: $('inspector'), check: $('check'), views: $('views'), title: $('race-title'), toast: $('toast'),
  landscape: $('landscape'), boundary: $('boundary'), accuracy: $('accuracy'),
  standings: $('standings'), landscapeCaption: $('landscape-caption'),
  boundaryCaption: $('boundary-caption'), landscape3d: $('landscape3d'),
  netViews: $('net-views'), layerHeat: $('layer-heat'), layerHist: $('layer-hist'),
  layersCaption: $('layers-caption'), checkPlot: $('net-check-plot'),
  checkTable: $('net-check-table'), checkCaption: $('net-check-caption'), map: $('map'), mapCaption: $('map-caption'),
  mapReadout: $('map-readout'),
};

/** The header's switches: which view of the surface, which lab, which view of a landscape. */
const switches = {
  layout: switchGroup('layout-switch', 'layout'), lab: switchGroup('lab-switch', 'lab'),
  netView: switchGroup('net-view-switch', 'view'),
};

let toastTimer = 0;
/** A short message at the bottom of the page. */
function say(text) {
  els.toast.textContent = text;
  els.toast.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => els.toast.classList.remove('show'), 3500);
}

/**
 * A lab's roster from a link, made whole: runs of unknown optimizers are dropped (and
 * reported), hyperparameters and schedule parameters the link leaves out take the
 * catalogue's defaults (`start`: a fresh run's hyperparameters).
 */
function completeRuns(runs, catalogues, start) {
  const known = runs.filter((r) => catalogues.optimizers.some((o) => o.id === r.id));
  if (known.length < runs.length) say(tr('app.unknown_optimizer'));
  return known.map((run) => {
    const optimizer = catalogues.optimizers.find((o) => o.id === run.id);
    return { ...run, hp: fullHyperparameters(optimizer, { ...start(optimizer), ...run.hp }),
      schedule: run.schedule ? fullSchedule(catalogues, run.schedule) : null };
  });
}

/** A state from a link, made whole; the surfaces and networks labs, opened with no roster,
 * get their first. */
function completeState(state, catalogues) {
  const netRuns = completeRuns(state.netRuns, catalogues,
    (o) => networkHyperparameters(o, catalogues));
  const mapRuns = completeRuns(state.mapRuns, catalogues, (o) => fullHyperparameters(o));
  const linked = completeRuns(state.runs, catalogues, (o) => fullHyperparameters(o));
  const runs = linked.length || state.lab !== 'surfaces' ? linked
    : defaultRoster(state, catalogues);
  return { ...state, runs,
    netRuns: netRuns.length || state.lab !== 'networks' ? netRuns : firstRoster(catalogues),
    mapRuns: mapRuns.length || state.lab !== 'maps' ? mapRuns
      : firstMapRoster({ ...state, runs }, catalogues) };
}

/** A start point rounded to what the plot can show, so links stay short. */
function tidyPoint(point, view) {
  const extent = Math.max(view.x[1] - view.x[0], view.y[1] - view.y[0]);
  const digits = Math.max(0, 3 - Math.floor(Math.log10(extent)));
  return point.map((v) => Number(v.toFixed(digits)));
}

async function boot() {
  const link = fromHash(window.location.hash);
  let catalogues;
  try {
    await loadLanguage(link.state.lang ?? browserLanguage());
    translatePage();
    catalogues = await api.catalogues(currentLanguage());
  } catch (error) {
    document.body.classList.remove('loading');
    $('race-error').textContent = tr('app.start_failed', { error: error.message });
    return;
  }
  // a first visit opens on the catalogue's first scenario, its introduction
  const first = catalogues.scenarios[0];
  const store = createStore({ ...(link.present ? completeState(link.state, catalogues)
    : stateFromScenario(first, catalogues)), lang: currentLanguage() });
  if (link.rejected.length) {
    say(tr('app.link_rejected', { parts: link.rejected.join(', ') }));
  }

  const current = { grid: null, gridKey: '', scale: null, race: null, status: '', phase: '' };
  const perf = { races: 0 };
  const ctx = { catalogues, store };

  /** The race of the lab on screen. */
  const onScreen = () => (store.state.lab === 'networks' ? networks.race : current.race);
  const player = createPlayer({
    draw: (t) => drawFrame(t),
    changed: () => {
      if (!player.playing && onScreen()?.done) {
        store.update({ frame: player.frame }, { player: true });
      }
      transport.update(current.status);
    },
  });
  player.setSpeed(store.state.speed);
  player.setLoop(store.state.loop);

  const surfacePanel = surfaceControl($('surface-panel'), ctx);
  const roster = rosterControl($('roster-panel'), ctx);
  const gradient = gradientControl($('gradient-panel'), ctx);
  const networkPanel = networkControl($('network-panel'), ctx);
  const networkSettings = networkSettingsControl($('netsettings-panel'), ctx);
  const transport = transportControl($('transport'), { store, player });
  const scenarioCard = scenarioControl({ card: $('scenario-card'), dialog: $('gallery'),
    opener: $('scenarios-open'), showPanel }, ctx);
  const presenter = presenterControl($('presenter'), ctx);
  const checker = checkPanel(els.check);
  languageControl($('language'), ctx);
  const progress = {
    /** A new race: its number, and when the change that asked for it happened. */
    begin(cause) {
      perf.races += 1;
      return { id: perf.races, began: cause.event?.timeStamp ?? performance.now() };
    },
    status: (text, phase) => setStatus(text, phase),
    drawn: (marks) => markDrawn(marks),
  };
  const networks = networkLab({ catalogues, store, player, els, progress,
    arrived: () => {
      networkPanel.update(store.state, networks.race);
      titleText();
    } });
  const surfaceExports = {
    images: async () => [await contour.toImage(els.contour),
      ...(els.surface.offsetParent !== null && els.surface.clientWidth > 0
        ? [await follow3d.flush().then(() => surface3d.toImage(els.surface))] : [])],
    report: () => (current.race ? api.race({ ...current.race.request, frame_steps: undefined })
      : null),
    csv: () => (current.race ? toCsv(current.race) : null),
    caption: () => {
      const race = current.race;
      if (!race) return null;
      const styles = stylesOf(race, store.state.runs, catalogues);
      const drawn = els.contour.drawn ?? { critical: [], outcomes: [] };
      const settings = (run) => Object.entries(run.info.hyperparameters)
        .filter(([k]) => ['lr', 'momentum', 'decay', 'beta1', 'beta2', 'damping'].includes(k))
        .map(([k, v]) => `${k} ${num(v, 3)}`).join(', ');
      return { title: els.title.textContent,
        subtitle: tr('export.subtitle', { frame: Math.min(player.frame, race.steps),
          steps: race.steps, start: pair(...race.start, 3) }),
        runs: race.runs.map((run, i) => ({ style: styles[i],
          text: `${run.info.label} (${settings(run)})` })),
        critical: drawn.critical, outcomes: drawn.outcomes };
    },
    name: () => `descent-lab-${store.state.scenario || surfaceEntry(store.state, catalogues)?.id
      || 'formula'}`,
  };
  const compare = compareLab({ catalogues, store, redraw: () => player.redraw(),
    els: { view: $('compare-view'), bar: $('compare-bar'), captionA: $('ab-caption-a') } });
  const mapPanel = mapSettingsControl($('map-panel'), ctx);
  const searches = searchPanels({ search: $('map-search'), compare: $('map-compare') },
    { catalogues, store, redraw: () => maps.draw() });
  const maps = mapLab({ catalogues, store, say, arrived: () => titleText(),
    trials: () => searches.trials(), els: { map: els.map,
    caption: els.mapCaption, readout: els.mapReadout, legend: legendOf(els.map) } });
  const exporting = () => ({ networks: networks.exports, maps: maps.exports })[store.state.lab]
    ?? surfaceExports;
  const exporter = exportControl($('export'), { say, images: () => exporting().images(),
    report: () => exporting().report(), csv: () => exporting().csv(),
    npz: () => exporting().npz?.() ?? null, offers: (what) => Boolean(exporting()[what]),
    name: () => exporting().name(), caption: () => exporting().caption?.() ?? null });
  setFallback($('race-error'));
  const leftTabs = tabs($('left'), 'roster');
  const rightTabs = tabs($('right'), 'scenario', STACK_FROM);
  /** Show a panel of the right side, bringing it back if presenter mode had hidden it. */
  function showPanel(panel) {
    const group = $('right').querySelector(`[data-panel=${panel}]`)?.dataset.presenter ?? panel;
    if (store.state.presenter && store.state.hidden.includes(group)) {
      store.update({ hidden: store.state.hidden.filter((k) => k !== group) });
    }
    rightTabs.show(panel);
    player.redraw(); // (a panel behind its tab is not drawn: it is now)
  }
  const controls = drawer($('drawer-toggle'), $('left'));
  onReveal((slot) => {
    const panel = slot.closest('#left > section[data-panel]');
    if (panel) {
      leftTabs.show(panel.dataset.panel);
      controls.open();
    }
  });

  const follow3d = follower(surface3d.render);

  let panelsDrawn = 0;
  function drawFrame(t) {
    const state = store.state;
    if (state.lab === 'maps') return;
    if (state.lab === 'networks') {
      networks.draw(t);
      transport.update(current.status);
      scenarioCard.update(state, networks.race, t);
      return;
    }
    const race = current.race && current.race.gridKey === current.gridKey ? current.race : null;
    const styles = race ? stylesOf(race, state.runs, catalogues) : [];
    const selected = race ? Math.max(0, race.runs.findIndex((r) => r.roster === state.selected))
      : 0;
    const start = state.start ?? defaultStart(state, catalogues);
    const shown = { grid: current.grid, scale: current.scale, race, frame: t, styles, selected };
    const scenario = catalogues.scenarios.find((s) => s.id === state.scenario);
    const inset = scenario?.inset ?? 0;
    const drawn = contour.render(els.contour, state, { ...shown, start, inset,
      arrows: race ? inspector.arrowsAt(race, selected, t, catalogues, styles) : [] });
    const b = compare.active() ? compare.shown() : null;
    if (b) {
      contour.render(els.contourB, state, { grid: b.grid, scale: b.scale, race: b.race,
        frame: t, styles: stylesOf(b.race, state.runs, catalogues), selected, start, inset,
        arrows: [] });
    }
    if (race?.marks.length) drawn.then(() => markDrawn(race.marks.splice(0)));
    // the 3-D waits for the race to be complete: redrawing it while the stream still arrives
    // would hold back the contour, which shows the streamed frames first
    if (!['contour', 'ab'].includes(state.layout)
      && !['computing', 'streaming'].includes(current.phase)) {
      follow3d.follow([els.surface, state, shown],
        state.layout === '3d' ? THREE_D_ALONE : THREE_D_BESIDE);
    }
    if (!state.presenter || !state.hidden.includes('loss')) {
      losschart.render(els.loss, state, shown);
    }
    // Text panels change too fast to read during playback: ten times a second is plenty.
    const now = performance.now();
    if (!player.playing || now - panelsDrawn > PANEL_INTERVAL || t >= player.total) {
      panelsDrawn = now;
      leaderboard.render(els.board, race, t, styles);
      // (behind another tab it would be typeset for nobody: its tab redraws it when chosen)
      if (!els.inspector.closest('.tab-hidden')) {
        inspector.render(els.inspector, race, selected, t, catalogues, styles);
      }
      if (!els.check.closest('.tab-hidden')) {
        checker.render(state, race, selected, t, styles, player.playing);
      }
      scenarioCard.update(state, race, t);
    }
    transport.update(current.status);
  }

  /**
   * Record how long a race took from the input event to the screen, once the frame that
   * shows it has been painted (the next animation frame): the measures the benchmark reads.
   * A finished race is announced on <body> for the browser tests.
   */
  function markDrawn(marks) {
    requestAnimationFrame(() => {
      for (const m of marks) {
        performance.measure(m.name, { start: m.began, detail: { id: m.id } });
        if (m.done && m.id === perf.races) {
          document.body.dataset.raceId = String(m.id);
          setStatus('', 'ready');
        }
      }
    });
  }

  function setStatus(status, phase) {
    current.status = status;
    current.phase = phase;
    document.body.dataset.race = phase;
    transport.update(status);
  }

  /** The header names what the plots show: the scenario, and the surface on screen (or the
   * network's data and shape). */
  function titleText() {
    if (store.state.lab === 'networks') {
      els.title.textContent = networks.title();
      return;
    }
    if (store.state.lab === 'maps') {
      els.title.textContent = maps.title();
      return;
    }
    const scenario = catalogues.scenarios.find((s) => s.id === store.state.scenario);
    const shown = current.grid?.surface;
    // (the catalogue has the surface's name in the page's language; the grid, in English)
    const surface = !shown ? '' : shown.expression ? `f(x, y) = ${shown.expression.plain}`
      : catalogues.surfaces.find((entry) => entry.id === shown.id)?.name ?? shown.name;
    els.title.replaceChildren(...(scenario ? [scenario.title, ' · '] : []), surface);
  }

  async function loadGrid() {
    const spec = surfaceSpec(store.state, catalogues);
    const key = JSON.stringify(spec);
    if (key === current.gridKey) return;
    const signal = api.supersede('grid');
    try {
      const grid = await api.grid(spec, GRID_RESOLUTION, signal);
      clearErrors('surface');
      Object.assign(current, { grid, gridKey: key, scale: zScale(grid) });
      surfacePanel.update(store.state, grid);
      titleText();
      player.redraw();
    } catch (error) {
      if (!api.isAbort(error)) showErrors(error, [], spec.expression ?? '');
    }
  }

  /** Where the playhead goes when a new race arrives. */
  function playheadFor(cause) {
    if (cause.scenario) return 0;
    if (cause.initial) return store.state.frame ?? 'end';
    return player.playing ? undefined : 'end';
  }

  function runRace(cause) {
    const { body, roster: rows } = raceRequest(store.state, catalogues);
    const gridKey = JSON.stringify(body.surface);
    return runStreamedRace({ body, current, player, progress, cause,
      playhead: () => playheadFor(cause),
      build: (meta) => Object.assign(nameRuns(new Race(meta, rows, body), catalogues),
        { gridKey }),
      arrived: (race) => roster.warn(race),
      failed: (error) => showErrors(error, rows, store.state.expression) });
  }

  const dragRace = coalesce(runRace, DRAG_INTERVAL);
  const dragGrid = throttle(loadGrid, DRAG_INTERVAL);
  const dragNetwork = throttle(networks.run, NETWORK_DRAG_INTERVAL);
  const dragMap = throttle(maps.run, MAP_DRAG_INTERVAL);

  /** The lab on screen changed: show its race, or run it if its settings changed meanwhile. */
  function enterLab(cause) {
    if (store.state.lab === 'maps') {
      player.pause();
      loadGrid();
      if (maps.fresh()) maps.draw();
      else maps.run(cause);
      return;
    }
    if (store.state.lab === 'networks') {
      if (networks.fresh()) player.load(networks.race.available, networks.race.steps, 'end');
      else networks.run(cause);
      return;
    }
    loadGrid();
    const { body } = raceRequest(store.state, catalogues);
    if (current.race && JSON.stringify(current.race.request) === JSON.stringify(body)) {
      player.load(current.race.available, current.race.steps, 'end');
    } else runRace(cause);
  }

  let hashTimer = 0;
  let written = '';
  function writeHash(push) {
    clearTimeout(hashTimer);
    hashTimer = setTimeout(() => {
      written = toHash(store.state);
      if (written === window.location.hash) return;
      if (push) window.history.pushState(null, '', written);
      else window.history.replaceState(null, '', written);
    }, push ? 0 : 250);
  }
  window.addEventListener('hashchange', () => {
    if (window.location.hash === written) return;
    // (Back, then Forward to the hash written last, must be heard too)
    written = window.location.hash;
    const parsed = fromHash(window.location.hash);
    store.update(completeState(parsed.state, catalogues), { fromHash: true, initial: true });
  });

  /** Bring every control in line with the state; `changed` (the state's changed keys; all
   * when absent) spares the work that cannot have changed while a slider is dragged. */
  function syncControls(changed = null) {
    const state = store.state;
    document.body.dataset.lab = state.lab;
    surfacePanel.update(state, current.grid);
    networkPanel.update(state, networks.race);
    networkSettings.update(state);
    mapPanel.update(state);
    exporter.refresh();
    roster.update(state);
    gradient.update(state);
    presenter.update(state);
    // (a refresh measures the panels: a forced layout on every input event of a drag)
    if (!changed || ['lab', 'presenter', 'hidden'].some((key) => changed.has(key))) {
      leftTabs.refresh();
      rightTabs.refresh();
    }
    scenarioCard.update(state, state.lab === 'networks' ? networks.race : current.race,
      player.frame);
    els.views.dataset.layout = state.layout;
    els.netViews.dataset.view = state.netView;
    switches.layout.press(state.layout);
    switches.lab.press(state.lab);
    switches.netView.press(state.netView);
    titleText();
  }

  store.subscribe((changed) => {
    if (!changed.has('lang') || store.state.lang === currentLanguage()) return;
    // a new language rebuilds the page from the link: every panel and catalogue text
    window.history.replaceState(null, '', toHash(store.state));
    window.location.reload();
  });
  store.subscribe((changed, cause) => {
    const state = store.state;
    const effect = effectOf(changed, state.lab);
    if (cause.scenario) {
      player.pause();
      rightTabs.show('scenario');
      // a map lesson that continues in the search or compare panel: its trials on the map
      const panel = catalogues.scenarios.find((s) => s.id === state.scenario)?.map?.panel;
      if (state.lab === 'maps' && panel) searches.run(panel);
    } else if (changed.has('selected') && cause.event) rightTabs.show('inspector');
    if (cause.drag) follow3d.hold(DRAG_HOLD);
    if (changed.has('speed')) player.setSpeed(state.speed);
    if (changed.has('loop')) player.setLoop(state.loop);
    syncControls(changed);
    if (changed.has('lab')) enterLab(cause);
    else if (state.lab === 'maps') {
      if (effect === 'grid') loadGrid();
      if (!maps.fresh()) (cause.drag ? dragMap : maps.run)(cause);
      else if (changed.has('presenter') || changed.has('mapRuns')) maps.draw();
    } else if (state.lab === 'networks') {
      if (effect !== 'display') (cause.drag ? dragNetwork : networks.run)(cause);
      // the Layers view needs a race that recorded per-layer statistics
      else if (changed.has('netView') && !networks.fresh()) networks.run(cause);
    } else {
      if (effect === 'grid') (cause.drag ? dragGrid : loadGrid)();
      if (effect !== 'display' && cause.drag) dragRace(cause);
      else if (effect !== 'display') {
        dragRace.cancel();
        runRace(cause);
      }
    }
    compare.sync();
    if (changed.has('frame') && !cause.player && state.frame !== null) player.seek(state.frame);
    // (a race-changing edit is drawn when its race arrives: a redraw now would only delay it)
    else if (effect === 'display') player.redraw();
    if (!cause.fromHash) writeHash(Boolean(cause.scenario) || changed.has('lab'));
  });

  switches.layout.onChoose((layout, event) => store.update({ layout }, { event }));
  switches.netView.onChoose((netView, event) => store.update({ netView }, { event }));
  switches.lab.onChoose((lab, event) => {
    const first = lab === 'networks' && !store.state.netRuns.length;
    const firstMap = lab === 'maps' && !store.state.mapRuns.length;
    store.update({ lab, ...(first ? { netRuns: firstRoster(catalogues), netSelected: 0 } : {}),
      ...(firstMap ? { mapRuns: firstMapRoster(store.state, catalogues), mapSelected: 0 } : {}) },
    { event });
  });

  contour.onPick(els.contour, (point, phase, event) => {
    if (!current.grid) return;
    store.update({ start: tidyPoint(point, current.grid.surface.view) },
      { event, drag: phase === 'move' });
  });
  els.loss.addEventListener('pointerdown', (event) => {
    const step = losschart.stepAt(els.loss, event);
    if (step !== null) player.seek(step);
  });

  for (const tab of ['inspector', 'check']) {
    $('right').querySelector(`[data-tab=${tab}]`)?.addEventListener('click', () => player.redraw());
  }

  onResize(() => {
    rightTabs.refresh();
    if (store.state.lab === 'maps') maps.draw();
    else player.redraw();
  });

  /** For the browser tests and the benchmark: the live objects, read-only by convention. */
  window.descentLab = { store, player, current, catalogues, networks, maps, compare };

  syncControls();
  document.body.classList.remove('loading');
  if (store.state.lab === 'networks') networks.run({ initial: true });
  else if (store.state.lab === 'maps') enterLab({ initial: true });
  else {
    loadGrid();
    runRace({ initial: true, scenario: !link.present });
    compare.sync();
  }
}

boot();
