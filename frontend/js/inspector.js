/**
 * The state inspector: for the selected run at the current frame, the update equations from
 * the optimizer catalogue with this step's numbers put in place of their symbols (g, m, v,
 * m̂, v̂, ε, β…), the bias corrections and per-coordinate effective step sizes the API
 * derived, and arrows on the contour for the gradient, the step and the velocity.
 *
 * Frame t shows step t: the move from x_{t−1} to x_t, the gradient it used (measured at the
 * look-ahead point for the Nesterov methods) and the state it left behind. Frame 0 shows
 * the raw gradient at the start. A run wrapped in Lookahead draws its slow point x; the
 * inspector adds the fast point x̃ = x + (x̃ − x) (the state row `fast`), where the wrapped
 * optimizer is and takes its gradients, with an arrow from x to it.
 */

import { h, numberRow } from './dom.js';
import { num, pair } from './format.js';
import { swatch } from './palette.js';
import { parse, plain, render as renderTex, splitEquation, typeset } from './tex.js';
import { tr } from './i18n.js';


const at2 = (a, t) => [a[2 * t], a[2 * t + 1]];
/** The page's own words for a derived quantity where it has them, else the catalogue's. */
const known = (key, fallback) => { const text = tr(key); return text === key ? fallback : text; };

/** Parsed trees and typeset HTML by LaTeX source: the inspector redraws every frame. */
const trees = new Map();
function cached(latex) {
  if (!trees.has(latex)) {
    const tree = parse(latex);
    trees.set(latex, { tree, html: typeset(latex), plain: plain(tree) });
  }
  return trees.get(latex);
}

/** Where the optimizer itself stands at frame t: Lookahead's fast point, else x_t. */
function fastAt(run, t) {
  const [x, y] = at2(run.path, t);
  const offset = run.state.fast;
  return offset ? [x + offset[2 * t], y + offset[2 * t + 1]] : [x, y];
}

/** The point where step t measured its gradient, when that is not x_{t−1}. */
function lookahead(run, optimizer, t) {
  if (t < 1) return null;
  const [x, y] = fastAt(run, t - 1);
  const moved = run.state.fast && (x !== run.path[2 * (t - 1)] || y !== run.path[2 * t - 1]);
  const match = optimizer.gradient_at.match(/^x \+ (\w+)·(\w+)$/);
  if (!match) return moved ? [x, y] : null;
  const [, hyper, stateName] = match;
  const k = run.info.hyperparameters[hyper];
  const v = run.state[stateName];
  if (k === undefined || !v) return null;
  return [x + k * v[2 * (t - 1)], y + k * v[2 * (t - 1) + 1]];
}

/** The largest length of the 2-vectors `holder[key]` over frames 0…n (kept on the holder):
 * what "all but zero" is measured against. */
function largest(holder, key, n) {
  const memo = holder[`${key}Largest`];
  if (memo && memo.n === n) return memo.value;
  const a = holder[key];
  let value = 0;
  for (let t = 0; t <= n; t += 1) {
    const v = Math.hypot(a[2 * t], a[2 * t + 1]);
    if (Number.isFinite(v)) value = Math.max(value, v);
  }
  holder[`${key}Largest`] = { n, value };
  return value;
}

/**
 * Arrows for the contour (data units): −g (direction only), the step (to scale), and the
 * momentum the optimizer carries (velocity v to scale, or −m̂ as a direction).
 */
export function arrowsAt(race, runIndex, t, catalogues, styles) {
  const run = race?.runs[runIndex];
  if (!run || t > race.available) return [];
  const optimizer = catalogues.optimizers.find((o) => o.id === run.info.optimizer);
  const { color } = styles[runIndex];
  const arrows = [];
  const g = at2(run.grad, t);
  const look = lookahead(run, optimizer, t);
  const from = t >= 1 ? at2(run.path, t - 1) : at2(run.path, 0);
  if (g.every(Number.isFinite)) {
    arrows.push({ from, lookahead: look, vector: [-g[0], -g[1]], mode: 'direction',
      label: '−g', color: '#1b2430', reference: largest(run, 'grad', race.available) });
  }
  if (t >= 1) {
    const x = at2(run.path, t);
    const step = [x[0] - from[0], x[1] - from[1]];
    if (step.every(Number.isFinite)) {
      arrows.push({ from, vector: step, mode: 'true', label: tr('plot.arrow_step'), color });
    }
    const velocity = optimizer.state.find((s) => s.meaning.startsWith('velocity'));
    if (velocity && run.state[velocity.name]) {
      arrows.push({ from: x, vector: at2(run.state[velocity.name], t), mode: 'true',
        label: 'v', color: '#5a4a9a', dash: [5, 4] });
    } else if (run.derived.m_hat) {
      const m = at2(run.derived.m_hat.values, t);
      arrows.push({ from: x, vector: [-m[0], -m[1]], mode: 'direction', label: '−m̂',
        color: '#5a4a9a', dash: [5, 4],
        reference: largest(run.derived.m_hat, 'values', race.available) });
    }
  }
  const offsets = [...offsetPoints(run, optimizer, t),
    ...(run.state.fast ? [['x̃', at2(run.state.fast, t)]] : [])];
  for (const [label, offset] of offsets) {
    if (offset[0] !== 0 || offset[1] !== 0) {
      arrows.push({ from: at2(run.path, t), vector: offset, mode: 'true', label,
        color: '#5a4a9a', dash: [2, 3] });
    }
  }
  return arrows.filter((a) => a.vector.every(Number.isFinite));
}

/** The points an optimizer keeps as offsets from the drawn x (a state or derived quantity
 * whose symbol is "p − x": schedule-free's z and y, so its three sequences show as three
 * points), as [p, offset at frame t]. */
function offsetPoints(run, optimizer, t) {
  const points = [];
  const add = (latex, values) => {
    const match = latex?.match(/^\s*(.+?)\s*-\s*x\s*$/);
    if (match && values) points.push([cached(match[1]).plain, at2(values, t)]);
  };
  for (const s of optimizer.state) add(s.symbol, run.state[s.name]);
  for (const d of optimizer.derived) {
    if (run.derived[d.name]?.pairs) add(d.latex, run.derived[d.name].values);
  }
  return points;
}

/** The rows a Lookahead run adds: its setting, the fast point and the steps to the next
 * sync (none for a run that is not wrapped). */
function lookaheadRows(run, t) {
  const setting = run.info.lookahead;
  if (!setting || !run.state.fast) return [];
  const fast = fastAt(run, t);
  const left = setting.k - (t % setting.k);
  return [
    numberRow('x̃', pair(fast[0], fast[1]), tr('inspector.fast_point')),
    numberRow('k, α', `${setting.k}, ${num(setting.alpha)}`, tr('inspector.lookahead_setting')),
    numberRow(tr('inspector.next_sync_label'), String(left), tr('inspector.next_sync')),
  ];
}

/** The numbers of step t by the symbol each has in the catalogue's equations. */
function valuesAt(run, optimizer, t) {
  const values = { t, x_t: at2(run.path, t), 'x_t-1': at2(run.path, t - 1),
    g_t: at2(run.grad, t), ε: run.lr[t] };
  if (run.info.lookahead && run.state.fast) {
    // the wrapped optimizer's x is the fast point: where it was, and where its step took it
    // (at a sync, before the reset: the slow point moved α of the way to it)
    values['x_t-1'] = fastAt(run, t - 1);
    const [a, b] = [at2(run.path, t - 1), at2(run.path, t)];
    values.x_t = t % run.info.lookahead.k ? fastAt(run, t)
      : a.map((v, i) => v + (b[i] - v) / run.info.lookahead.alpha);
  }
  const look = lookahead(run, optimizer, t);
  if (look) values['tilde(x)'] = look;
  // ε is the scheduled rate of this step (set above), not the hyperparameter lr.
  // a scheduled momentum changes from step to step: its symbol stays unsubstituted
  const scheduled = run.info.momentum_schedule ? 'momentum' : null;
  for (const p of optimizer.hyperparameters) {
    if (p.symbol && p.name !== 'lr' && p.name !== scheduled
      && p.name in run.info.hyperparameters) {
      values[cached(p.symbol).plain] = run.info.hyperparameters[p.name];
    }
  }
  for (const s of optimizer.state) {
    const base = cached(s.symbol).plain;
    if (!run.state[s.name]) continue;
    values[`${base}_t`] = at2(run.state[s.name], t);
    values[`${base}_t-1`] = at2(run.state[s.name], t - 1);
  }
  for (const d of optimizer.derived) {
    const series = run.derived[d.name];
    if (d.latex && series) {
      values[cached(d.latex).plain] = series.pairs ? at2(series.values, t) : series.values[t];
    }
  }
  return values;
}

function valueHtml(v) {
  const text = Array.isArray(v) ? pair(v[0], v[1], 3) : num(v, 4);
  return `<span class="tx-val">${text}</span>`;
}

/** One equation typeset, and under it the same right-hand side with this step's numbers. */
function equation(latex, values) {
  const { tree, html } = cached(latex);
  const line = h('div', { class: 'eq' });
  line.innerHTML = html;
  if (!values) return line;
  const parts = splitEquation(tree);
  if (!parts) return line;
  const options = {};
  options.resolve = (node) => {
    const key = plain(node);
    if (key in values) return valueHtml(values[key]);
    if (node.t === 'script' && node.sup) {
      const bare = plain({ ...node, sup: null });
      if (bare in values) {
        return `${valueHtml(values[bare])}<sup>${renderTex(node.sup, options)}</sup>`;
      }
    }
    return null;
  };
  const rhs = renderTex(parts.rhs, options);
  if (!rhs.includes('tx-val')) return line;
  const lhs = values[plain(parts.lhs.items.length === 1 ? parts.lhs.items[0] : parts.lhs)];
  const sub = h('div', { class: 'eq-num' });
  sub.innerHTML = `<span class="tx"><span class="tx-op">=</span>${rhs}${lhs !== undefined
    ? `<span class="tx-op">=</span><wbr>${valueHtml(lhs)}` : ''}</span>`;
  return h('div', { class: 'eq-pair' }, line, sub);
}

/**
 * @param {HTMLElement} el
 * @param {?Object} race  @param {number} runIndex  @param {number} t
 * @param {Object} catalogues  @param {import('./palette.js').Style[]} styles
 */
export function render(el, race, runIndex, t, catalogues, styles) {
  const run = race?.runs[runIndex];
  if (!run || t > race.available) {
    el.replaceChildren(h('h2', {}, tr('tab.inspector')), h('p', { class: 'muted' },
      tr('inspector.choose')));
    return;
  }
  const optimizer = catalogues.optimizers.find((o) => o.id === run.info.optimizer);
  const values = t >= 1 ? valuesAt(run, optimizer, t) : null;
  const g = at2(run.grad, t);
  const numbers = [
    numberRow('g', pair(g[0], g[1]), t >= 1 ? tr('inspector.gradient') : tr('inspector.gradient_start')),
    numberRow('‖g‖', num(run.gradNorm[t])),
  ];
  if (t >= 1) {
    const a = at2(run.path, t - 1);
    const b = at2(run.path, t);
    numbers.push(numberRow('ε', num(run.lr[t]), tr('inspector.lr')),
      numberRow(tr('plot.step'), pair(b[0] - a[0], b[1] - a[1]), 'x_t − x_{t−1}'));
    // values the substituted equations already show are not listed twice
    const shown = optimizer.equations.map((e) => cached(e).plain).join(' ');
    for (const s of optimizer.state) {
      const v = run.state[s.name];
      if (v && !shown.includes(`${cached(s.symbol).plain}_t`)) {
        numbers.push(numberRow(cached(s.symbol).plain.replace('^max', 'ᵐᵃˣ'), pair(...at2(v, t)),
          s.meaning));
      }
    }
    for (const entry of optimizer.derived) {
      const d = run.derived[entry.name];
      if (!d || (entry.latex && shown.includes(cached(entry.latex).plain))) continue;
      numbers.push(numberRow(known(`inspector.${entry.name}_label`, entry.label),
        d.pairs ? pair(...at2(d.values, t)) : num(d.values[t]),
        known(`inspector.${entry.name}`, entry.meaning)));
    }
  }
  numbers.push(...lookaheadRows(run, t));
  const wrap = run.info.lookahead ? catalogues.run_options.find((o) => o.id === 'lookahead')
    : null;
  el.replaceChildren(
    h('h2', {}, tr('tab.inspector')),
    h('div', { class: 'insp-head' }, swatch(styles[runIndex], 16, { line: true }),
      h('strong', {}, run.info.label), h('span', { class: 'muted' }, ` ${optimizer.name} · `,
        t >= 1 ? tr('plot.step_at', { step: t }) : tr('inspector.at_start'))),
    h('p', { class: 'summary' }, optimizer.summary),
    h('div', { class: 'equations' }, ...optimizer.equations.map((e) => equation(e, values)),
      ...(wrap ? [h('p', { class: 'muted' }, wrap.name), ...wrap.equations.map((e) => equation(e,
        null))] : [])),
    h('dl', { class: 'numbers' }, ...numbers),
    h('p', { class: 'legend' }, h('span', { class: 'key k-g' }, '−g'),
      ` ${tr('inspector.key_downhill')} `,
      h('span', { class: 'key k-step', style: { color: styles[runIndex].color } },
        tr('plot.step')), ` ${tr('inspector.key_move')} `, h('span', { class: 'key k-v' },
        'v / −m̂'), ` ${tr('inspector.key_momentum')}`),
  );
}
