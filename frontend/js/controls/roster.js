/**
 * The contestants: one card per run with its switch, colour, optimizer, label and
 * hyperparameters (ranges, log scales and meanings from the optimizer catalogue), its
 * learning-rate schedule, its own gradient options and the run options its optimizer may
 * take (Lookahead, the momentum schedule: settings from the run-options catalogue). Clicking a
 * card puts that run in
 * the inspector (in the networks lab: shows its decision boundary; in the maps lab: maps
 * it). Each lab has its own roster; the control edits the one of the lab on screen. Beside
 * a learning rate that is larger than the start's curvature allows (the race reports the
 * limit) it warns.
 */

import { h } from '../dom.js';
import { rowStyle, swatch } from '../palette.js';
import { registerSlot } from '../errors.js';
import { numericField, optionalField } from './numeric.js';
import { newRun } from '../state.js';
import { num } from '../format.js';
import { parse, plain } from '../tex.js';
import { fullSchedule, surfaceHyperparameters } from '../request.js';
import { networkHyperparameters, networkOptimizers } from '../networks/request.js';
import { tr } from '../i18n.js';

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';

/** A hyperparameter's catalogue symbol (LaTeX, "\\beta_1") as a label's text ("β₁"). */
function symbolText(latex) {
  return latex ? plain(parse(latex)).replace(/_(\d)/g, (_, d) => SUBSCRIPTS[d]) : '';
}

/**
 * The state keys of the lab's roster, the optimizers it may race, and the hyperparameters a
 * run starts with (the learning rate suggested for networks, or for the surface on screen).
 */
function bindingOf(lab, catalogues, store) {
  if (lab === 'maps') {
    return { lab, runs: 'mapRuns', selected: 'mapSelected', optimizers: catalogues.optimizers,
      start: (o) => surfaceHyperparameters(o, store.state, catalogues),
      inspect: tr('roster.inspect_map') };
  }
  return lab === 'networks'
    ? { lab, runs: 'netRuns', selected: 'netSelected', optimizers: networkOptimizers(catalogues),
      start: (o) => networkHyperparameters(o, catalogues), inspect: tr('roster.inspect_network') }
    : { lab, runs: 'runs', selected: 'selected', optimizers: catalogues.optimizers,
      start: (o) => surfaceHyperparameters(o, store.state, catalogues),
      inspect: tr('roster.inspect') };
}

/** Hyperparameters whose value, once a person sets it, a new surface must keep. */
const LEARNING_RATES = new Set(['lr', 'lr_x', 'lr_y']);

/** The warning beside a run's learning rate, from the race on screen: its rate is past the
 * largest stable one at the start (the server's limit and rule; nothing is derived here). */
function warningOf(run, race) {
  const limit = run.info.stability?.lr_limit;
  if (limit === null || limit === undefined || !(run.info.hyperparameters.lr > limit)) return '';
  const lambda = race.meta.lambda_max[run.info.start_index];
  return tr('roster.unstable', { rule: run.info.stability.rule, limit: num(limit, 3),
    lambda: num(lambda, 3) });
}

/**
 * @param {HTMLElement} root
 * @param {{catalogues: Object, store: Object}} ctx
 * @returns {{update: (state: Object) => void}}
 */
export function rosterControl(root, { catalogues, store }) {
  let b = bindingOf(store.state.lab, catalogues, store);
  const list = h('div', { class: 'runs', role: 'list' });
  const add = h('select', { class: 'add-run', 'aria-label': tr('roster.add_label') });
  const fillAdd = () => add.replaceChildren(h('option', { value: '' }, tr('roster.add')),
    ...b.optimizers.map((o) => h('option', { value: o.id }, o.name)));
  fillAdd();
  root.append(h('h2', {}, tr('tab.optimizers'), h('span', { class: 'muted count' })), list, add);

  const setRuns = (runs, event, dragging = false, extra = {}) => store.update({
    [b.runs]: runs, ...extra }, { event, drag: dragging });
  const patchRun = (i, patch, event, dragging) => setRuns(store.state[b.runs].map((r, k) => (
    k === i ? { ...r, ...patch } : r)), event, dragging);
  const select = (i, event) => store.update({ [b.selected]: i }, { event });

  add.addEventListener('change', (event) => {
    const optimizer = b.optimizers.find((o) => o.id === add.value);
    add.value = '';
    if (!optimizer) return;
    const runs = store.state[b.runs];
    const run = newRun(optimizer.id, b.start(optimizer));
    setRuns([...runs, run], event, false, { [b.selected]: runs.length });
  });

  let fields = [];
  let shape = '';
  /** Warnings by roster row, from the race on screen. */
  let warnings = new Map();
  const showWarnings = () => fields.forEach((f, i) => {
    f.warning.textContent = warnings.get(i) ?? '';
  });

  /** The run options (catalogue id → the run's field and the switch's message). */
  const OPTIONS = [
    { id: 'lookahead', field: 'lookahead', label: 'roster.lookahead' },
    { id: 'momentum_schedule', field: 'momentumSchedule', label: 'roster.momentum_schedule' },
  ].map((o) => ({ ...o, entry: catalogues.run_options.find((e) => e.id === o.id) }))
    .filter((o) => o.entry);

  /** The switches of the run options run i may take (its optimizer says which) and, for each
   * one on, its settings; errors land beside them. */
  function optionRows(run, i, optimizer, f) {
    f.options = {};
    return OPTIONS.filter((o) => optimizer.run_options.includes(o.id)).flatMap((o) => {
      const value = run[o.field];
      const toggle = h('input', { type: 'checkbox', checked: Boolean(value),
        onchange: (event) => patchRun(i, { [o.field]: toggle.checked ? Object.fromEntries(
          o.entry.params.map((p) => [p.name, p.default])) : null }, event) });
      const error = h('div', { class: 'field-error' });
      registerSlot(`runs.${i}.${o.id}`, error);
      const settings = !value ? [] : o.entry.params.map((p) => {
        const symbol = symbolText(p.symbol);
        const field = numericField({ label: symbol && symbol !== p.name ? `${p.name} ${symbol}`
          : p.name, title: p.meaning, min: p.min, max: p.max, value: value[p.name],
        log: p.max / Math.max(p.min, 1e-12) >= 1000, errorKey: `runs.${i}.${o.id}.${p.name}`,
        integer: [p.default, p.min, p.max].every(Number.isInteger),
        change: (v, event, dragging) => patchRun(i, { [o.field]: {
          ...store.state[b.runs][i][o.field], [p.name]: v } }, event, dragging) });
        field.el.dataset.setting = p.name;
        f.options[`${o.field}.${p.name}`] = { field, option: o.field, name: p.name };
        return field.el;
      });
      return [h('label', { class: `schedule-row option-row ${o.id}-row`, title: o.entry.note },
        toggle, h('span', { class: 'field-label' }, tr(o.label, { name: o.entry.name }))),
      ...settings, error];
    });
  }

  function card(run, i, runs) {
    const optimizer = catalogues.optimizers.find((o) => o.id === run.id);
    const f = { hp: {}, name: null };
    const on = h('input', { type: 'checkbox', checked: run.on, 'aria-label': tr('roster.on'),
      onchange: (event) => patchRun(i, { on: on.checked }, event) });
    // the look of the run: its optimizer's colour and marker (a second run of one optimizer
    // is shaded and dashed), as on the plots
    const look = h('span', { class: 'swatch-btn', title: `${optimizer.name}'s colour and marker`
      + (i && rowStyle(runs, i, catalogues).variant ? ', shaded and dashed for a second run' : '') },
    swatch(rowStyle(runs, i, catalogues), 18, { line: true }));
    const which = h('select', { class: 'which', 'aria-label': 'optimizer',
      onchange: (event) => {
        const next = b.optimizers.find((o) => o.id === which.value);
        patchRun(i, { id: next.id, hp: b.start(next), label: '', ownLr: false }, event);
      } }, ...b.optimizers.map((o) => h('option', { value: o.id,
      selected: o.id === run.id }, o.name)));
    const name = h('input', { type: 'text', class: 'label-input', value: run.label,
      placeholder: optimizer.name, 'aria-label': tr('roster.label'), maxlength: 80,
      title: tr('roster.rename_title', { name: optimizer.name }),
      onchange: (event) => patchRun(i, { label: name.value.trim() }, event),
      onkeydown: (event) => event.stopPropagation() });
    f.name = name;
    const remove = h('button', { type: 'button', class: 'icon', title: tr('roster.remove'),
      'aria-label': tr('roster.remove'), onclick: (event) => {
        event.stopPropagation();
        const runs = store.state[b.runs].filter((_, k) => k !== i);
        const was = store.state[b.selected];
        const selected = Math.min(was - (was > i ? 1 : 0), runs.length - 1);
        setRuns(runs, event, false, { [b.selected]: Math.max(selected, 0) });
      } }, '×');
    const hpField = (p) => {
      const symbol = symbolText(p.symbol);
      const field = numericField({ label: symbol ? `${p.name} ${symbol}` : p.name,
        title: p.meaning, min: p.min, max: p.max, log: p.log, value: run.hp[p.name] ?? p.default,
        integer: p.integer, errorKey: `runs.${i}.hp.${p.name}`,
        change: (value, event, dragging) => patchRun(i, {
          hp: { ...store.state[b.runs][i].hp, [p.name]: value },
          ...(LEARNING_RATES.has(p.name) ? { ownLr: true } : {}) }, event, dragging) });
      field.el.dataset.hp = p.name;
      f.hp[p.name] = field;
      return field.el;
    };
    const [first, ...others] = optimizer.hyperparameters;
    const schedule = h('select', { 'aria-label': tr('roster.schedule_label'),
      onchange: (event) => patchRun(i, { schedule: schedule.value === 'constant' ? null
        : fullSchedule(catalogues, { kind: schedule.value }) }, event) },
    ...catalogues.schedules.map((s) => h('option', { value: s.id,
      selected: (run.schedule?.kind ?? 'constant') === s.id }, s.name)));
    const scheduleEntry = catalogues.schedules.find((s) => s.id === (run.schedule?.kind
      ?? 'constant'));
    f.schedule = {};
    const scheduleParams = scheduleEntry.params.map((p) => {
      const field = numericField({ label: p.name, title: p.meaning, min: p.min, max: p.max,
        value: run.schedule?.[p.name] ?? p.default, errorKey: `runs.${i}.schedule.${p.name}`,
        integer: Number.isInteger(p.default) && p.max >= 1000,
        change: (value, event, dragging) => patchRun(i, { schedule: {
          ...store.state[b.runs][i].schedule, [p.name]: value } }, event, dragging) });
      f.schedule[p.name] = field;
      return field.el;
    });
    const scheduleError = h('div', { class: 'field-error' });
    registerSlot(`runs.${i}.schedule`, scheduleError);
    const options = optionRows(run, i, optimizer, f);
    f.clip = optionalField({ label: tr('roster.clip'), title: tr('roster.clip_title'),
      min: 0.01, max: 1000, log: true,
      value: run.clipNorm, fallback: 1, errorKey: `runs.${i}.clip_norm`,
      change: (value, event, dragging) => patchRun(i, { clipNorm: value }, event, dragging) });
    f.noise = optionalField({ label: tr('settings.noise'), title: tr('roster.noise_title'),
      min: 0, max: 10,
      value: run.noise, fallback: 0.1, errorKey: `runs.${i}.noise_std`,
      change: (value, event, dragging) => patchRun(i, { noise: value }, event, dragging) });
    f.warning = h('div', { class: 'field-warning', role: 'status' });
    const runError = h('div', { class: 'field-error' });
    registerSlot(`runs.${i}`, runError);
    const more = h('details', { class: 'more' },
      h('summary', {}, tr('roster.more', { names: [...others.map((p) => p.name),
        tr('roster.schedule'), ...OPTIONS.filter((o) => optimizer.run_options.includes(o.id))
          .map((o) => o.entry.name)].join(', ') }),
        run.schedule ? ` (${scheduleEntry.name})` : ''),
      h('div', { class: 'schedule-row' }, h('span', { class: 'field-label' }, tr('kind.optimizer')),
        which),
      ...others.map(hpField),
      h('div', { class: 'schedule-row' }, h('span', { class: 'field-label' }, tr('roster.schedule')),
        schedule),
      ...scheduleParams, scheduleError, ...options, f.clip.el, f.noise.el);
    more.open = Boolean(run.schedule || run.lookahead || run.momentumSchedule
      || run.clipNorm !== null || run.noise !== null);
    const el = h('div', { class: 'run', role: 'listitem', dataset: { index: String(i) },
      title: optimizer.summary,
      onclick: (event) => {
        if (event.target.closest('input, select, button, summary')) return;
        select(i, event);
      } },
    h('div', { class: 'run-head' }, on, look, name,
      h('button', { type: 'button', class: 'icon inspect', title: b.inspect,
        'aria-label': b.inspect, onclick: (event) => select(i, event) }, '⌕'),
      remove),
    first ? hpField(first) : null, f.warning, more, runError);
    fields.push(f);
    return el;
  }

  return {
    update(state) {
      if (state.lab !== b.lab) {
        b = bindingOf(state.lab, catalogues, store);
        fillAdd();
      }
      const runs = state[b.runs];
      const structure = JSON.stringify([b.lab, runs.map((r) => [r.id, r.on,
        r.schedule?.kind ?? null, r.label, Boolean(r.lookahead),
        Boolean(r.momentumSchedule)])]);
      if (structure !== shape) {
        shape = structure;
        fields = [];
        list.replaceChildren(...runs.map((run, i) => card(run, i, runs)));
      }
      runs.forEach((run, i) => {
        const f = fields[i];
        for (const [name, field] of Object.entries(f.hp)) field.set(run.hp[name]);
        for (const [name, field] of Object.entries(f.schedule)) {
          if (run.schedule) field.set(run.schedule[name]);
        }
        if (document.activeElement !== f.name) f.name.value = run.label;
        for (const { field, option, name } of Object.values(f.options)) {
          if (run[option]) field.set(run[option][name]);
        }
        f.clip.set(run.clipNorm);
        f.noise.set(run.noise);
      });
      [...list.children].forEach((el, i) => el.classList.toggle('selected',
        i === state[b.selected]));
      root.querySelector('.count').textContent = ` ${runs.filter((r) => r.on).length} racing`;
      add.disabled = runs.length >= catalogues.limits.max_optimizers;
      showWarnings();
    },
    /** A race of the surfaces lab arrived: warn beside each rate past its stable limit. */
    warn(race) {
      warnings = new Map(race.runs.map((run) => [run.roster, warningOf(run, race)]));
      if (b.lab === 'surfaces') showWarnings();
    },
  };
}
