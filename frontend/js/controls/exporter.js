/**
 * Taking the race out of the room: a link that reproduces it (the state is in the URL
 * hash), a PNG of the plots as shown, the API's JSON document of the race, and a CSV.
 */

import { h } from '../dom.js';

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

/** Two images side by side on one white canvas. */
async function sideBySide(urls) {
  const images = await Promise.all(urls.map(async (url) => {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  }));
  const canvas = document.createElement('canvas');
  canvas.width = images.reduce((w, i) => w + i.width, 0);
  canvas.height = Math.max(...images.map((i) => i.height));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  let x = 0;
  for (const image of images) {
    ctx.drawImage(image, x, 0);
    x += image.width;
  }
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
}

/**
 * @param {HTMLElement} root
 * @param {{images: () => Promise<string[]>, report: () => ?Promise<Object>,
 *   csv: () => ?string, name: () => string, say: (text: string) => void}} ctx
 *   what the lab on screen exports: its views as PNG data URLs, the API's document of its
 *   race (null: no race), its race as CSV
 */
export function exportControl(root, { images, report, csv, name, say }) {
  const guard = (action) => async () => {
    try {
      await action();
    } catch (error) {
      say(`Export failed: ${error.message}`);
    }
  };
  const png = guard(async () => {
    const urls = await images();
    download(`${name()}.png`, urls.length > 1 ? await sideBySide(urls)
      : await dataUrlToBlob(urls[0]));
  });
  const json = guard(async () => {
    const pending = report();
    if (!pending) return;
    download(`${name()}.json`, new Blob([JSON.stringify(await pending)],
      { type: 'application/json' }));
  });
  const text = guard(() => {
    const table = csv();
    if (table) download(`${name()}.csv`, new Blob([table], { type: 'text/csv' }));
  });
  const link = guard(async () => {
    // the clipboard needs a secure origin: a lecture server reached by its LAN address is not
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(window.location.href);
      say('Link copied: it reproduces this race exactly.');
    } else {
      window.prompt('Copy this link: it reproduces this race exactly.', window.location.href);
    }
  });
  const button = (label, title, action, id) => h('button', { type: 'button', class: 'small',
    title, id, onclick: action }, label);
  root.append(
    button('Copy link', 'copy a link that reproduces this race', link, 'export-link'),
    button('PNG', 'download the plots as a PNG image', png, 'export-png'),
    button('JSON', 'download the race as the API returns it', json, 'export-json'),
    button('CSV', 'download every step of every run as CSV', text, 'export-csv'),
  );
}
