/**
 * Sizes of the plot containers, kept current by a ResizeObserver, so that drawing a frame
 * never has to ask the browser for a layout (reading clientWidth after the panels changed
 * forces one, and in the middle of playback that costs more than the drawing).
 */

const sizes = new WeakMap();
const listeners = new Set();
const observer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const box = entry.contentBoxSize?.[0];
    sizes.set(entry.target, box ? { width: Math.round(box.inlineSize),
      height: Math.round(box.blockSize) } : { width: entry.contentRect.width,
      height: entry.contentRect.height });
  }
  for (const fn of listeners) fn();
});

/** The content size of `el` (measured once, then kept up to date). */
export function sizeOf(el) {
  let size = sizes.get(el);
  if (!size) {
    size = { width: el.clientWidth, height: el.clientHeight };
    sizes.set(el, size);
    observer.observe(el);
  }
  return size;
}

/** Call `fn` after any observed element changed size. */
export function onResize(fn) {
  listeners.add(fn);
}
