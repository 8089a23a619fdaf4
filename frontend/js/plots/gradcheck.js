/**
 * A gradient check as one picture: the relative error of the forward and the centred
 * difference against the step h, both axes logarithmic. Each curve falls while truncation
 * dominates and rises again once rounding does, so each is a V; the centred one's floor is
 * lower and at a larger h, which is the lesson. Each floor is marked, its h in the legend, and a
 * dotted line at 10⁻⁷ shows the level the lectures call a correct gradient.
 *
 * An error of exactly 0 (the centred difference of a quadratic) has no place on a log axis:
 * it is drawn on the floor of the axis and says "0" when pointed at.
 */

import { tr } from '../i18n.js';
import { num } from '../format.js';
import { pageFont } from './overlay.js';
import { sizeOf } from './size.js';

/** The axis floor: below double precision's relative spacing, so no real error sits there. */
const FLOOR = 1e-17;
/** Below this relative error the lectures call an analytic gradient correct. */
const CORRECT = 1e-7;
/** Two methods, told apart by colour, dash and marker (no optimizer's look). */
export const METHODS = [
  { key: 'forward', color: '#8c510a', dash: 'dash', symbol: 'triangle-up' },
  { key: 'centred', color: '#01665e', dash: 'solid', symbol: 'diamond' },
];

function axis(title, extra) {
  return { type: 'log', title: { text: title, standoff: 4 }, automargin: true,
    fixedrange: true, zeroline: false, gridcolor: '#e7eaee', linecolor: '#8894a3',
    ticks: 'outside', exponentformat: 'power', ...extra };
}

/** A legend entry on two lines (at its colon) when one would run past a `width`-pixel
 * plot at `fontSize`: Plotly neither wraps nor clips legend text. */
function fitted(text, width, fontSize) {
  const fits = !width || text.length * fontSize * 0.55 + 50 < width;
  return fits ? text : text.replace(/:\s*/, ':<br>');
}

/**
 * @param {HTMLElement} el
 * @param {{presenter: boolean}} state
 * @param {?Object} check the API's answer (steps, forward_error, centred_error, best)
 */
export function render(el, state, check) {
  if (!check) return Plotly.purge(el);
  const big = state.presenter;
  const xRange = [Math.log10(Math.min(...check.steps)) - 0.3,
    Math.log10(Math.max(...check.steps)) + 0.3];
  const size = sizeOf(el);
  const legendSize = big ? 15 : 11;
  const traces = [];
  for (const m of METHODS) {
    const errors = check[`${m.key}_error`];
    const name = tr(`check.${m.key}`);
    const k = check.best[m.key];
    // each method's best h is in its legend entry: labels at the floors met the axes or the
    // other curve in a narrow panel
    traces.push({ type: 'scatter', mode: 'lines+markers', x: check.steps,
      name: k >= 0 ? fitted(tr('check.legend_best', { method: name, h: num(check.steps[k], 2) }),
        size.width, legendSize) : name,
      y: errors.map((e) => (e === null ? null : Math.max(e, FLOOR))),
      customdata: errors.map((e) => num(e, 3)),
      hovertemplate: `h = %{x:.1e}<br>${name}: %{customdata}<extra></extra>`,
      line: { color: m.color, width: big ? 3.5 : 2.5, dash: m.dash },
      marker: { symbol: m.symbol, size: big ? 8 : 6, color: m.color } });
    if (k >= 0) {
      traces.push({ type: 'scatter', mode: 'markers', x: [check.steps[k]],
        y: [Math.max(errors[k], FLOOR)], showlegend: false, hoverinfo: 'skip',
        marker: { symbol: m.symbol, size: big ? 18 : 14, color: m.color,
          line: { color: 'white', width: 2 } } });
    }
  }
  // the level the lectures call correct, as a legend entry: a label on the line itself
  // met one curve or the other wherever it was put
  traces.push({ type: 'scatter', mode: 'lines', name: tr('check.correct_line'), x: xRange
    .map((v) => 10 ** v), y: [CORRECT, CORRECT], hoverinfo: 'skip',
  line: { color: '#5b6776', width: 1.5, dash: 'dot' } });
  const font = { family: pageFont(), size: big ? 16 : 11, color: '#2b3645' };
  const shown = traces.flatMap((t) => t.y).filter((y) => y !== null);
  const low = Math.floor(Math.log10(Math.min(...shown, 1e-3))) - 1;
  const narrow = (size.width || 480) < 420;
  // the legend above the plot: inside, it covered an arm of one V or the other
  return Plotly.react(el, traces, {
    width: size.width || undefined, height: size.height || undefined, font,
    margin: { l: 8, r: 10, t: 8, b: 8 }, showlegend: true,
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom',
      font: { size: legendSize } },
    xaxis: axis(tr('check.step_axis'), { dtick: narrow ? 4 : 2, range: xRange }),
    yaxis: axis(tr('check.error_axis'), { range: [low, 0.5], dtick: low < -12 ? 4 : 3 }),
  }, { displayModeBar: false, displaylogo: false, responsive: false });
}

/** The chart as a PNG data URL, for the page's export. */
export function toImage(el) {
  return Plotly.toImage(el, { format: 'png', scale: 2 });
}
