/**
 * Two questions a map alone does not answer, each a panel of the maps lab.
 *
 * Search: with the same budget of trials, does a grid or random search find the better
 * setting (Bergstra & Bengio)? Both searches run over the map's two axes from the map's
 * start, many times; the trials of the first repeat and the best each found are drawn on
 * the hyperparameter map, and the panel says how often random's best beat grid's.
 *
 * Compare: is one optimizer really better, or only better tuned? Every switched-on run of
 * the roster is tuned by random search with the same budget on the surface's suggested
 * starts, then judged from a grid of held-out starts; the panel draws, per optimizer, the
 * share of those runs converged by each step (an ECDF), in the optimizer's own colour.
 */

import * as api from '../api.js';
import { h } from '../dom.js';
import { tr } from '../i18n.js';
import { num } from '../format.js';
import { clearErrors, registerSlot, showErrors } from '../errors.js';
import { rowStyle } from '../palette.js';
import { numericField } from '../controls/numeric.js';
import { mapRequest } from './request.js';
import { runSpecs } from '../request.js';
import * as ecdf from '../plots/ecdf.js';

/** Held-out starts per side of the comparison's grid over the surface's view. */
const TEST_SIDE = 5;

/** What a search is of: the map it is drawn on (same surface, optimizer, start, axes). */
function searchBase(state, catalogues) {
  const asked = mapRequest(state, catalogues);
  if (!asked || asked.kind !== 'hyperparameters') return null;
  const { surface, optimizer, start, x, y, steps } = asked.body;
  return { surface, optimizer, start, space: [x, y], steps };
}

/** Repeats in which `a`'s best was lower than `b`'s (a diverged search scores +∞). */
function share(a, b) {
  const score = (v) => (v === null ? Infinity : v);
  const wins = a.best_score.filter((v, i) => score(v) < score(b.best_score[i])).length;
  return wins / a.best_score.length;
}

const median = (values) => {
  const sorted = values.map((v) => (v === null ? Infinity : v)).sort((p, q) => p - q);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * @param {{search: HTMLElement, compare: HTMLElement}} roots the two panels
 * @param {{catalogues: Object, store: Object, redraw: () => void}} ctx `redraw` draws the map
 *   again (with the search's trials on it)
 */
export function searchPanels(roots, { catalogues, store, redraw }) {
  const current = { search: null, searchKey: '', compare: null };
  const settings = { budget: 16, repeats: 100, compareBudget: 20 };

  // ------------------------------------------------------------------ search
  const searchOut = h('div', { class: 'note search-result', 'aria-live': 'polite' });
  const searchError = h('div', { class: 'field-error' });
  registerSlot('search', searchError);
  const budget = numericField({ label: tr('search.trials'), title: tr('search.trials_title'),
    min: 4, max: 256, value: settings.budget, integer: true,
  log: true, errorKey: 'search.budget', change: (v) => { settings.budget = v; } });
  const repeats = numericField({ label: tr('search.repeats'), title: tr('search.repeats_title'),
    min: 1, max: 500, value: settings.repeats,
  integer: true, log: true, errorKey: 'search.repeats', change: (v) => { settings.repeats = v; } });
  const searchButton = h('button', { type: 'button', class: 'primary', id: 'run-search',
    onclick: () => runSearch() }, tr('search.grid_vs_random'));
  roots.search.append(h('h2', {}, tr('tab.search')),
    h('p', { class: 'hint' }, tr('search.hint')),
    budget.el, repeats.el, searchButton, searchError, searchOut);

  async function runSearch() {
    const base = searchBase(store.state, catalogues);
    if (!base) {
      searchOut.textContent = tr('search.needs_settings');
      return;
    }
    const signal = api.supersede('search');
    const key = JSON.stringify(base);
    searchOut.textContent = tr('search.searching');
    clearErrors('search');
    try {
      const [grid, random] = await Promise.all(['grid', 'random'].map((method) => api.postJSON(
        'maps/search', { ...base, method, budget: settings.budget, repeats: settings.repeats },
        signal)));
      Object.assign(current, { search: { grid, random }, searchKey: key });
      const randomWins = share(random, grid);
      const k = Math.round(Math.sqrt(grid.trials[0].length));
      searchOut.replaceChildren(
        h('p', {}, h('strong', {}, tr('search.random_wins', { share: num(100 * randomWins, 2) })),
          ' ', tr('search.of_repeats', { repeats: settings.repeats,
            share: num(100 * share(grid, random), 2) })),
        h('p', {}, tr('search.median', { grid: num(median(grid.best_score), 3),
          random: num(median(random.best_score), 3), k, budget: settings.budget })));
      redraw();
    } catch (error) {
      if (api.isAbort(error)) return;
      if (!error.detail) throw error;
      searchOut.textContent = '';
      showErrors({ detail: error.detail.map((d) => ({ ...d, loc: ['search', ...d.loc.slice(1)]
      })) });
    }
  }

  // ------------------------------------------------------------------ compare
  const compareOut = h('div', { class: 'note compare-result', 'aria-live': 'polite' });
  const chart = h('div', { class: 'plot ecdf', id: 'compare-chart',
    'aria-label': tr('search.ecdf_label') });
  const compareError = h('div', { class: 'field-error' });
  registerSlot('compare', compareError);
  const compareBudget = numericField({ label: tr('search.trials'),
    title: tr('search.compare_trials_title'), min: 2, max: 200,
  value: settings.compareBudget, integer: true, log: true, errorKey: 'compare.budget',
  change: (v) => { settings.compareBudget = v; } });
  const compareButton = h('button', { type: 'button', class: 'primary', id: 'run-compare',
    onclick: () => runCompare() }, tr('search.tune_and_compare'));
  roots.compare.append(h('h2', {}, tr('tab.compare')),
    h('p', { class: 'hint' }, tr('search.compare_hint')),
    compareBudget.el, compareButton, compareError, compareOut, chart);

  async function runCompare() {
    const state = store.state;
    const asked = mapRequest(state, catalogues);
    const { optimizers, roster } = runSpecs(state.mapRuns);
    if (!asked || !optimizers.length) return;
    const entry = catalogues.surfaces.find((s) => s.id === asked.body.surface.id);
    const view = entry ? [...entry.view.x, ...entry.view.y] : asked.body.surface.view;
    const side = (lo, hi) => Array.from({ length: TEST_SIDE },
      (_, i) => lo + ((i + 0.5) / TEST_SIDE) * (hi - lo));
    const tests = side(view[0], view[1]).flatMap((x) => side(view[2], view[3]).map((y) => [x, y]));
    const tuning = entry?.starts?.length ? entry.starts : [asked.body.start ?? tests[0]];
    const body = { surface: asked.body.surface, optimizers, budget: settings.compareBudget,
      tuning_starts: tuning, test_starts: tests, steps: state.mapSteps };
    const signal = api.supersede('compare');
    compareOut.textContent = tr('search.tuning');
    clearErrors('compare');
    try {
      const result = await api.postJSON('maps/compare', body, signal);
      const styles = roster.map((row) => rowStyle(state.mapRuns, row, catalogues));
      const names = result.runs.map((run, i) => state.mapRuns[roster[i]].label
        || catalogues.optimizers.find((o) => o.id === optimizers[i].id).name);
      current.compare = { result, styles };
      compareOut.replaceChildren(...result.runs.map((run, i) => h('p', { class: 'compare-row',
        dataset: { optimizer: run.optimizer } }, h('strong', { style: { color: styles[i].color } },
        names[i]), ' ', tr('search.compare_row', { lr: num(run.tuned.lr, 3),
        share: num(100 * run.converged_fraction, 2), tests: tests.length,
        loss: num(run.median_final_loss, 3) }))));
      await ecdf.render(chart, result.runs, names, styles, state.mapSteps);
    } catch (error) {
      if (api.isAbort(error)) return;
      if (!error.detail) throw error;
      compareOut.textContent = '';
      showErrors({ detail: error.detail.map((d) => ({ ...d, loc: ['compare', ...d.loc.slice(1)]
      })) });
    }
  }

  return {
    /** Run one panel's question (a lesson that continues there opens with its answer). */
    run(panel) {
      return panel === 'compare' ? runCompare() : runSearch();
    },
    /** The search's trials to draw on the map on screen, if they are of it. */
    trials() {
      const base = searchBase(store.state, catalogues);
      return base && JSON.stringify(base) === current.searchKey ? current.search : null;
    },
    get compare() {
      return current.compare;
    },
  };
}
