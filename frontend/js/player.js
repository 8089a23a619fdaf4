/**
 * The playback clock: one requestAnimationFrame loop that moves a frame index at `speed`
 * steps per second and asks for a draw whenever the whole-number frame changes.
 *
 * Every view draws from the one index it hands out, so the contour, the 3-D surface, the
 * loss chart and the inspector are always on the same frame. While a race is still
 * streaming in, playback waits at the last frame that has arrived.
 */

/**
 * @param {{draw: (frame: number) => void, changed: (player: Object) => void}} hooks
 *   `draw` renders a frame; `changed` hears play/pause/seek/limit changes (for the buttons).
 */
export function createPlayer(hooks) {
  let position = 0; // fractional frame
  let playing = false;
  let speed = 60;
  let loop = false;
  let available = -1; // last frame that has arrived
  let total = 0; // last frame of the whole race
  let drawn = -1;
  let last = 0;
  let request = 0;
  /** frames drawn by the loop, for the benchmark's frames-per-second count */
  const stats = { ticks: 0, drawn: 0 };

  const frame = () => Math.max(0, Math.min(Math.floor(position), Math.max(available, 0)));

  function draw(force = false) {
    const t = frame();
    if (!force && t === drawn) return;
    drawn = t;
    stats.drawn += 1;
    hooks.draw(t);
  }

  /** Outside the clock (seeks, streamed frames, state changes) draws are gathered into one
   * per animation frame: a stream can deliver several frame lines at once. */
  let pending = 0;
  let forced = false;
  function drawSoon(force = false) {
    forced ||= force;
    if (pending || playing) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      const f = forced;
      forced = false;
      if (!playing) draw(f);
    });
  }

  function tick(now) {
    request = 0;
    if (!playing) return;
    stats.ticks += 1;
    const dt = Math.min(now - last, 100) / 1000;
    last = now;
    position += dt * speed;
    if (available < total) {
      position = Math.min(position, available + 0.999);
    } else if (position >= total + 1) {
      if (loop) position = 0;
      else {
        position = total;
        playing = false;
        draw();
        hooks.changed(api);
        return;
      }
    }
    draw();
    request = requestAnimationFrame(tick);
  }

  const api = {
    stats,
    get frame() {
      return frame();
    },
    get playing() {
      return playing;
    },
    get total() {
      return total;
    },
    get atEnd() {
      return frame() >= total;
    },
    play() {
      if (playing || total <= 0) return;
      if (frame() >= total) position = 0;
      playing = true;
      last = performance.now();
      request = requestAnimationFrame(tick);
      hooks.changed(api);
    },
    pause() {
      if (!playing) return;
      playing = false;
      if (request) cancelAnimationFrame(request);
      request = 0;
      position = frame();
      hooks.changed(api);
    },
    toggle() {
      if (playing) api.pause();
      else api.play();
    },
    /** Jump to frame `t` (clamped), pausing playback. */
    seek(t) {
      api.pause();
      position = Math.max(0, Math.min(Math.round(t), total));
      drawSoon();
      hooks.changed(api);
    },
    step(delta) {
      api.seek(frame() + delta);
    },
    setSpeed(stepsPerSecond) {
      speed = stepsPerSecond;
    },
    setLoop(on) {
      loop = on;
    },
    /**
     * A new race (or more of it): `arrived` frames are in, of `steps`. `at` puts the
     * playhead somewhere ('end' follows the race as it streams in).
     */
    load(arrived, steps, at) {
      available = arrived;
      total = steps;
      if (at === 'end') position = steps;
      else if (typeof at === 'number') position = Math.min(at, steps);
      drawn = -1;
      drawSoon(true);
      hooks.changed(api);
    },
    /** More frames of the same race have arrived: a playhead waiting for them moves on. */
    extend(arrived) {
      available = arrived;
      drawSoon(true);
      hooks.changed(api);
    },
    /** Draw the current frame again (the data or the look changed, not the frame). */
    redraw() {
      drawSoon(true);
    },
  };
  return api;
}
