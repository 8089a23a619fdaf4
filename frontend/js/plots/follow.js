/**
 * Keeps an expensive view on the player's frame without holding the other views back.
 *
 * The 3-D view costs a WebGL redraw per frame: nothing on a graphics card, but a tenth of a
 * second on a laptop without one (or in software rendering), where drawing it on every frame
 * would drag the contour down with it. While the race plays, the view is redrawn with the
 * latest frame as soon as it is free, but spends at most its `share` of the time drawing
 * (a fifth beside the contour; most of it when it is the only view), and always after the
 * cheap views have reached the screen. The last request is always drawn, so whenever the
 * playback rests every view shows the same frame.
 */

/** The longest pause between two redraws (ms), however slow the last one was. */
const MAX_PAUSE = 400;

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

/**
 * @param {(...args: *) => Promise<void>} render
 * @returns {{follow: (args: Array, share?: number) => void, hold: (ms: number) => void,
 *   flush: () => Promise<void>}}
 *   `follow` asks for a redraw with `args`, the view taking at most `share` (0…1) of the
 *   time; `hold` keeps the view still for a while (a slider is being dragged, and every
 *   moment of the main thread should go to the views that keep up with it); `flush` draws
 *   the latest request at once and resolves when the view shows it
 */
export function follower(render) {
  let wanted = null;
  let running = false;
  let cost = 0;
  let finished = 0;
  let heldUntil = 0;
  let share = 1 / 3;
  // Draws run one after another, never two at once on the same view.
  let drawing = Promise.resolve();
  const draw = (job) => {
    drawing = drawing.catch(() => {}).then(() => render(...job.args));
    return drawing;
  };
  async function pump() {
    running = true;
    while (wanted) {
      // let the cheap views reach the screen first
      await nextFrame();
      await new Promise((resolve) => setTimeout(resolve, 0));
      // (the first draw builds the WebGL scene and takes seconds: it says nothing of the next)
      for (;;) {
        const wait = Math.max(finished + Math.min(cost * (1 / share - 1), MAX_PAUSE), heldUntil)
          - performance.now();
        if (wait <= 0) break;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      if (!wanted) break; // (a flush drew it meanwhile)
      const job = wanted;
      wanted = null;
      const began = performance.now();
      await draw(job);
      // WebGL draws on the next animation frame: count that in the cost
      await nextFrame();
      await nextFrame();
      finished = performance.now();
      cost = finished - began;
    }
    running = false;
  }
  return {
    follow(args, part = 1 / 3) {
      wanted = { args };
      share = part;
      if (!running) pump();
    },
    hold(ms) {
      heldUntil = Math.max(heldUntil, performance.now() + ms);
    },
    /** An export must show this view at the frame the others show, drawn or not yet. */
    flush() {
      if (wanted) {
        draw(wanted);
        wanted = null;
      }
      return drawing;
    },
  };
}
