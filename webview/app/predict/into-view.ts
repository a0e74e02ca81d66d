/** Scrolling the answer into sight after Predict, without moving a page that already shows it. */

/** Whether at least the top part of `element` (its first 80 px, or all of it when shorter) is inside the viewport. */
export function isMostlyVisible(element: HTMLElement): boolean {
  const box = element.getBoundingClientRect();
  const needed = Math.min(80, box.height);
  return box.top >= 0 && box.top + needed <= window.innerHeight;
}

/** Scrolls the least needed to show `element` (no jump when it is already on screen; instant, so tests see the end state). */
export function bringIntoView(element: HTMLElement): void {
  if (!isMostlyVisible(element)) element.scrollIntoView({ block: 'nearest', behavior: 'auto' });
}
