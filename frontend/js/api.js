/**
 * Everything the page asks the server, and nothing from anywhere else.
 *
 * Requests on one `channel` supersede each other: starting one aborts the previous, so
 * dragging a slider never lets an old race land after a newer one. Errors arrive as
 * `ApiError` with the server's `detail` items (`loc`, `msg`, `column`…), which the page
 * shows beside the control that caused them.
 */

import { languageTag, tr } from './i18n.js';

const BASE = 'api/v1';

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status (0: the server could not be reached)
   * @param {{loc: (string|number)[], msg: string, type: string, column?: number}[]} detail
   */
  constructor(status, detail) {
    super(detail.map((d) => d.msg).join('; '));
    this.status = status;
    this.detail = detail;
  }
}

const controllers = new Map();

/** A fresh AbortSignal for `channel`, aborting the request that channel had in flight. */
export function supersede(channel) {
  controllers.get(channel)?.abort();
  const controller = new AbortController();
  controllers.set(channel, controller);
  return controller.signal;
}

/** Whether an error only says that a newer request replaced this one. */
export function isAbort(error) {
  return error?.name === 'AbortError';
}

async function failure(response) {
  let detail;
  try {
    detail = (await response.json()).detail;
  } catch {
    detail = null;
  }
  if (!Array.isArray(detail)) {
    detail = [{ loc: [], msg: `the server answered ${response.status} ${response.statusText}`,
      type: 'http_error' }];
  }
  return new ApiError(response.status, detail);
}

/**
 * fetch, retried while the server says it is busy (503 + Retry-After: every computing slot
 * was taken, e.g. by a whole classroom pressing play at once).
 */
async function request(url, init = {}, tries = 3) {
  let response;
  // the server says its errors in the page's language
  const headers = { ...init.headers, 'Accept-Language': languageTag() };
  try {
    response = await fetch(url, { ...init, headers });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(0, [{ loc: [], msg: tr('app.unreachable'), type: 'network' }]);
  }
  if (response.status === 503 && tries > 1) {
    const wait = Number(response.headers.get('Retry-After') || 1) * 1000;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, wait);
      init.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new DOMException('superseded', 'AbortError'));
      });
    });
    return request(url, init, tries - 1);
  }
  if (!response.ok) throw await failure(response);
  return response;
}

/** GET a JSON document of the API. */
export async function getJSON(path, signal) {
  return (await request(`${BASE}/${path}`, { signal })).json();
}

/** The catalogues (the networks lab's included) and the limits, fetched together at
 * start-up, their names and notes in `lang`. */
export async function catalogues(lang) {
  const names = ['surfaces', 'optimizers', 'schedules', 'run_options', 'scenarios', 'networks',
    'limits'];
  const docs = await Promise.all(names.map((n) => getJSON(`${n.replace('_', '-')}?lang=${lang}`)));
  return Object.fromEntries(names.map((n, i) => [n, docs[i]]));
}

/**
 * The loss on a grid for a surface spec (`{id, params, view}` or `{expression, view}`).
 * An expression is checked and typeset by the server on the way.
 */
/** Where a scenario's gallery picture is (an SVG the browser caches). */
export function thumbnailUrl(scenarioId) {
  return `${BASE}/scenarios/${encodeURIComponent(scenarioId)}/thumbnail.svg`;
}

export async function grid(spec, resolution, signal) {
  const query = new URLSearchParams({ resolution: String(resolution) });
  if (spec.view) spec.view.forEach((v) => query.append('view', String(v)));
  let path;
  if (spec.expression !== undefined) {
    query.set('expression', spec.expression);
    path = 'expressions/grid';
  } else {
    if (spec.params && Object.keys(spec.params).length) {
      query.set('params', JSON.stringify(spec.params));
    }
    path = `surfaces/${encodeURIComponent(spec.id)}/grid`;
  }
  return getJSON(`${path}?${query}`, signal);
}

const JSON_POST = (body, signal) => ({ method: 'POST', signal, body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json' } });

/** POST a race and get the whole document back (used for the JSON export). */
export async function race(body, signal) {
  return (await request(`${BASE}/races`, JSON_POST(body, signal))).json();
}

/** POST a network race and get the whole document back (used for the JSON export). */
export async function networkRace(body, signal) {
  return (await request(`${BASE}/networks/races`, JSON_POST(body, signal))).json();
}

/** P(class 1) over the dataset's box for one run of a network race at one frame. */
export async function boundary(body, signal) {
  return (await request(`${BASE}/networks/boundary`, JSON_POST(body, signal))).json();
}

/** POST a JSON body to the API and get its JSON answer (a search, a comparison). */
export async function postJSON(path, body, signal) {
  return (await request(`${BASE}/${path}`, JSON_POST(body, signal))).json();
}

/**
 * Answers for what is on screen, one request at a time: `ask(key, body)` posts `body` to
 * `path` unless `key` is the one shown or already asked for (then it returns false); a
 * newer ask aborts the older, and only the latest answer reaches `show` (or its failure,
 * `fail`). A key that failed is not asked again: the same body would fail the same way.
 * @param {string} path  @param {string} channel
 * @param {{show: (data: Object, key: string) => void, fail: (error: Error) => void}} on
 * @returns {(key: string, body: Object) => boolean}
 */
export function latestAnswer(path, channel, { show, fail }) {
  let shown = '';
  let wanted = '';
  async function fetchFor(key, body) {
    try {
      const data = await postJSON(path, body, supersede(channel));
      if (key !== wanted) return;
      shown = key;
      show(data, key);
    } catch (error) {
      if (!isAbort(error) && key === wanted) fail(error);
    }
  }
  return (key, body) => {
    if (key === shown || key === wanted) return false;
    wanted = key;
    fetchFor(key, body);
    return true;
  };
}

/** POST a map (`kind`: basins or hyperparameters) and get the whole document (the JSON export). */
export async function mapDocument(kind, body, signal) {
  return (await request(`${BASE}/maps/${kind}`, JSON_POST(body, signal))).json();
}

/** A map as a file the API encodes (`format`: csv or npz), as a Blob. */
export async function mapExport(kind, body, format, signal) {
  return (await request(`${BASE}/maps/${kind}/export?format=${format}`,
    JSON_POST(body, signal))).blob();
}

/**
 * POST a race (or a map: then its events are `meta`, `coarse`, `tile`s, `summary`) to an
 * NDJSON stream (`races/stream`, or `networks/races/stream`) and hand
 * each event to its handler as it arrives: `meta`, then `frame`s, then `summary`. An
 * `error` line (a failure midway) is thrown.
 * @param {Object} body
 * @param {{meta: Function, frame: Function, summary: Function}} on
 * @param {AbortSignal} signal
 * @param {string} [path]
 */
export async function streamRace(body, on, signal, path = 'races/stream') {
  const response = await request(`${BASE}/${path}`, JSON_POST(body, signal));
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const handle = (line) => {
    if (!line.trim()) return;
    const event = JSON.parse(line);
    if (event.type === 'error') throw new ApiError(500, event.detail);
    on[event.type]?.(event);
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      handle(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  }
  handle(buffer + decoder.decode());
}
