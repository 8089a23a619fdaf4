/**
 * Transport icons as inline SVG: the Unicode media symbols (⏮ ⏵ ⏸) are missing from many
 * system fonts, and a lecture-room PC is no place to find that out.
 */

const PATHS = {
  play: '<path d="M7 4.5v15l12-7.5z"/>',
  pause: '<path d="M6.5 4.5h4v15h-4zM13.5 4.5h4v15h-4z"/>',
  start: '<path d="M5 4.5h2.6v15H5zM9 12l10-7.5v15z"/>',
  back: '<path d="M15.5 4.5h2.6v15h-2.6zM4.5 12l10-7.5v15z"/>',
  forward: '<path d="M5.9 4.5h2.6v15H5.9zM9.5 4.5l10 7.5-10 7.5z"/>',
  loop: '<path d="M17 7H8a5 5 0 0 0 0 10h1.5v-2.4H8a2.6 2.6 0 0 1 0-5.2h9V12l4-3.7L17 4.6z"/>',
};

/** An icon as an SVG element (decorative: the button carries the label). */
export function icon(name) {
  const wrap = document.createElement('span');
  wrap.className = 'ico';
  wrap.innerHTML = `<svg viewBox="0 0 24 24" width="1.1em" height="1.1em" aria-hidden="true" `
    + `fill="currentColor">${PATHS[name]}</svg>`;
  return wrap.firstChild;
}
