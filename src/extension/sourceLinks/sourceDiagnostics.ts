/**
 * Problems at the defining line: a spatial size that collapses to 0, a receptive field wider than
 * the input, a layer whose output is never used. From the static pass on every edit, and from the
 * last run's structure for models the static pass cannot follow (functional models, helpers).
 */
import * as vscode from 'vscode';
import { staticFindings } from '../../analysis/source/staticShapes';
import type { LayerCall } from '../../analysis/source/types';
import { linkDocument } from './documentLinks';
import type { RunResults } from './runResults';

function callRange(call: LayerCall): vscode.Range {
  return new vscode.Range(
    call.start.line - 1,
    call.start.column - 1,
    call.callee.line - 1,
    call.callee.column - 1 + call.factory.length,
  );
}

export class SourceDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('cnn-inspector-source');

  constructor(private readonly results: RunResults) {}

  update(document: vscode.TextDocument): void {
    const linked = linkDocument(document, this.results);
    if (!linked) {
      this.collection.delete(document.uri);
      return;
    }
    const diagnostics: vscode.Diagnostic[] = [];
    const seen = new Set<string>();
    const add = (
      call: LayerCall,
      kind: string,
      message: string,
      severity: vscode.DiagnosticSeverity,
    ) => {
      const key = `${call.start.line}:${kind}`;
      if (seen.has(key)) return;
      seen.add(key);
      const d = new vscode.Diagnostic(callRange(call), message, severity);
      d.source = 'CNN Inspector';
      d.code = kind;
      diagnostics.push(d);
    };
    const severity = {
      collapsed: vscode.DiagnosticSeverity.Error,
      receptiveField: vscode.DiagnosticSeverity.Information,
      unusedOutput: vscode.DiagnosticSeverity.Warning,
    };
    for (const f of staticFindings(linked.scan))
      add(linked.scan.layers[f.layer], f.kind, f.message, severity[f.kind]);
    // From the run: the first layer of each model whose field is wider than the input.
    const reported = new Set<string>();
    for (const { call, instances, run } of linked.calls) {
      const structure = run?.loaded.structure;
      const input = structure?.inputSize;
      if (!run || !structure || !input || reported.has(run.exportName)) continue;
      for (const f of instances) {
        const layer = structure.layers.find((l) => l.name === f.name);
        const axes = layer?.receptiveField.axes;
        if (!layer || !axes || layer.receptiveField.collapsed) continue;
        if (!axes.some((a, i) => typeof input[i] === 'number' && a.size > (input[i] as number)))
          continue;
        const firstWide = structure.layers.find((l) => {
          const ax = l.receptiveField.axes;
          return (
            ax && !l.receptiveField.collapsed && ax.some((a, i) => a.size > (input[i] ?? Infinity))
          );
        });
        if (firstWide?.name !== layer.name) continue;
        reported.add(run.exportName);
        add(
          call,
          'receptiveField',
          `${layer.name}: receptive field ${axes.map((a) => a.size).join('x')} is larger than the ${input.join('x')} input: its units see past the image's edges, into the padding.`,
          severity.receptiveField,
        );
      }
    }
    this.collection.set(document.uri, diagnostics);
  }

  forget(document: vscode.TextDocument): void {
    this.collection.delete(document.uri);
  }

  dispose(): void {
    this.collection.dispose();
  }
}
