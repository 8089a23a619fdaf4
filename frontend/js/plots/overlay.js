/**
 * A canvas laid over a Plotly cartesian plot, for everything that moves every frame.
 *
 * Plotly redraws a whole figure on any data change (a 151 × 151 contour costs tens of
 * milliseconds to re-render), so the plots draw their axes and backgrounds with Plotly once
 * per race and the trails, markers and arrows of each frame on this canvas, which takes a
 * millisecond. The canvas covers the whole graph div so that an export can lay it pixel for
 * pixel over Plotly's own image.
 */

export class Overlay {
  /** @param {HTMLElement} host positioned element holding the Plotly graph div */
  constructor(host) {
    this.host = host;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'overlay';
    host.append(this.canvas);
    this.ctx = this.canvas.getContext('2d');
    this.rect = { left: 0, top: 0, width: 1, height: 1 };
    this.xRange = [0, 1];
    this.yRange = [0, 1];
    this.yLog = false;
    this.width = 0;
    this.height = 0;
  }

  /**
   * Read the plot area and axis ranges Plotly settled on (its axis objects after layout:
   * `_offset`/`_length` are the plot area in pixels, `range` the data range; on a log axis
   * the range is in log₁₀ units) and size the canvas to the graph.
   */
  sync(gd) {
    const full = gd._fullLayout;
    const xa = full.xaxis;
    const ya = full.yaxis;
    this.rect = { left: xa._offset, top: ya._offset, width: xa._length, height: ya._length };
    this.xRange = [...xa.range];
    this.yRange = [...ya.range];
    this.yLog = ya.type === 'log';
    const dpr = window.devicePixelRatio || 1;
    this.width = full.width;
    this.height = full.height;
    const w = Math.round(full.width * dpr);
    const h = Math.round(full.height * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.canvas.style.width = `${full.width}px`;
      this.canvas.style.height = `${full.height}px`;
    }
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  /** Pixel column of data x. */
  px(x) {
    const [a, b] = this.xRange;
    return this.rect.left + ((x - a) / (b - a)) * this.rect.width;
  }

  /** Pixel row of data y (log₁₀ taken on a log axis). */
  py(y) {
    const v = this.yLog ? Math.log10(y) : y;
    const [a, b] = this.yRange;
    return this.rect.top + (1 - (v - a) / (b - a)) * this.rect.height;
  }

  /** Data coordinates under a pointer event, or null outside the plot area. */
  toData(event) {
    const box = this.canvas.getBoundingClientRect();
    const u = (event.clientX - box.left - this.rect.left) / this.rect.width;
    const v = (event.clientY - box.top - this.rect.top) / this.rect.height;
    if (u < 0 || u > 1 || v < 0 || v > 1) return null;
    const [xa, xb] = this.xRange;
    const [ya, yb] = this.yRange;
    const y = yb - v * (yb - ya);
    return [xa + u * (xb - xa), this.yLog ? 10 ** y : y];
  }

  /** Clear, and clip what follows to the plot area. */
  begin() {
    const { ctx } = this;
    ctx.save();
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.beginPath();
    ctx.rect(this.rect.left, this.rect.top, this.rect.width, this.rect.height);
    ctx.clip();
    return ctx;
  }

  end() {
    this.ctx.restore();
  }

  /**
   * The graph as one PNG: Plotly's image of the figure with this canvas drawn over it.
   * @returns {Promise<string>} a data: URL
   */
  async composite(gd, scale = 2) {
    const base = await Plotly.toImage(gd, { format: 'png', width: this.width,
      height: this.height, scale });
    const image = new Image();
    image.src = base;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = this.width * scale;
    canvas.height = this.height * scale;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    ctx.drawImage(this.canvas, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL('image/png');
  }
}

/** Draw an arrow from (x0, y0) to (x1, y1) in pixels, with a filled head. */
export function arrow(ctx, x0, y0, x1, y1, { color, width = 2.5, dash = [], head = 9 }) {
  const angle = Math.atan2(y1 - y0, x1 - x0);
  const length = Math.hypot(x1 - x0, y1 - y0);
  const h = Math.min(head, length * 0.6);
  const bx = x1 - h * 0.8 * Math.cos(angle);
  const by = y1 - h * 0.8 * Math.sin(angle);
  ctx.save();
  ctx.lineCap = 'round';
  for (const [stroke, w] of [['rgba(255,255,255,0.9)', width + 3], [color, width]]) {
    ctx.setLineDash(stroke === color ? dash : []);
    ctx.strokeStyle = stroke;
    ctx.lineWidth = w;
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(bx, by);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - h * Math.cos(angle - 0.42), y1 - h * Math.sin(angle - 0.42));
  ctx.lineTo(x1 - h * Math.cos(angle + 0.42), y1 - h * Math.sin(angle + 0.42));
  ctx.closePath();
  ctx.fillStyle = color;
  ctx.strokeStyle = 'rgba(255,255,255,0.9)';
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.fill();
  ctx.restore();
}

let fontFamily = null;

/** The page's font (read once: asking for computed style on every frame forces a layout). */
export function pageFont() {
  fontFamily ??= getComputedStyle(document.body).fontFamily;
  return fontFamily;
}

/** Text with a white outline, readable on any part of a plot. */
export function label(ctx, text, x, y, { color = '#1b2430', size = 13, align = 'left',
  baseline = 'middle', weight = 600 } = {}) {
  ctx.save();
  ctx.font = `${weight} ${size}px ${pageFont()}`;
  ctx.textAlign = align;
  ctx.textBaseline = baseline;
  ctx.lineJoin = 'round';
  ctx.lineWidth = 3.5;
  ctx.strokeStyle = 'rgba(255,255,255,0.95)';
  ctx.strokeText(text, x, y);
  ctx.fillStyle = color;
  ctx.fillText(text, x, y);
  ctx.restore();
}

/** Per-element memory of a plot: its Plotly div, its canvas overlay, and what it was last
 * drawn from (`key`, and `view`, the axis ranges drawn: Plotly.react keeps the old range of
 * an axis constrained to the other's scale (scaleanchor), so new ranges need a new plot).
 * `extra` adds a plot's own fields on first use. */
const holders = new WeakMap();

export function plotHolder(el, extra = () => ({})) {
  let m = holders.get(el);
  if (!m) {
    const graph = document.createElement('div');
    graph.className = 'graph';
    el.append(graph);
    m = { graph, overlay: new Overlay(el), key: null, view: '', ...extra() };
    holders.set(el, m);
  }
  return m;
}
