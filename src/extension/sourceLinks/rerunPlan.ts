/**
 * What a save of a model file re-runs, and which failures deserve a notification. Pure decisions
 * (no `vscode`), so they are unit-tested; RerunOnSave gathers the facts and acts on the answer.
 */

export interface SavedFileFacts {
  /** The panels open on models of the saved file, and whether each is on screen. */
  panels: { exportName: string; visible: boolean }[];
  /** The file is in a visible editor with lenses on: its lenses show the facts of its runs. */
  lensesVisible: boolean;
  /** Exports of the file whose facts are on its lenses (they ran), or whose last run failed. */
  ranExports: string[];
}

export interface RerunPlan {
  /** Models to run again, those with a panel first (the one the user looks at first of all). */
  rerun: string[];
  /**
   * Models whose facts go stale with this save and are not re-run: their lenses, hovers and tree
   * entries drop them (the latest run of the file, or nothing).
   */
  forget: string[];
}

/**
 * A save re-runs the models with an open panel, and the models whose facts the file's visible
 * lenses show; nothing else (a closed panel's model is not run again behind the user's back).
 */
export function planRerun({ panels, lensesVisible, ranExports }: SavedFileFacts): RerunPlan {
  const byVisibility = [...panels].sort((a, b) => Number(b.visible) - Number(a.visible));
  const rerun = [...new Set(byVisibility.map((p) => p.exportName))];
  const forget: string[] = [];
  for (const exportName of new Set(ranExports)) {
    if (rerun.includes(exportName)) continue;
    if (lensesVisible) rerun.push(exportName);
    else forget.push(exportName);
  }
  return { rerun, forget };
}

export interface FailureFacts {
  /** A panel of the failed model is on screen: it shows the error prominently. */
  shownInVisiblePanel: boolean;
  /** The failure as the user would read it (message with its place). */
  message: string;
  /** The last failure of this model the user was shown (toast or visible panel), if any. */
  lastSeen: string | undefined;
  /** A notification was already raised for this save (one per save at most). */
  toastedThisSave: boolean;
}

/**
 * A notification only for a failure the user has not seen: not when a visible panel shows it, not
 * twice for the same failure (a save that leaves the same error), not twice for one save.
 */
export function shouldToast(f: FailureFacts): boolean {
  return !f.shownInVisiblePanel && !f.toastedThisSave && f.lastSeen !== f.message;
}

/**
 * Runs in the order their facts are shown: those of `exportNames` first (the exports that reach a
 * call), and the latest run first within each group, so a lens never prefers an older run.
 */
export function latestFirst<T extends { exportName: string; sequence: number }>(
  runs: T[],
  exportNames: string[],
): T[] {
  const reaches = (r: T) => (exportNames.includes(r.exportName) ? 0 : 1);
  return [...runs].sort((a, b) => reaches(a) - reaches(b) || b.sequence - a.sequence);
}
