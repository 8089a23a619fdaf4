/**
 * Server errors shown beside the control that caused them.
 *
 * Controls register a slot under a key ("runs.2.hp.lr", "surface.expression", "steps"…);
 * an error's `loc` — a path into the request the page sent, or into a grid query — is
 * translated to such a key (request optimizer i is roster row `roster[i]`: switched-off rows
 * are not sent) and shown in the closest registered slot, or in the page's status line.
 */

import { h } from './dom.js';

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

/** Remove every message from the slots whose key starts with one of `prefixes`. */
export function clearErrors(...prefixes) {
  for (const [key, el] of slots) {
    if (!prefixes.length || prefixes.some((p) => key === p || key.startsWith(`${p}.`))) {
      el.replaceChildren();
      el.closest('.field, .run')?.classList.remove('has-error');
    }
  }
  if (!prefixes.length || prefixes.includes('race')) fallback?.replaceChildren();
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
    const message = h('div', { class: 'error', role: 'alert', dataset: { loc: key } }, item.msg);
    if (item.column && key === 'surface.expression' && source) {
      const at = item.column - 1;
      message.prepend(h('code', { class: 'caret' }, source.slice(0, at),
        h('mark', {}, source.slice(at, at + 1) || ' '), source.slice(at + 1)));
    }
    slot.replaceChildren(message);
    slot.closest('.field, .run')?.classList.add('has-error');
    for (let d = slot.closest('details'); d; d = d.parentElement?.closest('details')) d.open = true;
    reveal(slot);
  }
}
