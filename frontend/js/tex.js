/**
 * A small LaTeX reader and HTML typesetter for the formulas the API sends (surface
 * formulas, update equations, schedules): fractions, roots, scripts, accents, Greek letters
 * and operator names. The page must work offline without MathJax, and the inspector needs
 * more than a picture of each equation: it walks the parsed tree to put the current numbers
 * in place of the symbols (`render` with a `resolve` hook).
 */

import { escapeHtml } from './dom.js';

const GREEK = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ϵ', varepsilon: 'ε', zeta: 'ζ',
  eta: 'η', theta: 'θ', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', pi: 'π', rho: 'ρ',
  sigma: 'σ', tau: 'τ', phi: 'φ', varphi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω', Gamma: 'Γ',
  Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ', Xi: 'Ξ', Pi: 'Π', Sigma: 'Σ', Phi: 'Φ', Psi: 'Ψ',
  Omega: 'Ω', nabla: '∇', partial: '∂', infty: '∞', ell: 'ℓ',
};
const OPERATORS = {
  cdot: '·', times: '×', le: '≤', leq: '≤', ge: '≥', geq: '≥', ne: '≠', approx: '≈',
  pm: '±', sim: '∼', to: '→', leftarrow: '←', mid: '|', prod: '∏', sum: '∑', lfloor: '⌊',
  rfloor: '⌋', lceil: '⌈', rceil: '⌉', langle: '⟨', rangle: '⟩', ldots: '…', cdots: '⋯',
  '|': '‖', '{': '{', '}': '}',
};
const FUNCTIONS = new Set(['sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'arcsin', 'arccos',
  'arctan', 'exp', 'log', 'ln', 'max', 'min', 'det', 'arg']);
const SPACES = { ',': '0.17em', ';': '0.28em', ':': '0.22em', ' ': '0.33em', quad: '1em',
  qquad: '2em', '!': '0' };
const ACCENTS = { hat: '\u0302', tilde: '\u0303', bar: '\u0304', vec: '\u20d7' };
const BINARY = new Set(['+', '−', '=', '≤', '≥', '≠', '≈', '×', '·', '±', '∼', '→', '←']);
/** Script letters of `\mathcal` (a distribution's name: 𝒩, 𝒰; a loss: ℒ). */
const CALLIGRAPHIC = { L: 'ℒ', N: '𝒩', U: '𝒰' };
const OPENING = new Set(['(', '[', '{', '⌊', '⌈', '⟨', '|', '‖']);
const CLOSING = new Set([')', ']', '}', '⌋', '⌉', '⟩', '|', '‖']);

/**
 * @typedef {{t: 'sym', text: string, kind: 'var'|'num'|'op'|'open'|'close'|'fn'|'punct'}
 *   | {t: 'group', items: Node[]} | {t: 'frac', num: Node, den: Node}
 *   | {t: 'sqrt', body: Node} | {t: 'accent', accent: string, body: Node}
 *   | {t: 'script', base: Node, sub: Node|null, sup: Node|null, prime: boolean}
 *   | {t: 'space', width: string}} Node
 */

function tokenize(src) {
  const tokens = [];
  const re = /\\([a-zA-Z]+|.)|(\s+)|(.)/gsu;
  for (const m of src.matchAll(re)) {
    if (m[1] !== undefined) tokens.push({ cmd: m[1] });
    else if (m[2] === undefined) tokens.push({ ch: m[3] });
  }
  return tokens;
}

function symOf(ch) {
  if (/[a-zA-Z]/.test(ch)) return { t: 'sym', text: ch, kind: 'var' };
  if (/[0-9.]/.test(ch)) return { t: 'sym', text: ch, kind: 'num' };
  if (ch === '-') return { t: 'sym', text: '−', kind: 'op' };
  if (BINARY.has(ch)) return { t: 'sym', text: ch, kind: 'op' };
  if (OPENING.has(ch) && ch !== '|') return { t: 'sym', text: ch, kind: 'open' };
  if (CLOSING.has(ch) && ch !== '|') return { t: 'sym', text: ch, kind: 'close' };
  return { t: 'sym', text: ch, kind: 'punct' };
}

/** Parse LaTeX into a group node. Unknown commands are kept as upright text. */
export function parse(src) {
  const tokens = tokenize(src);
  let i = 0;
  const peek = () => tokens[i];

  function readText() {
    // the raw letters of a {…} argument (\operatorname{sp}, \text{…})
    let text = '';
    if (peek()?.ch !== '{') return (tokens[i++]?.ch) ?? '';
    i += 1;
    let depth = 1;
    while (i < tokens.length) {
      const tok = tokens[i++];
      if (tok.ch === '{') depth += 1;
      if (tok.ch === '}' && (depth -= 1) === 0) break;
      text += tok.ch ?? (tok.cmd === ' ' ? ' ' : '');
    }
    return text;
  }

  function argument() {
    const tok = peek();
    if (!tok) return { t: 'group', items: [] };
    if (tok.ch === '{') {
      i += 1;
      return sequence('}');
    }
    return atom() ?? { t: 'group', items: [] };
  }

  function command(name) {
    if (name in GREEK) {
      return { t: 'sym', text: GREEK[name], kind: name === 'nabla' || name === 'partial'
        ? 'fn' : 'var' };
    }
    if (name in OPERATORS) {
      const text = OPERATORS[name];
      const kind = BINARY.has(text) ? 'op' : OPENING.has(text) ? 'open'
        : CLOSING.has(text) ? 'close' : 'fn';
      return { t: 'sym', text, kind };
    }
    if (name in SPACES) return { t: 'space', width: SPACES[name] };
    if (FUNCTIONS.has(name)) return { t: 'sym', text: name, kind: 'fn' };
    if (name === 'frac' || name === 'tfrac' || name === 'dfrac') {
      const num = argument();
      return { t: 'frac', num, den: argument() };
    }
    if (name === 'sqrt') {
      if (peek()?.ch === '[') while (i < tokens.length && tokens[i++].ch !== ']');
      return { t: 'sqrt', body: argument() };
    }
    if (name in ACCENTS) return { t: 'accent', accent: name, body: argument() };
    if (name === 'mathcal') {
      const letter = readText();
      return { t: 'sym', text: CALLIGRAPHIC[letter] ?? letter, kind: 'var' };
    }
    if (name === 'operatorname' || name === 'mathrm' || name === 'text') {
      return { t: 'sym', text: readText(), kind: 'fn' };
    }
    if (name === 'left' || name === 'right') {
      const tok = tokens[i++];
      if (!tok || tok.ch === '.') return { t: 'space', width: '0' };
      const sym = tok.cmd !== undefined ? command(tok.cmd) : symOf(tok.ch);
      return sym.text === '|' ? { ...sym, kind: name === 'left' ? 'open' : 'close' } : sym;
    }
    return { t: 'sym', text: name, kind: 'fn' };
  }

  function atom() {
    const tok = tokens[i];
    if (!tok || tok.ch === '}') return null;
    i += 1;
    if (tok.ch === '{') return sequence('}');
    if (tok.cmd !== undefined) return command(tok.cmd);
    return symOf(tok.ch);
  }

  function scripted(base) {
    let sub = null;
    let sup = null;
    let prime = false;
    for (;;) {
      const tok = peek();
      if (tok?.ch === "'") { prime = true; i += 1; } else if (tok?.ch === '_' && !sub) {
        i += 1;
        sub = argument();
      } else if (tok?.ch === '^' && !sup) {
        i += 1;
        sup = argument();
      } else break;
    }
    return sub || sup || prime ? { t: 'script', base, sub, sup, prime } : base;
  }

  function sequence(end) {
    const items = [];
    while (i < tokens.length) {
      if (end && peek().ch === end) {
        i += 1;
        break;
      }
      const node = atom();
      if (node) items.push(scripted(node));
    }
    return { t: 'group', items };
  }

  return sequence(null);
}

/**
 * Plain Unicode text of a node, used as the key the inspector looks symbols up by:
 * `\hat m_t` → "hat(m)_t", `v^{max}_{t-1}` → "v^max_t-1", `\beta_1` → "β_1".
 */
export function plain(node) {
  if (!node) return '';
  switch (node.t) {
    case 'sym': return node.text === '−' ? '-' : node.text;
    case 'group': return node.items.map(plain).join('');
    case 'frac': return `(${plain(node.num)})/(${plain(node.den)})`;
    case 'sqrt': return `sqrt(${plain(node.body)})`;
    case 'accent': return `${node.accent}(${plain(node.body)})`;
    case 'script': return plain(node.base) + (node.prime ? "'" : '')
      + (node.sup ? `^${plain(node.sup)}` : '') + (node.sub ? `_${plain(node.sub)}` : '');
    default: return '';
  }
}

/**
 * Split an equation at its first top-level "=".
 * @returns {{lhs: Node, rhs: Node}|null}
 */
export function splitEquation(root) {
  const at = root.items.findIndex((n) => n.t === 'sym' && n.text === '=');
  if (at < 0) return null;
  return { lhs: { t: 'group', items: root.items.slice(0, at) },
    rhs: { t: 'group', items: root.items.slice(at + 1) } };
}

function isValue(html) {
  return html.startsWith('<span class="tx-val');
}

/** Whether a rendered item can end (left) or start (right) a product. */
function operandSide(node, html, side) {
  if (isValue(html)) return true;
  if (node.t === 'space') return false;
  if (node.t === 'sym') {
    if (node.kind === 'op' || node.kind === 'punct') return false;
    if (node.kind === 'open') return side === 'right';
    if (node.kind === 'close') return side === 'left';
    return true;
  }
  return true;
}

/**
 * Typeset a node as HTML.
 * @param {Node} node
 * @param {{resolve?: (node: Node) => (string|null)}} [options] `resolve` may replace a
 *   symbol (with its subscript) by the HTML of a value; the renderer then writes "·" where
 *   a value meets another factor, so "β₁ m" reads "0.9 · (1.2, 3.4)".
 * @returns {string}
 */
export function render(node, options = {}) {
  const { resolve } = options;
  const again = (n) => render(n, options);
  if (!node) return '';
  if (resolve && (node.t === 'sym' || node.t === 'script' || node.t === 'accent')) {
    const value = resolve(node);
    if (value !== null && value !== undefined) return value;
  }
  switch (node.t) {
    case 'sym': {
      const text = escapeHtml(node.text);
      if (node.kind === 'var' && /^[a-zA-Z]$/.test(node.text)) return `<i>${text}</i>`;
      if (node.kind === 'op') return `<span class="tx-op">${text}</span><wbr>`;
      if (node.kind === 'punct' && node.text === ',') return ',<span class="tx-sp"></span>';
      if (node.kind === 'fn' && node.text.length > 1) return `<span class="tx-fn">${text}</span>`;
      return text;
    }
    case 'space':
      return node.width === '0' ? '' : `<span class="tx-space" style="width:${node.width}"></span>`;
    case 'group': {
      let out = '';
      let prev = null;
      for (const item of node.items) {
        const html = again(item);
        if (prev && (isValue(prev.html) || isValue(html)) && operandSide(prev.node, prev.html,
          'left') && operandSide(item, html, 'right')) out += '<span class="tx-op">·</span><wbr>';
        out += html;
        if (item.t !== 'space') prev = { node: item, html };
      }
      return out;
    }
    case 'frac':
      return `<span class="tx-frac"><span class="tx-num">${again(node.num)}</span>`
        + `<span class="tx-den">${again(node.den)}</span></span>`;
    case 'sqrt':
      return `<span class="tx-sqrt"><span class="tx-root">√</span>`
        + `<span class="tx-rad">${again(node.body)}</span></span>`;
    case 'accent': {
      const body = again(node.body);
      return `<span class="tx-acc">${body}${ACCENTS[node.accent]}</span>`;
    }
    case 'script': {
      const base = again(node.base) + (node.prime ? '′' : '');
      const sup = node.sup ? again(node.sup) : '';
      const sub = node.sub ? render(node.sub) : '';
      if (node.sup && node.sub) {
        return `${base}<span class="tx-ss"><span>${sup}</span><span>${sub}</span></span>`;
      }
      return base + (node.sup ? `<sup>${sup}</sup>` : '') + (node.sub ? `<sub>${sub}</sub>` : '');
    }
    default: return '';
  }
}

/** LaTeX source → HTML, in one call. */
export function typeset(latex) {
  return `<span class="tx">${render(parse(latex))}</span>`;
}
