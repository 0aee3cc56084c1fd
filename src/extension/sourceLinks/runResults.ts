/**
 * The last run of each model (file + export): what lenses, hovers, diagnostics and the tree show
 * once a model has run. Keeps the previous run too, to say what changed after a save.
 */
import * as vscode from 'vscode';
import type { LoadedModel } from '../../protocol/worker/workerProtocol';
import type { ModelLoaded } from './observedModelService';

export interface RunRecord {
  file: string;
  exportName: string;
  loaded: LoadedModel;
  previous?: LoadedModel;
  /** The file's text when it ran: positions from the run are only trusted while it is unchanged. */
  sourceText: string | undefined;
}

export class RunResults implements vscode.Disposable {
  private readonly runs = new Map<string, RunRecord>();
  /** Models whose last run failed, by the same key. */
  private readonly failed = new Map<string, { file: string; exportName: string }>();
  private readonly changed = new vscode.EventEmitter<RunRecord>();
  readonly onDidChange = this.changed.event;

  record({ ref, loaded }: ModelLoaded, sourceText: string | undefined): RunRecord {
    const exportName = loaded.summary.exportName;
    const key = `${ref.file}#${exportName}`;
    const previous = this.runs.get(key);
    this.failed.delete(key);
    const record: RunRecord = {
      file: ref.file,
      exportName,
      loaded,
      previous: previous?.loaded,
      sourceText,
    };
    this.runs.set(key, record);
    this.changed.fire(record);
    return record;
  }

  /**
   * A failed re-run: lenses, hovers and the tree stop showing the older run's facts (they show the
   * latest run or nothing), and the next save of the file tries the model again.
   */
  forget(file: string, exportName: string): void {
    const key = `${file}#${exportName}`;
    this.failed.set(key, { file, exportName });
    const record = this.runs.get(key);
    if (!record) return;
    this.runs.delete(key);
    this.changed.fire(record);
  }

  /** Exports of `file` that ran or whose last run failed: what a save of the file re-runs. */
  exportsToRerun(file: string): string[] {
    const failed = [...this.failed.values()].filter((f) => f.file === file);
    return [...this.forFile(file), ...failed].map((r) => r.exportName);
  }

  get(file: string, exportName: string): RunRecord | undefined {
    return this.runs.get(`${file}#${exportName}`);
  }

  /** Runs of a file, for the exports listed first (in that order), then any other. */
  forFile(file: string, exportNames: string[] = []): RunRecord[] {
    const all = [...this.runs.values()].filter((r) => r.file === file);
    const rank = (r: RunRecord) => {
      const i = exportNames.indexOf(r.exportName);
      return i < 0 ? exportNames.length : i;
    };
    return all.sort((a, b) => rank(a) - rank(b));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
