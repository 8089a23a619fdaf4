/**
 * The maps lab: where every start, or every setting, leads. Whenever its settings change the
 * map is posted to its stream; the coarse pass is drawn at once and the full resolution
 * fills in band by band, with a progress line. A box dragged on the map asks for that
 * rectangle at full resolution (a double click backs out to the whole); a click on a cell
 * opens its race in the surfaces lab, and the lab switch comes back to the same map.
 */

import * as api from '../api.js';
import { tr } from '../i18n.js';
import { clearErrors, showErrors } from '../errors.js';
import { rowStyle } from '../palette.js';
import { leftToRight, num, pair } from '../format.js';
import * as mapplot from '../plots/mapplot.js';
import { MapData } from './mapdata.js';
import { categoriesOf, cellValues, countCategories } from './cells.js';
import { fillMapLegend, legendEntries, pointName, statusName } from './legend.js';
import {
  axisParam, axisSpan, mapAxes, mapRequest, mapRun, runValue,
} from './request.js';

/** Bands of rows are drawn at most this often (ms) while they stream in. */
const DRAW_INTERVAL = 120;

/** An error's place in the page: the optimizer's fields are its roster row's; the surface's
 * and the start's are the surface panel's; the rest are the map panel's (`map.…`). */
function placeErrors(error, roster, expression) {
  const ofSurface = (item) => ['surface', 'start'].includes(item.loc[1]);
  const moved = error.detail.map((item) => (item.loc[1] === 'optimizer'
    ? { ...item, loc: ['body', 'optimizers', 0, ...item.loc.slice(2)] } : item));
  showErrors({ detail: moved.filter(ofSurface) }, roster, expression);
  showErrors({ detail: moved.filter((item) => !ofSurface(item)) }, roster, expression, 'map');
}

/**
 * @param {{catalogues: Object, store: Object, say: (text: string) => void,
 *   arrived: () => void, trials: () => ?Object,
 *   els: {map: HTMLElement, caption: HTMLElement, legend: HTMLElement,
 *     readout: HTMLElement}}} ctx
 */
export function mapLab({ catalogues, store, els, say, arrived, trials = () => null }) {
  /** `map`: the map on screen (maybe still streaming); `asked`: the request last posted */
  const current = { map: null, asked: '' };
  let drawnAt = 0;
  let maps = 0;

  const optimizerOf = (id) => catalogues.optimizers.find((o) => o.id === id);

  /** The mapped run's current setting on a hyperparameter map (lr_x and lr_y default to lr). */
  function setting(map) {
    if (map.kind !== 'hyperparameters') return null;
    const state = store.state;
    const run = mapRun(state);
    if (!run || run.id !== map.optimizer.optimizer) return null;
    const style = rowStyle(state.mapRuns, state.mapRuns.indexOf(run), catalogues);
    const names = [map.request.x.name, map.request.y.name];
    const [x, y] = names.map((n) => runValue(run, n));
    // off the map's rectangle (a zoom, a scenario's axes) it has no mark, so no legend entry
    const within = (axis, v) => v >= Math.min(axis.lo, axis.hi) && v <= Math.max(axis.lo, axis.hi);
    if (!within(map.request.x, x) || !within(map.request.y, y)) return null;
    return { x, y, style,
      text: tr('maplab.current_setting', {
        // (the brackets inside the left-to-right run: outside it, a right-to-left page
        // turned the closing one around)
        values: leftToRight(`(${names[0]} ${num(x, 3)}, ${names[1]} ${num(y, 3)})`) }) };
  }

  /** The mapped run's name: the person's label, else its optimizer's name in the page's
   * language (the server's default label is English). */
  const runLabel = (map) => (map.request.optimizer?.label ? map.optimizer.label
    : optimizerOf(map.optimizer.optimizer)?.name ?? map.optimizer.label);

  /** The categories of the cells on screen and how many cells each has. */
  function counted(map, categories) {
    const source = map.overview();
    if (!source) return categories.map(() => 0);
    return countCategories(cellValues(source, map.statuses, map.points.length, map.steps),
      categories.length);
  }

  /** How big the map is: its cells, and the steps of each cell's run. */
  function extent(map) {
    const cells = `${map.resolution} × ${map.kind === 'basins' || map.request.y
      ? map.resolution : 1}`;
    return tr(map.kind === 'basins' ? 'maplab.extent_basins' : 'maplab.extent_settings',
      { cells, count: map.steps });
  }

  function caption(map) {
    if (!map.done) {
      return tr('maplab.computing', { extent: extent(map),
        percent: Math.round(100 * map.progress) });
    }
    return tr('maplab.caption', { extent: extent(map) });
  }

  function draw() {
    const map = current.map;
    if (!map) return Promise.resolve();
    drawnAt = performance.now();
    const categories = categoriesOf(map.points, map.statuses, map.statusColors, map.palest);
    const mark = setting(map);
    const search = map.kind === 'hyperparameters' ? trials() : null;
    const drawn = mapplot.render(els.map, map, { categories, setting: mark, search,
      presenter: store.state.presenter });
    mapplot.listen(els.map, { onZoom: zoom, onPick: pick, onHover: hover });
    fillMapLegend(els.legend, legendEntries(map, categories, counted(map, categories), mark,
      search));
    els.caption.textContent = caption(map);
    return drawn;
  }

  function run() {
    const asked = mapRequest(store.state, catalogues);
    if (!asked) {
      current.map = null;
      current.asked = '';
      els.caption.textContent = tr('maplab.switch_on');
      return;
    }
    current.asked = JSON.stringify(asked.body);
    const signal = api.supersede('map');
    document.body.dataset.map = 'computing';
    els.caption.textContent = tr('maplab.computing_map');
    let map = null;
    api.streamRace(asked.body, {
      meta: (meta) => {
        map = new MapData(meta, asked.body);
        clearErrors('map', 'runs', 'surface', 'start');
      },
      coarse: (event) => {
        map.addCoarse(event);
        current.map = map;
        draw();
        arrived();
      },
      tile: (event) => {
        map.addTile(event);
        if (performance.now() - drawnAt > DRAW_INTERVAL) draw();
      },
      summary: (summary) => {
        map.finish(summary);
        draw().then(() => {
          maps += 1;
          document.body.dataset.mapId = String(maps);
          document.body.dataset.map = 'ready';
        });
      },
    }, signal, asked.path).catch((error) => {
      if (api.isAbort(error)) return;
      document.body.dataset.map = 'error';
      current.asked = '';
      placeErrors(error, asked.roster, store.state.expression);
    });
  }

  /** A box dragged on the map: that rectangle, at full resolution; null: the whole again. */
  function zoom(box) {
    const state = store.state;
    if (state.mapKind === 'basins') {
      store.update({ mapRegion: box ? [...box.x.sort((a, b) => a - b),
        ...box.y.sort((a, b) => a - b)] : null });
      return;
    }
    const optimizer = optimizerOf(mapRun(state)?.id);
    if (!optimizer) return;
    const axes = mapAxes(state, catalogues);
    const within = (axis, lohi) => {
      const p = axisParam(optimizer, axis.name);
      if (!lohi) {
        return { ...axisSpan(p, runValue(mapRun(state), axis.name)), scale: axis.scale };
      }
      const [lo, hi] = lohi.sort((a, b) => a - b);
      return { ...axis, lo: Math.max(lo, p.min), hi: Math.min(hi, p.max) };
    };
    store.update({ mapX: within(axes.x, box?.x), mapY: within(axes.y, box?.y) });
  }

  /** A click on a cell: its race — that start, or those settings — in the surfaces lab. */
  function pick(x, y) {
    const map = current.map;
    const state = store.state;
    const base = mapRun(state);
    if (!map?.done || !base) return;
    const patch = { lab: 'surfaces', scenario: '', steps: map.steps, selected: 0, frame: null,
      clipNorm: null, clipValue: null, noise: 0 };
    let label;
    if (map.kind === 'basins') {
      patch.start = [x, y].map((v) => Number(v.toPrecision(6)));
      label = tr('maplab.cell_label', { optimizer: optimizerOf(base.id).name,
        point: pair(...patch.start, 3) });
      patch.runs = [{ ...base, label, on: true }];
    } else {
      const [xn, yn] = [map.request.x.name, map.request.y.name];
      const hp = { ...base.hp, [xn]: Number(x.toPrecision(6)), [yn]: Number(y.toPrecision(6)) };
      label = `${xn} ${num(hp[xn], 3)}, ${yn} ${num(hp[yn], 3)}`;
      patch.runs = [{ ...base, hp, label, on: true }];
      patch.start = map.summary.start;
    }
    store.update(patch, { mapCell: true });
    say(tr('maplab.cell_race', { label }));
  }

  /** What the cell under the pointer ended as, in words. */
  function hover(x, y, trace, index) {
    const map = current.map;
    if (x === null || !map) {
      els.readout.textContent = tr('map.readout_hint');
      return;
    }
    const source = trace === 'coarse' ? map.coarse.cells : map.fine()?.cells;
    if (!source || !Array.isArray(index)) return;
    const k = index[0] * source.cols + index[1];
    const point = map.points[source.basin[k]];
    const where = map.kind === 'basins' ? tr('maplab.where_start', { point: pair(x, y, 3) })
      : `${map.request.x.name} ${num(x, 3)}, ${map.request.y.name} ${num(y, 3)}`;
    const after = source.step[k] >= 0;
    const key = `maplab.readout${point ? '_at' : ''}${after ? '_after' : ''}`;
    els.readout.textContent = tr(key, { where, status: statusName(map.statuses[source.status[k]]),
      name: point ? pointName(point.kind) : '', point: point ? pair(...point.point, 3) : '',
      steps: source.step[k], loss: num(source.loss[k], 3) });
  }

  /** The header: the surface, and the run mapped ("Himmelblau · basins of SGD", "Rotated
   * ravine · Momentum: lr × momentum"). */
  function title() {
    const map = current.map;
    if (!map) return tr('lab.maps');
    const surface = map.surface.expression ? `f(x, y) = ${map.surface.expression.plain}`
      : catalogues.surfaces.find((e) => e.id === map.surface.id)?.name ?? map.surface.name;
    const label = runLabel(map);
    return map.kind === 'basins' ? tr('maplab.title_basins', { surface, label })
      : `${surface} · ${label}: ${map.request.x.name} × ${map.request.y.name}`;
  }

  return {
    get map() {
      return current.map;
    },
    run,
    draw,
    /** Whether the map on screen (or on its way) is the one the state asks for. */
    fresh() {
      const asked = mapRequest(store.state, catalogues);
      return Boolean(asked) && JSON.stringify(asked.body) === current.asked;
    },
    title,
    exports: {
      images: async () => [await mapplot.toImage(els.map)],
      report: () => (current.map ? api.mapDocument(current.map.kind, current.map.request)
        : null),
      csv: () => (current.map ? api.mapExport(current.map.kind, current.map.request, 'csv')
        : null),
      npz: () => (current.map ? api.mapExport(current.map.kind, current.map.request, 'npz')
        : null),
      caption: () => {
        const map = current.map;
        if (!map) return null;
        const categories = categoriesOf(map.points, map.statuses, map.statusColors, map.palest);
        const settings = Object.entries(map.optimizer.hyperparameters)
          .map(([name, value]) => `${name} ${num(value, 3)}`).join(', ');
        return { title: title(), subtitle: `${extent(map)} · ${runLabel(map)}: ${settings}`,
          runs: [], critical: [], outcomes: [],
          extra: legendEntries(map, categories, counted(map, categories), setting(map),
            map.kind === 'hyperparameters' ? trials() : null) };
      },
      name: () => `descent-lab-${current.map?.surface.id ?? 'formula'}-${current.map?.kind
        ?? 'map'}`,
    },
  };
}
