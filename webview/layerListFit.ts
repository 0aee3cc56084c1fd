/**
 * The layer list gives up detail, one step at a time, until it fits its pane: a 236 px sidebar
 * beside the maps cannot hold VGG-16's `block5_conv3 · Conv2D · 14×14×512 · 2,359,808`, and a
 * column pushed out of the panel (or reachable only by scrolling sideways) is a column the user
 * does not see. Measured rather than set by fixed widths, because what fits depends on the model:
 * LeNet keeps every column where VGG-16 or an ONNX import's long scope names need the steps.
 */

/** Cumulative, in order (styles in sidebar.css): each class keeps the ones before it. */
const FIT_STEPS = [
  'fit-no-type', // the Type column leaves (the type is also in the layer's heading)
  'fit-shape-under-name', // the output shape becomes a second line under the name
  'fit-compact-counts', // 102,764,544 -> 102.8M (the exact count stays in the cell's title)
  'fit-wrap-names', // names wrap at their separators (_ . / -), else anywhere
] as const;

/** Applies the fewest steps with which the pane's layer list is no wider than the pane. */
export function fitLayerList(pane: HTMLElement): void {
  const table = pane.querySelector<HTMLElement>('.layer-list');
  if (!table) return;
  table.classList.remove(...FIT_STEPS);
  for (const step of FIT_STEPS) {
    // A hidden pane (a tab in the background) has no width: fitted when it is shown.
    if (table.offsetWidth <= pane.clientWidth) return;
    table.classList.add(step);
  }
}

const watched = new WeakSet<HTMLElement>();

/** Fits the pane's list again whenever the pane's width changes (the panel is resized). */
export function keepLayerListFitted(pane: HTMLElement): void {
  if (watched.has(pane)) return;
  watched.add(pane);
  let width = -1;
  new ResizeObserver(() => {
    // Fitting changes the list's height, and so the pane's: only a new width needs a new fit.
    if (pane.clientWidth === width) return;
    width = pane.clientWidth;
    fitLayerList(pane);
  }).observe(pane);
}
