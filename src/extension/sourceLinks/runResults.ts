/**
 * The last run of each model (file + export): what lenses, hovers, diagnostics and the tree show
 * once a model has run. Keeps the previous run too, to say what changed after a save.
 */
import * as vscode from 'vscode';
import type { LoadedModel } from '../../protocol/worker/workerProtocol';
import type { ModelLoaded } from './observedModelService';
import { latestFirst } from './rerunPlan';

export interface RunRecord {
  file: string;
  exportName: string;
  loaded: LoadedModel;
  previous?: LoadedModel;
  /** The file's text when it ran: positions from the run are only trusted while it is unchanged. */
  sourceText: string | undefined;
  /** Order of the runs: a higher number ran later. */
  sequence: number;
}

export class RunResults implements vscode.Disposable {
  private readonly runs = new Map<string, RunRecord>();
  /** Models whose last run failed, by the same key. */
  private readonly failed = new Map<string, { file: string; exportName: string }>();
  private readonly changed = new vscode.EventEmitter<RunRecord>();
  private runsRecorded = 0;
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
      sequence: ++this.runsRecorded,
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

  /**
   * A run whose facts a save made stale and that is not run again: lenses, hovers and the tree
   * drop it (nothing rather than an older text's facts); the model is no longer re-run on save.
   */
  drop(file: string, exportName: string): void {
    const key = `${file}#${exportName}`;
    this.failed.delete(key);
    const record = this.runs.get(key);
    if (!record) return;
    this.runs.delete(key);
    this.changed.fire(record);
  }

  /** Exports of `file` that ran or whose last run failed: what the file's lenses stand for. */
  exportsToRerun(file: string): string[] {
    const failed = [...this.failed.values()].filter((f) => f.file === file);
    return [...this.forFile(file), ...failed].map((r) => r.exportName);
  }

  get(file: string, exportName: string): RunRecord | undefined {
    return this.runs.get(`${file}#${exportName}`);
  }

  /** Runs of a file, for the exports listed first, then any other; the latest first in each. */
  forFile(file: string, exportNames: string[] = []): RunRecord[] {
    return latestFirst(
      [...this.runs.values()].filter((r) => r.file === file),
      exportNames,
    );
  }

  dispose(): void {
    this.changed.dispose();
  }
}
