/**
 * Playback controls under the plots — restart, step back, play/pause, step forward, the
 * scrub bar, speed and loop — and the keyboard: Space plays or pauses, ←/→ step (with Shift,
 * ten steps), Home and End jump to the start and the finish.
 */

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { tr } from '../i18n.js';

const SPEEDS = [[15, '¼×'], [30, '½×'], [60, '1×'], [120, '2×'], [240, '4×'], [480, '8×'],
  [960, '16×']];

/** Whether a key press belongs to a text box, a list or a slider rather than to the player. */
function typing(target) {
  return target instanceof Element && target.closest('input:not([type=checkbox]), textarea, '
    + 'select, [contenteditable]') !== null;
}

/**
 * @param {HTMLElement} root
 * @param {{store: Object, player: Object}} ctx
 * @returns {{update: (busy: string) => void}}
 */
export function transportControl(root, { store, player }) {
  const button = (label, title, action, cls = '') => h('button', { type: 'button',
    class: `tbtn ${cls}`, title, 'aria-label': title, onclick: action }, label);
  const play = button(icon('play'), tr('player.play'), () => player.toggle(), 'play');
  play.id = 'play';
  const scrub = h('input', { type: 'range', min: 0, max: 1, value: 0, step: 1, id: 'scrub',
    'aria-label': tr('player.frame') });
  const readout = h('span', { class: 'readout', id: 'readout' },
    tr('player.readout', { frame: 0, total: 0 }));
  const speed = h('select', { 'aria-label': tr('player.speed'), title: tr('player.speed_title') }, ...SPEEDS.map(([v, label]) => h('option', { value: v }, label)));
  const loop = h('button', { type: 'button', class: 'tbtn toggle', title: tr('player.loop'),
    'aria-label': tr('player.loop'),
    'aria-pressed': 'false', onclick: (event) => store.update({ loop: !store.state.loop },
      { event }) }, icon('loop'));
  const busy = h('span', { class: 'busy', id: 'busy', 'aria-live': 'polite' });
  scrub.addEventListener('input', () => player.seek(Number(scrub.value)));
  speed.addEventListener('change', (event) => store.update({ speed: Number(speed.value) },
    { event }));

  root.append(
    button(icon('start'), tr('player.start'), () => player.seek(0)),
    button(icon('back'), tr('player.back'), () => player.step(-1)),
    play,
    button(icon('forward'), tr('player.forward'), () => player.step(1)),
    scrub, readout, speed, loop, busy,
  );

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (typing(event.target) || document.querySelector('dialog[open]')) return;
    const jump = event.shiftKey ? 10 : 1;
    const actions = {
      ' ': () => player.toggle(),
      ArrowRight: () => player.step(jump),
      ArrowLeft: () => player.step(-jump),
      Home: () => player.seek(0),
      End: () => player.seek(player.total),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
  // Space on a focused button or box would also click it: the player already took the key.
  document.addEventListener('keyup', (event) => {
    if (event.key === ' ' && event.target instanceof Element
      && event.target.closest('button, input[type=checkbox]')) event.preventDefault();
  });

  return {
    /** Sync with the player and the state; `status` says what the server is doing. */
    update(status) {
      const state = store.state;
      const shape = player.playing ? 'pause' : 'play';
      if (play.dataset.shape !== shape) {
        play.dataset.shape = shape;
        play.replaceChildren(icon(shape));
      }
      play.title = player.playing ? tr('player.pause') : tr('player.play');
      play.setAttribute('aria-label', play.title);
      scrub.max = String(Math.max(player.total, 1));
      scrub.value = String(player.frame);
      readout.textContent = tr('player.readout', { frame: player.frame, total: player.total });
      speed.value = String(state.speed);
      loop.setAttribute('aria-pressed', String(state.loop));
      busy.textContent = status;
    },
  };
}
