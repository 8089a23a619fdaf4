/**
 * Numbers as people read them: a few significant digits, powers of ten written as
 * superscripts (10⁻⁸, not 1e-8), a true minus sign, and "—" where the API sent null
 * (a value that was not finite).
 */

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶',
  7: '⁷', 8: '⁸', 9: '⁹' };

/** Digits as Unicode superscripts ("-12" → "⁻¹²"). */
function superscript(text) {
  return String(text).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c]);
}

/** Digits as Unicode subscripts (2 → "₂"): a layer's number on its weights, W₂. */
export function subscript(text) {
  return String(text).replace(/[0-9]/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[d]);
}

/**
 * @param {number|null} value
 * @param {number} [digits] significant digits
 * @returns {string}
 */
export function num(value, digits = 4) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  let text;
  if (abs >= 1e-3 && abs < 1e5) {
    text = String(Number(value.toPrecision(digits)));
  } else {
    const [mantissa, exponent] = value.toExponential(digits - 1).split('e');
    const m = String(Number(mantissa));
    const power = `10${superscript(Number(exponent))}`;
    text = m === '1' ? power : m === '-1' ? `-${power}` : `${m}×${power}`;
  }
  text = text.replace(/^-/, '−');
  return text.startsWith('−') ? leftToRight(text) : text;
}

/** A 2-vector as "(a, b)". */
export function pair(x, y, digits = 4) {
  return leftToRight(`(${num(x, digits)}, ${num(y, digits)})`);
}

/**
 * Math reads left to right in a right-to-left page too: there a negative number or a pair is
 * held between left-to-right marks (U+200E), or the page's direction would move its minus
 * sign to the right and swap its coordinates. (Marks, not isolates: Chromium ignored the
 * isolates inside text set in Vazirmatn.) A left-to-right page gets the text unchanged.
 */
export function leftToRight(text) {
  const rtl = typeof document !== 'undefined' && document.documentElement.dir === 'rtl';
  return rtl ? `\u200e${text}\u200e` : text;
}

/** A number as an <input> shows it: plain JS notation, rounded to what a slider can set. */
export function inputValue(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  return String(Number(value.toPrecision(6)));
}
