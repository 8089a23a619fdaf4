/**
 * A tiny element builder, so that controls are built in code (the Content-Security-Policy
 * forbids inline handlers, and string templates would need escaping everywhere).
 */

/**
 * Create an element.
 * @param {string} tag
 * @param {Object<string, *>} [props] `class`, `text`, `html` (trusted markup from our own
 *   renderers only), `dataset`, `style`, `on*` listeners, any other key becomes an attribute
 *   (`true` → present, `false`/`null`/`undefined` → absent).
 * @param {...(Node|string|null|false)} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'html') el.innerHTML = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style') Object.assign(el.style, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Escape text for the HTML our renderers build as strings. */
/** One row of a panel's list of numbers (`dl.numbers`): a name, its value, and what it is
 * when pointed at; `kind` classes the row (a mode may hide a kind). */
export function numberRow(name, value, title = '', kind = '') {
  return h('div', { class: kind ? `num-row ${kind}` : 'num-row', title }, h('dt', {}, name),
    h('dd', {}, value));
}

/** Images decoded from data URLs (a plot's PNG), ready to draw on a canvas. */
export function loadImages(urls) {
  return Promise.all(urls.map(async (url) => {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  }));
}

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

/**
 * Call `fn` at once, then at most once per `ms` with the latest arguments (the last call is
 * never lost), so a dragged slider re-runs the race as it moves, lightly, and ends on the
 * value it was released at.
 */
export function throttle(fn, ms) {
  let timer = null;
  let waiting = null;
  const fire = (args) => {
    fn(...args);
    timer = setTimeout(() => {
      timer = null;
      if (waiting) {
        const next = waiting;
        waiting = null;
        fire(next);
      }
    }, ms);
  };
  return (...args) => {
    if (timer === null) fire(args);
    else waiting = args;
  };
}

/**
 * Calls of `fn` (which returns a promise) made while one is running are merged into one: when
 * it settles, and at least `ms` after it began, the latest of them runs; the others are
 * dropped, and `cancel()` drops the waiting one. A dragged slider then re-runs the race as
 * often as races complete, none cut off halfway by the next (the server's work is never thrown
 * away, and every race drawn is a whole one).
 */
export function coalesce(fn, ms) {
  let running = false;
  let waiting = null;
  const run = async (args) => {
    running = true;
    const began = performance.now();
    try {
      await fn(...args);
    } finally {
      const rest = ms - (performance.now() - began);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
      running = false;
      if (waiting) {
        const next = waiting;
        waiting = null;
        run(next);
      }
    }
  };
  const call = (...args) => {
    if (running) waiting = args;
    else run(args);
  };
  call.cancel = () => {
    waiting = null;
  };
  return call;
}

/**
 * A group of buttons in the page (`#id button`) where each stands for one value, named by
 * its `data-<attr>`: `press(value)` marks that button pressed and the others not;
 * `onChoose(fn)` hears `fn(value, event)` when a button is clicked.
 */
export function switchGroup(id, attr) {
  const buttons = [...document.querySelectorAll(`#${id} button`)];
  return {
    press(value) {
      buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset[attr] === value)));
    },
    onChoose(fn) {
      buttons.forEach((b) => b.addEventListener('click', (event) => fn(b.dataset[attr], event)));
    },
  };
}
