/**
 * The controls panel as a drawer on screens too narrow for three columns (a 1024-pixel
 * projector): a header button slides it over the plots and back, so that the contour keeps
 * the width. Escape, the button again or a press outside the drawer closes it. On wide
 * screens (and on phones, where the panels follow the plots) the button is not shown and the
 * class does nothing.
 */

/**
 * @param {HTMLButtonElement} button  @param {HTMLElement} panel
 * @returns {{open: () => void, close: () => void}}
 */
export function drawer(button, panel) {
  const set = (open) => {
    document.body.classList.toggle('drawer-open', open);
    button.setAttribute('aria-expanded', String(open));
  };
  button.addEventListener('click', () => set(!document.body.classList.contains('drawer-open')));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && document.body.classList.contains('drawer-open')) set(false);
  });
  document.addEventListener('pointerdown', (event) => {
    if (!document.body.classList.contains('drawer-open')) return;
    if (event.target instanceof Node && (panel.contains(event.target)
      || button.contains(event.target))) return;
    set(false);
  });
  return { open: () => set(true), close: () => set(false) };
}
