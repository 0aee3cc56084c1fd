/**
 * CodeLens: "Visualize model" above model definitions, "Visualize layer" above layer-creating
 * calls; after a run, with the layer's facts (`Visualize layer · 24x24x6 · 156 params · RF 5x5`).
 */
import * as vscode from 'vscode';
import { COMMAND, visualizeCommand } from '../commandIds';
import { readSettings } from '../settings';
import type { LayerFacts } from '../../analysis/source/linkRunToSource';
import { callerLensTitle, callLensTitles, modelLensTitle } from '../../analysis/source/lensText';
import type { RunResults } from './runResults';
import { linkDocument, type LinkedCall } from './documentLinks';

export const lensRange = (line: number) => new vscode.Range(line - 1, 0, line - 1, 0);

function visualize(modelFile: string, exportName: string, layerName?: string): vscode.Command {
  return visualizeCommand('', { modelFile, exportName, layerName });
}

function pick(modelFile: string, exportName: string, layers: LayerFacts[]): vscode.Command {
  return {
    title: '',
    command: COMMAND.pickLayerInstance,
    arguments: [{ modelFile, exportName, layerNames: layers.map((l) => l.name) }],
  };
}

export class LayerLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly results: RunResults) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!readSettings(document.uri).codeLens) return [];
    const linked = linkDocument(document, this.results);
    if (!linked) return [];
    const file = document.uri.fsPath;
    const lenses: vscode.CodeLens[] = [];
    const lens = (line: number, title: string, command: vscode.Command) =>
      lenses.push(new vscode.CodeLens(lensRange(line), { ...command, title }));
    for (const model of linked.scan.models) {
      const summary = this.results.get(file, model.exportName)?.loaded.summary;
      const onLine = linked.scan.models.filter((m) => m.start.line === model.start.line).length;
      const facts = summary && { layers: summary.layers.length, params: summary.totalParams };
      const title = modelLensTitle(model.exportName, onLine, facts);
      lens(model.start.line, title, visualize(file, model.exportName));
    }
    for (const c of linked.calls) this.callLenses(file, c, lens);
    for (const { line, run, instances } of linked.callerLines) {
      const title = callerLensTitle(instances);
      if (title === undefined) continue;
      const command =
        instances.length === 1
          ? visualize(file, run.exportName, instances[0].name)
          : pick(file, run.exportName, instances);
      lens(line, title, command);
    }
    return lenses;
  }

  private callLenses(
    file: string,
    { call, run, instances }: LinkedCall,
    lens: (line: number, title: string, command: vscode.Command) => void,
  ): void {
    const line = call.start.line;
    const exportName = run?.exportName ?? call.exportNames[0];
    for (const { title, layer } of callLensTitles(call, instances)) {
      const command: vscode.Command =
        layer !== undefined
          ? visualize(file, exportName, layer)
          : instances.length > 1
            ? pick(file, exportName, instances)
            : // Not run yet, no literal name: the panel finds the layer from the call's place.
              {
                title: '',
                command: COMMAND.visualizeLayerAt,
                arguments: [{ modelFile: file, exportName, line, column: call.start.column }],
              };
      lens(line, title, command);
    }
  }
}
