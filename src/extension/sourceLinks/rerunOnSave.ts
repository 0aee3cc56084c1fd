/**
 * Saving a model file re-runs (debounced) the models with an open panel and those whose facts the
 * file's visible lenses show, and updates the panels in place; then says what changed since the
 * previous run (shapes, parameters, windows, receptive fields). Other runs of the file are dropped
 * (their facts are stale). A save supersedes the re-run of an earlier one; a failure shows in the
 * panel, the lenses lose the old facts, and a toast appears only for a failure the user has not
 * seen (see rerunPlan.ts).
 */
import * as vscode from 'vscode';
import { readSettings } from '../settings';
import { describeChanges } from '../../analysis/source/modelChanges';
import { isCancellation, errorMessage } from '../../analysis/errors';
import type { PanelRegistry } from '../panelRegistry';
import type { ObservedModelService } from './observedModelService';
import type { RunResults } from './runResults';
import type { ModelRef } from '../../protocol/worker/workerProtocol';
import type { ModelPanel } from '../panel/modelPanel';
import { planRerun, shouldToast, type RerunPlan } from './rerunPlan';

const DEBOUNCE_MS = 400;

/** What the last save of a file re-ran and dropped, and whether that re-run has ended. */
export interface RerunStatus {
  id: number;
  rerun: string[];
  forgotten: string[];
  done: boolean;
}

export class RerunOnSave implements vscode.Disposable {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The re-run in progress per file, cancelled by a newer save. */
  private readonly running = new Map<string, AbortController>();
  /** The last save's plan per file and whether its re-run ended, for tests. */
  readonly lastRerun = new Map<string, RerunStatus>();
  /** Runs a save dropped before its debounced re-run, per file, for `lastRerun`. */
  private readonly droppedAtSave = new Map<string, string[]>();
  private reruns = 0;
  /** The last failure of each model the user was shown (toast or visible panel), by file#export. */
  private readonly seenFailures = new Map<string, string>();

  constructor(
    private readonly models: ObservedModelService,
    private readonly panels: PanelRegistry,
    private readonly results: RunResults,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  onSaved(document: vscode.TextDocument): void {
    const file = document.uri.fsPath;
    const plan = this.plan(file);
    if (!readSettings(document.uri).rerunOnSave) {
      // Nothing runs again: the facts of the older text go (the latest run, or nothing).
      for (const exportName of this.results.exportsToRerun(file))
        this.results.drop(file, exportName);
      return;
    }
    for (const exportName of plan.forget) this.results.drop(file, exportName);
    this.droppedAtSave.set(file, [...(this.droppedAtSave.get(file) ?? []), ...plan.forget]);
    if (plan.rerun.length === 0) return;
    clearTimeout(this.timers.get(file));
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file);
        void this.rerun(file);
      }, DEBOUNCE_MS),
    );
  }

  /** What a save of `file` re-runs now: the models with a panel, and those of visible lenses. */
  private plan(file: string): RerunPlan {
    const lensesOn = readSettings(vscode.Uri.file(file)).codeLens;
    return planRerun({
      panels: this.panels
        .snapshots()
        .filter((p) => p.modelFile === file)
        .map((p) => ({
          exportName: p.exportName,
          visible: this.panels.find({ file, exportName: p.exportName })?.visible ?? false,
        })),
      lensesVisible:
        lensesOn && vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath === file),
      ranExports: this.results.exportsToRerun(file),
    });
  }

  /**
   * Re-runs the models of `file` that have an open panel or have run (their facts are on the
   * file's lenses); resolves when all are done. A newer save of the file supersedes this run.
   */
  async rerun(file: string): Promise<string[]> {
    if (!vscode.workspace.isTrusted) return [];
    this.running.get(file)?.abort();
    const run = new AbortController();
    this.running.set(file, run);
    const plan = this.plan(file);
    for (const exportName of plan.forget) this.results.drop(file, exportName);
    const forgotten = [...new Set([...(this.droppedAtSave.get(file) ?? []), ...plan.forget])];
    this.droppedAtSave.delete(file);
    const status: RerunStatus = { id: ++this.reruns, rerun: plan.rerun, forgotten, done: false };
    this.lastRerun.set(file, status);
    const lines: string[] = [];
    let toasted = false; // one toast per save at most
    for (const exportName of plan.rerun) {
      const ref = { file, exportName };
      const key = `${file}#${exportName}`;
      const panel = this.panels.find(ref);
      try {
        // A panel keeps its selected layer and image.
        if (panel) await panel.show({ reload: true });
        else await this.models.loadModel(ref, true, run.signal);
        this.seenFailures.delete(key); // a later failure is news again
      } catch (error) {
        if (run.signal.aborted || isCancellation(error)) break; // a newer save took over
        this.results.forget(file, exportName);
        const message = errorMessage(error);
        const toast = shouldToast({
          shownInVisiblePanel: panel?.visible ?? false,
          message,
          lastSeen: this.seenFailures.get(key),
          toastedThisSave: toasted,
        });
        if (toast || panel?.visible) this.seenFailures.set(key, message);
        this.models.report(error, { toast });
        toasted ||= toast;
        continue;
      }
      if (run.signal.aborted) break;
      lines.push(...this.describe(ref, exportName, panel));
    }
    if (this.running.get(file) === run) this.running.delete(file);
    if (!run.signal.aborted) status.done = true;
    return lines;
  }

  /** What the re-run changed, in the panel and the log (no toast: the lenses show the facts). */
  private describe(ref: ModelRef, exportName: string, panel: ModelPanel | undefined): string[] {
    const record = this.results.get(ref.file, exportName);
    if (!record?.previous) return [];
    const changes = describeChanges(
      { summary: record.previous.summary, structure: record.previous.structure },
      { summary: record.loaded.summary, structure: record.loaded.structure },
    );
    panel?.showChanges(changes);
    const label = `${vscode.workspace.asRelativePath(ref.file)}${exportName === 'default' ? '' : ` \u203a ${exportName}`}`;
    this.log.info(
      changes.length === 0
        ? `${label}: re-run after save, no change in shapes or parameters.`
        : `${label}: re-run after save; changes:\n  ${changes.join('\n  ')}`,
    );
    return changes;
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.running.forEach((r) => r.abort());
  }
}
