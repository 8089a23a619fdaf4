/**
 * Taking the race out of the room: a link that reproduces it (the state is in the URL
 * hash), a PNG of the plots as shown, the API's JSON document of the race, and a CSV.
 */

import { h, loadImages } from '../dom.js';
import { drawCritical, drawOutcome, paintMarker } from '../palette.js';
import { tr } from '../i18n.js';

/** Export images are drawn at twice the screen's size. */
const SCALE = 2;
// Vazirmatn (bundled, Arabic script only) says a Persian caption; the rest falls through.
const FONT = 'Vazirmatn, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, '
  + 'sans-serif';

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function dataUrlToBlob(url) {
  return (await fetch(url)).blob();
}

/**
 * The legend's entries laid out in rows of `width` px (at scale 1): [{x, y, entry}], height.
 */
function flow(ctx, entries, width, size) {
  const placed = [];
  let x = 0;
  let y = 0;
  for (const entry of entries) {
    const w = size * 2.6 + ctx.measureText(entry.text).width + size * 1.4;
    if (x > 0 && x + w > width) {
      x = 0;
      y += size * 1.7;
    }
    placed.push({ x, y, entry });
    x += w;
  }
  return { placed, height: y + size * 1.7 };
}

/**
 * The plots side by side on one white canvas, under a heading (the title, the step, the start)
 * and over a legend (each run with its look and settings, the critical points and outcome
 * marks shown): a picture that can be read on its own, in a report or on a slide.
 */
async function compose(urls, caption) {
  const images = await loadImages(urls);
  const plotsWidth = images.reduce((w, i) => w + i.width, 0);
  const plotsHeight = Math.max(...images.map((i) => i.height));
  const width = plotsWidth / SCALE;
  const size = 14;
  const probe = document.createElement('canvas').getContext('2d');
  probe.font = `500 ${size}px ${FONT}`;
  const entries = caption ? [
    ...caption.runs.map((r) => ({ kind: 'run', style: r.style, text: r.text })),
    ...caption.critical.map((k) => ({ kind: 'critical', key: k, text: tr(`critical.${k}`) })),
    ...caption.outcomes.map((k) => ({ kind: 'outcome', key: k, text: tr(`outcome.${k}_name`) })),
    ...(caption.extra ?? []).map((e) => ({ kind: 'drawn', draw: e.draw, text: e.text })),
  ] : [];
  const legend = flow(probe, entries, width - 24, size);
  const head = caption ? 58 : 0;
  const foot = caption ? legend.height + 16 : 0;
  const canvas = document.createElement('canvas');
  canvas.width = plotsWidth;
  canvas.height = plotsHeight + (head + foot) * SCALE;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  let x = 0;
  for (const image of images) {
    ctx.drawImage(image, x, head * SCALE);
    x += image.width;
  }
  if (caption) {
    ctx.scale(SCALE, SCALE);
    ctx.fillStyle = '#1b2430';
    ctx.textBaseline = 'top';
    fitText(ctx, caption.title, 700, 19, width - 24, 12, 10);
    ctx.fillStyle = '#3b4756';
    fitText(ctx, caption.subtitle, 500, size, width - 24, 12, 34);
    const top = head + plotsHeight / SCALE + 8;
    ctx.textBaseline = 'middle';
    for (const { x: lx, y: ly, entry } of legend.placed) {
      const cx = 12 + lx;
      const cy = top + ly + size * 0.8;
      if (entry.kind === 'run') {
        ctx.save();
        ctx.strokeStyle = entry.style.color;
        ctx.lineWidth = 2.5;
        ctx.setLineDash(entry.style.dash.map((d) => d * 2.5));
        ctx.beginPath();
        ctx.moveTo(cx, cy);
        ctx.lineTo(cx + size * 2.2, cy);
        ctx.stroke();
        ctx.restore();
        paintMarker(ctx, { ...entry.style, edge: '#1b2430' }, cx + size * 1.1, cy, size * 0.4);
      } else if (entry.kind === 'drawn') {
        entry.draw(ctx, cx + size * 1.1, cy, size * 0.4);
      } else if (entry.kind === 'critical') {
        drawCritical(ctx, entry.key, cx + size * 1.1, cy, size * 0.45);
      } else drawOutcome(ctx, entry.key, cx + size * 1.1, cy, size * 0.45);
      ctx.fillStyle = '#1b2430';
      ctx.font = `500 ${size}px ${FONT}`;
      ctx.fillText(entry.text, cx + size * 2.6, cy);
    }
  }
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
}

/** Draw `text` at (x, y) within `room` px: in a smaller type down to two thirds of `size`
 * if need be, then cut with an ellipsis (a long title in a long language). */
function fitText(ctx, text, weight, size, room, x, y) {
  let px = size;
  ctx.font = `${weight} ${px}px ${FONT}`;
  const wide = ctx.measureText(text).width;
  if (wide > room) {
    px = Math.max(Math.floor(size * room / wide), Math.ceil(size * 2 / 3));
    ctx.font = `${weight} ${px}px ${FONT}`;
  }
  let shown = text;
  while (shown.length > 1 && ctx.measureText(shown).width > room) {
    shown = `${shown.slice(0, -2)}…`;
  }
  ctx.fillText(shown, x, y + (size - px) / 2);
}

/**
 * @param {HTMLElement} root
 * @param {{images: () => Promise<string[]>, report: () => ?Promise<Object>,
 *   csv: () => ?string, name: () => string, say: (text: string) => void,
 *   caption?: () => ?Object}} ctx
 *   what the lab on screen exports: its views as PNG data URLs (at twice their size), the
 *   API's document of its race (null: no race), its race as CSV, and what the picture shows
 *   (`{title, subtitle, runs: [{style, text}], critical, outcomes, extra}`; `extra`: entries
 *   drawn by their own `draw(ctx, x, y, r)`), its arrays as an NPZ Blob (`npz`), and
 *   whether it `offers` an export at all
 */
export function exportControl(root, { images, report, csv, name, say, caption = () => null,
  npz = () => null, offers = () => false }) {
  const guard = (action) => async () => {
    try {
      await action();
    } catch (error) {
      say(tr('export.failed', { error: error.message }));
    }
  };
  const png = guard(async () => {
    const urls = await images();
    const about = caption();
    download(`${name()}.png`, urls.length > 1 || about ? await compose(urls, about)
      : await dataUrlToBlob(urls[0]));
  });
  const json = guard(async () => {
    const pending = report();
    if (!pending) return;
    download(`${name()}.json`, new Blob([JSON.stringify(await pending)],
      { type: 'application/json' }));
  });
  const text = guard(async () => {
    const table = await csv();
    if (table) download(`${name()}.csv`, new Blob([table], { type: 'text/csv' }));
  });
  const arrays = guard(async () => {
    const file = await npz();
    if (file) download(`${name()}.npz`, file);
  });
  const link = guard(async () => {
    // the clipboard needs a secure origin: a lecture server reached by its LAN address is not
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(window.location.href);
      say(tr('export.link_copied'));
    } else {
      window.prompt(tr('export.copy_prompt'), window.location.href);
    }
  });
  const button = (label, title, action, id) => h('button', { type: 'button', class: 'small',
    title, id, onclick: action }, label);
  root.append(
    button(tr('export.link'), tr('export.link_title'), link, 'export-link'),
    button('PNG', tr('export.png_title'), png, 'export-png'),
    button('JSON', tr('export.json_title'), json, 'export-json'),
    button('CSV', tr('export.csv_title'), text, 'export-csv'),
    button('NPZ', tr('export.npz_title'), arrays, 'export-npz'),
  );
  const npzButton = root.querySelector('#export-npz');
  /** Show the buttons the lab on screen offers (only a map has arrays). */
  return { refresh: () => { npzButton.hidden = !offers('npz'); } };
}
