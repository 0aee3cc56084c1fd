/**
 * What a panel says when the user cancels its load or run (the progress line's Cancel): a run
 * never ends with nothing on screen. Plain TypeScript (no `vscode`), so the decision is unit tested.
 */
import type { HostToPanel } from '../../protocol/panelProtocol';

export type CancelledNotice = Extract<HostToPanel, { type: 'cancelled' }>;

/**
 * `work`: a model load (with maybe an input) or a pass on an input; `modelShown`: whether the panel
 * shows a loaded model (then it stays, from its last good run).
 */
export function cancelledNotice(
  work: 'load' | 'input',
  modelName: string,
  modelShown: boolean,
  inputName?: string,
): CancelledNotice {
  if (work === 'input') {
    const what = inputName ? `the run on ${inputName}` : 'the run';
    return {
      type: 'cancelled',
      message: `Cancelled ${what}: the panel shows the last finished run.`,
      retryLabel: 'Run again',
    };
  }
  return {
    type: 'cancelled',
    message: modelShown
      ? `Cancelled: ${modelName} was not reloaded; the panel shows its last loaded version.`
      : `Cancelled: ${modelName} was not loaded.`,
    retryLabel: 'Load again',
  };
}
