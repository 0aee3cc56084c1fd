/**
 * Commands behind the lenses and the tree, and `cnnInspector.revealLayer` (the panel's way back to
 * the code): they resolve a layer instance to its defining line and back.
 */
import * as vscode from 'vscode';
import { COMMAND, type VisualizeArgs } from '../commandIds';
import { sourceColumn } from '../sourceColumn';
import { factsLine, layerFacts } from '../../analysis/source/linkRunToSource';
import type { ObservedModelService } from './observedModelService';
import type { RunResults } from './runResults';
import { linkDocument } from './documentLinks';
import { scanDocument } from './documentScans';
import { requireTrust } from '../workspaceTrust';

export interface LayerRef {
  modelFile: string;
  exportName?: string;
  layerName: string;
  /** Keep the focus where it is (the panel reveals lines as its layer selection changes). */
  preserveFocus?: boolean;
  /** No message when the line cannot be found. */
  quiet?: boolean;
  /** The group of the panel asking: the source opens in another one, never over the panel. */
  panelColumn?: vscode.ViewColumn;
}

export interface RevealedLayer {
  file: string;
  /** 1-based. */
  line: number;
  column: number;
}

let highlight: vscode.TextEditorDecorationType | undefined;
const highlightDecoration = () =>
  (highlight ??= vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    isWholeLine: true,
  }));

export class SourceCommands {
  constructor(
    private readonly models: ObservedModelService,
    private readonly results: RunResults,
  ) {}

  private visualize(modelFile: string, exportName: string | undefined, layerName?: string) {
    return vscode.commands.executeCommand(COMMAND.visualizeLayer, {
      modelFile,
      exportName,
      ...(layerName ? { layerName } : {}),
    } satisfies VisualizeArgs);
  }

  /** Quick pick among the instances a call made (a loop, a helper called several times). */
  async pickLayerInstance(args: { modelFile: string; exportName: string; layerNames: string[] }) {
    const run = this.results.get(args.modelFile, args.exportName);
    const items = args.layerNames.map((name) => {
      const facts = run && layerFacts(run.loaded.summary, run.loaded.structure, name);
      return {
        label: name,
        description: facts ? `${facts.className} \u00b7 ${factsLine(facts)}` : '',
      };
    });
    const picked = await vscode.window.showQuickPick(items, {
      title: 'CNN Inspector: this line made several layers',
      placeHolder: 'The panel opens at the one you pick',
    });
    return picked ? this.visualize(args.modelFile, args.exportName, picked.label) : undefined;
  }

  /** A lens on an unnamed layer before any run: run the model, then find what the line made. */
  async visualizeLayerAt(args: { modelFile: string; exportName?: string; line: number }) {
    if (!requireTrust()) return undefined;
    try {
      const ref = { file: args.modelFile, exportName: args.exportName };
      await this.models.loadModel(ref); // recorded in `results` by the load event
      const document = await vscode.workspace.openTextDocument(args.modelFile);
      const linked = linkDocument(document, this.results);
      const hit = linked?.calls.find((c) => c.call.start.line === args.line);
      const names = hit?.instances.map((i) => i.name) ?? [];
      const exportName = hit?.run?.exportName ?? args.exportName;
      if (names.length > 1)
        return this.pickLayerInstance({
          modelFile: args.modelFile,
          exportName: exportName!,
          layerNames: names,
        });
      return this.visualize(args.modelFile, exportName, names[0]);
    } catch (error) {
      this.models.report(error);
      return undefined;
    }
  }

  /** Opens the file at the line that created the layer and highlights it for a moment. */
  async revealLayer(args: LayerRef): Promise<RevealedLayer | undefined> {
    const location = await this.locate(args);
    if (!location) {
      if (args.quiet) return undefined;
      void vscode.window.showInformationMessage(
        `CNN Inspector: cannot find where layer '${args.layerName}' is created.`,
      );
      return undefined;
    }
    const document = await vscode.workspace.openTextDocument(location.file);
    const position = new vscode.Position(location.line - 1, Math.max(0, location.column - 1));
    const call = scanDocument(document)?.layers.find((c) => c.start.line === location.line);
    const end = call
      ? new vscode.Position(call.end.line - 1, call.end.column - 1)
      : document.lineAt(position.line).range.end;
    const editor = await vscode.window.showTextDocument(document, {
      viewColumn: sourceColumn(document.uri, args.panelColumn),
      selection: new vscode.Range(position, position),
      preserveFocus: args.preserveFocus ?? false,
      preview: args.preserveFocus ?? false,
    });
    editor.revealRange(
      new vscode.Range(position, end),
      vscode.TextEditorRevealType.InCenterIfOutsideViewport,
    );
    editor.setDecorations(highlightDecoration(), [new vscode.Range(position, end)]);
    setTimeout(() => editor.setDecorations(highlightDecoration(), []), 1500);
    return location;
  }

  private async locate(args: LayerRef): Promise<RevealedLayer | undefined> {
    const fromRun = (exportName: string | undefined) => {
      const runs = this.results.forFile(args.modelFile, exportName ? [exportName] : []);
      for (const run of runs) {
        const site = run.loaded.summary.creationSites?.[args.layerName];
        if (site) return { file: site.file, line: site.line, column: site.column };
      }
      return undefined;
    };
    const found = fromRun(args.exportName);
    if (found) return this.startOfCall(found);
    // A literal name in the source is enough, without running anything.
    const document = await vscode.workspace.openTextDocument(args.modelFile);
    const named = scanDocument(document)?.layers.find((c) => c.name === args.layerName);
    if (named) return { file: args.modelFile, line: named.start.line, column: named.start.column };
    if (!vscode.workspace.isTrusted) return undefined;
    try {
      await this.models.loadModel({ file: args.modelFile, exportName: args.exportName });
    } catch (error) {
      this.models.report(error);
      return undefined;
    }
    const afterRun = fromRun(args.exportName);
    return afterRun && this.startOfCall(afterRun);
  }

  /** The run's site is the factory name; lenses and selections use the call's start. */
  private async startOfCall(site: RevealedLayer): Promise<RevealedLayer> {
    const document = await vscode.workspace.openTextDocument(site.file);
    const call = scanDocument(document)?.layers.find(
      (c) => c.callee.line === site.line && c.callee.column === site.column,
    );
    return call ? { file: site.file, line: call.start.line, column: call.start.column } : site;
  }
}
