/**
 * One map as it streams in: the meta line (what is mapped, the x axis, the tiles to come), a
 * coarse pass over the whole rectangle, then the full resolution in bands of rows, then the
 * summary (counts, the points reached, the theory, the y axis). Each piece is decoded once;
 * the plot draws the coarse pass under the bands that have arrived.
 */

import { decode, decodeCells } from './cells.js';

export class MapData {
  /** @param {Object} meta the stream's meta line  @param {Object} request what was posted */
  constructor(meta, request) {
    this.request = request;
    this.kind = meta.kind;
    this.surface = meta.surface;
    this.optimizer = meta.optimizer;
    this.steps = meta.steps;
    this.resolution = meta.resolution;
    this.statuses = meta.statuses;
    /** the colour of a cell that settled at no listed point, by status (from the server, as
     * the points' colours: a map looks the same here, in a PNG and in an HTML export) */
    this.statusColors = meta.status_colors;
    this.palest = meta.palest;
    this.x = meta.x;
    this.y = null;
    this.coarse = null;
    /** @type {{rows: number[], y: number[], cells: Object}[]} */
    this.tiles = [];
    this.expected = meta.tiles.length;
    this.progress = 0;
    this.summary = null;
    /** the points runs may end at, with their colours, in the order of the cells' `basin`
     * indices (the summary's list, with a typed formula's minima; until then the meta's) */
    this.points = meta.points;
  }

  get done() {
    return Boolean(this.summary);
  }

  addCoarse(event) {
    this.coarse = { x: event.x, y: event.y, cells: decodeCells(event.cells) };
    this.progress = event.progress;
  }

  addTile(event) {
    this.tiles.push({ rows: event.rows, y: event.y, cells: decodeCells(event.cells) });
    this.progress = event.progress;
  }

  /** The whole map's outcome; a typed formula's minima, numbered over the whole map, renumber
   * every tile's basins. */
  finish(summary) {
    this.summary = summary;
    this.points = summary.points;
    this.y = summary.y;
    this.progress = 1;
    if (summary.basin) {
      const basin = decode(summary.basin);
      let offset = 0;
      for (const tile of this.tiles) {
        const n = tile.cells.rows * tile.cells.cols;
        tile.cells.basin = basin.slice(offset, offset + n);
        offset += n;
      }
    }
  }

  /** The cells the map's colours are scaled on: all of them once complete, else the coarse
   * pass. */
  overview() {
    return this.done ? this.fine()?.cells : this.coarse?.cells;
  }

  /** The full-resolution rows received so far, as one block: y centres and cells. */
  fine() {
    if (!this.tiles.length) return null;
    const cols = this.tiles[0].cells.cols;
    const rows = this.tiles.reduce((n, t) => n + t.cells.rows, 0);
    const join = (name, Type, width = 1) => {
      const out = new Type(rows * cols * width);
      let offset = 0;
      for (const t of this.tiles) {
        out.set(t.cells[name], offset);
        offset += t.cells[name].length;
      }
      return out;
    };
    return { y: this.tiles.flatMap((t) => t.y), cells: { rows, cols,
      status: join('status', Int8Array), basin: join('basin', Int16Array),
      step: join('step', Int32Array), loss: join('loss', Float32Array),
      final: join('final', Float32Array, 2) } };
  }
}
