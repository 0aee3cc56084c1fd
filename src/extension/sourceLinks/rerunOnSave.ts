/**
 * Saving a model file that has run re-runs it (debounced) and updates its open panels in place;
 * then says what changed since the previous run (shapes, parameters, windows, receptive fields).
 */
import * as vscode from 'vscode';
import { describeChanges } from '../../analysis/source/modelChanges';
import type { PanelRegistry } from '../panelRegistry';
import type { ObservedModelService } from './observedModelService';
import type { RunResults } from './runResults';

const DEBOUNCE_MS = 400;

export class RerunOnSave implements vscode.Disposable {
  private readonly timers = new Map<string, NodeJS.Timeout>();
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
    if (panelRefs.length === 0 && this.results.forFile(file).length === 0) return;
    clearTimeout(this.timers.get(file));
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file);
        void this.rerun(file);
      }, DEBOUNCE_MS),
    );
  }

  /** Re-runs every model of `file` that has run or has a panel; resolves when all are done. */
  async rerun(file: string): Promise<string[]> {
    if (!vscode.workspace.isTrusted) return [];
    const withPanel = this.panels.snapshots().filter((p) => p.modelFile === file);
    const exports = new Set([
      ...withPanel.map((p) => p.exportName),
      ...this.results.forFile(file).map((r) => r.exportName),
    ]);
    const lines: string[] = [];
    for (const exportName of exports) {
      const ref = { file, exportName };
      try {
        if (withPanel.some((p) => p.exportName === exportName)) {
          // Keeps the panel's selected layer and image.
          await this.panels.open(ref).show({ reload: true });
        } else {
          await this.models.loadModel(ref, true);
        }
      } catch (error) {
        this.models.report(error);
        continue;
      }
      const run = this.results.get(file, exportName);
      if (!run?.previous) continue;
      const changes = describeChanges(
        { summary: run.previous.summary, structure: run.previous.structure },
        { summary: run.loaded.summary, structure: run.loaded.structure },
      );
      const panel = this.panels.find(ref);
      panel?.showChanges(changes);
      const label = `${vscode.workspace.asRelativePath(file)}${exportName === 'default' ? '' : ` \u203a ${exportName}`}`;
      if (changes.length === 0) {
        this.log.info(`${label}: re-run after save, no change in shapes or parameters.`);
        continue;
      }
      this.log.info(`${label}: re-run after save; changes:\n  ${changes.join('\n  ')}`);
      lines.push(...changes);
      if (panel) continue; // the panel says it, where the user is looking
      const shown = changes.slice(0, 3).join('; ');
      const more = changes.length > 3 ? ` (and ${changes.length - 3} more, see the log)` : '';
      void vscode.window
        .showInformationMessage(`CNN Inspector: ${label} changed: ${shown}${more}`, 'Show Log')
        .then((choice) => {
          if (choice) this.log.show();
        });
    }
    this.lastChanges.set(file, lines);
    return lines;
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
  }
}
