/**
 * CodeLens: "Visualize model" above model definitions, "Visualize layer" above layer-creating
 * calls; after a run, with the layer's facts (`Visualize layer · 24x24x6 · 156 params · RF 5x5`).
 */
import * as vscode from 'vscode';
import { COMMAND, visualizeCommand } from '../commandIds';
import { readSettings } from '../settings';
import { callLabel, factsLine, formatCount } from '../../analysis/source/linkRunToSource';
import type { LayerFacts } from '../../analysis/source/linkRunToSource';
import type { RunResults } from './runResults';
import { linkDocument, type LinkedCall } from './documentLinks';

/** Lists each instance of a call made several times up to this many; more get one picker lens. */
const LISTED_INSTANCES = 3;

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
      const run = this.results.get(file, model.exportName);
      const facts = run
        ? ` \u00b7 ${run.loaded.summary.layers.length} layers \u00b7 ${formatCount(run.loaded.summary.totalParams)} params`
        : '';
      const which = linked.scan.models.filter((m) => m.start.line === model.start.line).length;
      const label = model.exportName === 'default' || which > 1 ? '' : ` ${model.exportName}`;
      lens(model.start.line, `Visualize model${label}${facts}`, visualize(file, model.exportName));
    }
    for (const c of linked.calls) this.callLenses(file, c, lens);
    for (const { line, run, instances } of linked.callerLines) {
      if (instances.length === 0) continue;
      const title =
        instances.length === 1
          ? `Visualize layer made here \u00b7 ${instances[0].name} \u00b7 ${factsLine(instances[0])}`
          : `Visualize layers made here (${instances.length})`;
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
    if (instances.length === 1) {
      const [only] = instances;
      lens(
        line,
        `Visualize layer \u00b7 ${factsLine(only)}`,
        visualize(file, exportName, only.name),
      );
      return;
    }
    if (instances.length > 1) {
      lens(
        line,
        `Visualize layer (${instances.length} instances)`,
        pick(file, exportName, instances),
      );
      if (instances.length <= LISTED_INSTANCES) {
        for (const i of instances)
          lens(line, `${i.name} \u00b7 ${factsLine(i)}`, visualize(file, exportName, i.name));
      }
      return;
    }
    // Not run yet (or the text changed since): a literal name is enough to open the panel.
    const command: vscode.Command = call.name
      ? visualize(file, exportName, call.name)
      : {
          title: '',
          command: COMMAND.visualizeLayerAt,
          arguments: [{ modelFile: file, exportName, line, column: call.start.column }],
        };
    // Named as written (its `name`, else the factory): facts follow once the model has run.
    lens(line, `Visualize layer ${callLabel(call)}`, command);
  }
}
