/**
 * The fair comparison as distributions: per optimizer, the share of its held-out runs
 * (every test start × every seed) that had converged by each step — an empirical CDF of the
 * steps to converge, which ends below 1 when some runs never converged. Each optimizer in
 * its own colour and dash, as everywhere.
 */

import { tr } from '../i18n.js';
import { sizeOf } from './size.js';

const FONT = { family: 'Vazirmatn, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  size: 12, color: '#1b2430' };

/** The ECDF of `steps` (−1: never converged) as a step line from 0 to `last`. */
function curve(steps, last) {
  const runs = steps.flat();
  const done = runs.filter((s) => s >= 0).sort((a, b) => a - b);
  const x = [0];
  const y = [0];
  done.forEach((s, i) => {
    x.push(s, s);
    y.push(i / runs.length, (i + 1) / runs.length);
  });
  x.push(last);
  y.push(done.length / runs.length);
  return { x, y };
}

/**
 * @param {HTMLElement} el
 * @param {{optimizer: string, tuned: Object, steps: number[][]}[]} runs the API's entries
 * @param {string[]} names each entry's name  @param {Object[]} styles each entry's look
 * @param {number} last the steps of every run
 */
export function render(el, runs, names, styles, last) {
  const traces = runs.map((run, i) => ({ type: 'scatter', mode: 'lines',
    name: `${names[i]} (lr ${Number(run.tuned.lr.toPrecision(2))})`, ...curve(run.steps, last),
    line: { color: styles[i].color, width: 2.5, dash: styles[i].dash.length
      ? styles[i].dash.map((d) => `${d * 2.5}px`).join(',') : 'solid' } }));
  const size = sizeOf(el);
  return Plotly.react(el, traces, {
    width: size.width || undefined, height: size.height || undefined, font: FONT,
    margin: { l: 46, r: 8, t: 8, b: 40 }, showlegend: true,
    legend: { orientation: 'h', x: 0, y: -0.22, yanchor: 'top' },
    xaxis: { title: { text: tr('plot.step'), standoff: 4 }, range: [0, last], zeroline: false },
    yaxis: { title: { text: tr('outcome.converged_name'), standoff: 4 }, range: [0, 1.02],
      tickformat: '.0%' },
  }, { displayModeBar: false, displaylogo: false, staticPlot: true });
}
