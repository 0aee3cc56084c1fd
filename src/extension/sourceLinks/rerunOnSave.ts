/**
 * Saving a model file that has run re-runs it (debounced) and updates its open panels in place;
 * then says what changed since the previous run (shapes, parameters, windows, receptive fields).
 * A save supersedes the re-run of an earlier one; a failure shows in the panel, the lenses lose
 * the old facts, and a toast appears only when no visible panel shows it.
 */
import * as vscode from 'vscode';
import { describeChanges } from '../../analysis/source/modelChanges';
import { isCancellation } from '../../analysis/errors';
import type { PanelRegistry } from '../panelRegistry';
import type { ObservedModelService } from './observedModelService';
import type { RunResults } from './runResults';
import type { ModelRef } from '../../protocol/worker/workerProtocol';
import type { ModelPanel } from '../panel/modelPanel';

const DEBOUNCE_MS = 400;

export class RerunOnSave implements vscode.Disposable {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The re-run in progress per file, cancelled by a newer save. */
  private readonly running = new Map<string, AbortController>();
  /** The last re-run's summary of changes per file, for tests and the log. */
  readonly lastChanges = new Map<string, string[]>();

  constructor(
    private readonly models: ObservedModelService,
    private readonly panels: PanelRegistry,
    private readonly results: RunResults,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  onSaved(document: vscode.TextDocument): void {
    if (!vscode.workspace.getConfiguration('cnnInspector').get<boolean>('rerunOnSave', true))
      return;
    const file = document.uri.fsPath;
    const panelRefs = this.panels.snapshots().filter((p) => p.modelFile === file);
    if (panelRefs.length === 0 && this.results.exportsToRerun(file).length === 0) return;
    clearTimeout(this.timers.get(file));
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file);
        void this.rerun(file);
      }, DEBOUNCE_MS),
    );
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
    const withPanel = this.panels.snapshots().filter((p) => p.modelFile === file);
    const exports = new Set([
      ...withPanel.map((p) => p.exportName),
      ...this.results.exportsToRerun(file),
    ]);
    const lines: string[] = [];
    let failureSeen = false; // one toast per save at most, none when a visible panel shows it
    for (const exportName of exports) {
      const ref = { file, exportName };
      const panel = this.panels.find(ref);
      try {
        // A panel keeps its selected layer and image.
        if (panel) await panel.show({ reload: true });
        else await this.models.loadModel(ref, true, run.signal);
      } catch (error) {
        if (run.signal.aborted || isCancellation(error)) break; // a newer save took over
        this.results.forget(file, exportName);
        this.models.report(error, { toast: !failureSeen && !panel?.visible });
        failureSeen = true;
        continue;
      }
      if (run.signal.aborted) break;
      lines.push(...this.describe(ref, exportName, panel));
    }
    if (this.running.get(file) === run) this.running.delete(file);
    if (!run.signal.aborted) this.lastChanges.set(file, lines);
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
