/**
 * Errors shown beside the control that caused them, in plain words.
 *
 * Controls register a slot under a key ("runs.2.hp.lr", "surface.expression", "steps"…);
 * an error's `loc` — a path into the request the page sent, or into a grid query — is
 * translated to such a key (request optimizer i is roster row `roster[i]`: switched-off rows
 * are not sent) and shown in the closest registered slot, or in the page's status line.
 * Controls may also report a value they refuse before anything is sent (`invalid`). While any
 * error is shown, <body> carries `input-invalid`, and the page dims the race on screen: it
 * no longer matches what the controls say.
 */

import { h } from './dom.js';
import { tr } from './i18n.js';
import { num } from './format.js';

const slots = new Map();
let fallback = null;
let reveal = () => {};

/** The slot of last resort (the status line). */
export function setFallback(el) {
  fallback = el;
}

/** `fn(slot)` brings a slot into view (its panel may be behind another tab). */
export function onReveal(fn) {
  reveal = fn;
}

/** Make `el` show the errors for `key`; a control built again registers its new element. */
export function registerSlot(key, el) {
  slots.set(key, el);
  el.classList.add('error-slot');
}

/** The slot key of an error's loc. */
function keyOf(loc, roster = []) {
  const path = ['body', 'query'].includes(loc[0]) ? loc.slice(1) : [...loc];
  if (path[0] === 'request') path.shift();
  const [head, ...rest] = path;
  if (head === 'expression') return 'surface.expression';
  if (head === 'params') return ['surface', 'params', ...rest].join('.');
  if (head === 'optimizers' && Number.isInteger(rest[0])) {
    const row = roster[rest[0]] ?? rest[0];
    const [, kind, name] = rest;
    if (kind === 'hyperparameters') return `runs.${row}.hp.${name}`;
    if (kind === 'schedule') return [`runs.${row}.schedule`, ...rest.slice(2)].join('.');
    return [`runs.${row}`, ...rest.slice(1)].join('.');
  }
  if (head === undefined) return 'race';
  return path.join('.');
}

function slotFor(key) {
  const parts = key.split('.');
  while (parts.length) {
    const slot = slots.get(parts.join('.'));
    if (slot?.isConnected) return slot;
    parts.pop();
  }
  return slots.get('race')?.isConnected ? slots.get('race') : fallback;
}

/** Mark the page while any slot shows an error (the race on screen is then stale). */
function refreshInvalid() {
  const any = [...slots.values()].some((el) => el.isConnected && el.childElementCount > 0)
    || Boolean(fallback?.childElementCount);
  document.body.classList.toggle('input-invalid', any);
}

/**
 * A control's own verdict on its value: `message` shown in the slot `key` (null clears it).
 * Nothing is sent to the server for a refused value.
 */
export function invalid(key, message) {
  const slot = slots.get(key);
  if (!slot) return;
  if (message) {
    slot.replaceChildren(h('div', { class: 'error', role: 'alert', dataset: { loc: key } },
      message));
    slot.closest('.field, .run')?.classList.add('has-error');
    reveal(slot);
  } else {
    slot.replaceChildren();
    slot.closest('.field, .run')?.classList.remove('has-error');
  }
  refreshInvalid();
}

/** `text` without its parenthesised asides, nested ones included (a limit's arithmetic). */
function withoutAsides(text) {
  let out = text;
  let before;
  do {
    before = out;
    out = out.replace(/\s*\([^()]*\)/g, '');  // the innermost asides, then the next layer
  } while (out !== before);
  return out;
}

/**
 * An API error item in words for the page: a limit without the name of the server setting
 * behind it or the arithmetic in parentheses (cutting at the first parenthesis instead left
 * "this race passes 37697 weights ×"), a range as "between a and b". Anything else is shown
 * as the API wrote it.
 */
export function plainMessage(item) {
  if (item.type === 'limit_exceeded' && item.limit !== undefined) {
    if (keyOf(item.loc ?? []) === 'surface.expression') {
      return tr('error.formula_too_long', { limit: item.limit });
    }
    const what = withoutAsides(item.msg).split(/[;:]/)[0].trim()
      .replace(/^./, (c) => c.toUpperCase());
    return tr('error.at_most', { what, limit: item.limit });
  }
  const range = item.msg.match(/^(?:hyperparameter|parameter) '(\w+)' of (.+?) must lie in \[(.+?), (.+?)\], got (.+)$/);
  if (range) {
    const [, name, owner, lo, hi] = range;
    return tr('error.owner_range', { owner, name, low: num(Number(lo)), high: num(Number(hi)) });
  }
  return item.msg.replace(/\s*\(DESCENTLAB_[A-Z_]+\)/g, '');
}

/** The stretch of `source` around column `at` (0-based): the mistake in its context, not an
 * echo of everything typed. */
function around(source, at, reach = 18) {
  const from = Math.max(0, at - reach);
  const to = Math.min(source.length, at + reach + 1);
  return [`${from > 0 ? '…' : ''}${source.slice(from, at)}`, source.slice(at, at + 1) || ' ',
    `${source.slice(at + 1, to)}${to < source.length ? '…' : ''}`];
}

/** Remove every message from the slots whose key starts with one of `prefixes`. */
export function clearErrors(...prefixes) {
  for (const [key, el] of slots) {
    if (!prefixes.length || prefixes.some((p) => key === p || key.startsWith(`${p}.`))) {
      el.replaceChildren();
      el.closest('.field, .run')?.classList.remove('has-error');
    }
  }
  if (!prefixes.length || prefixes.includes('race')) fallback?.replaceChildren();
  refreshInvalid();
}

/**
 * Show an ApiError's items. An expression error with a column also points at the character.
 * @param {{detail: Object[]}} error
 * @param {number[]} [roster]
 * @param {string} [source] text the columns refer to (the expression as typed)
 * @param {string} [scope] prefix of the keys outside the roster (`net`: the networks lab's
 *   controls, whose fields share names such as `steps` with the surfaces lab's)
 */
export function showErrors(error, roster = [], source = '', scope = '') {
  for (const item of error.detail) {
    let key = keyOf(item.loc, roster);
    if (scope && !key.startsWith('runs.')) key = `${scope}.${key}`;
    const slot = slotFor(key);
    if (!slot) continue;
    // "what is wrong: what to do instead" — the advice in ordinary weight, after the fault
    const [fault, ...advice] = plainMessage(item).split(/(?<=column \d+): /);
    const message = h('div', { class: 'error', role: 'alert', dataset: { loc: key } },
      h('span', {}, fault), advice.length ? h('span', { class: 'advice' },
        `: ${advice.join(': ')}`) : null);
    if (item.column && key === 'surface.expression' && source
      && item.type !== 'limit_exceeded') {
      const [before, at, after] = around(source, item.column - 1);
      message.prepend(h('code', { class: 'caret' }, before, h('mark', {}, at), after));
    }
    slot.replaceChildren(message);
    slot.closest('.field, .run')?.classList.add('has-error');
    for (let d = slot.closest('details'); d; d = d.parentElement?.closest('details')) d.open = true;
    reveal(slot);
  }
  refreshInvalid();
}
