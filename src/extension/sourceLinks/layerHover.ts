/** Hover on a layer-creating call: output shape, parameters, MACs and receptive field. */
import * as vscode from 'vscode';
import { formatCount } from '../../analysis/source/linkRunToSource';
import type { RunResults } from './runResults';
import { linkDocument } from './documentLinks';

export class LayerHoverProvider implements vscode.HoverProvider {
  constructor(private readonly results: RunResults) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const linked = linkDocument(document, this.results);
    if (!linked) return undefined;
    const line = position.line + 1;
    const column = position.character + 1;
    const inside = linked.calls.filter(({ call }) => {
      const afterStart =
        line > call.start.line || (line === call.start.line && column >= call.start.column);
      const beforeEnd =
        line < call.end.line || (line === call.end.line && column <= call.end.column);
      return afterStart && beforeEnd;
    });
    const hit = inside[inside.length - 1]; // the innermost call
    if (!hit) return undefined;
    const md = new vscode.MarkdownString();
    const { call, instances, run } = hit;
    if (instances.length === 0) {
      md.appendMarkdown(`**${call.name ?? call.factory}** (\`${call.factory}\`)\n\n`);
      md.appendMarkdown(
        run
          ? 'Not matched to a layer of the last run (the file changed since, or the layer is not in the model).'
          : 'Run the model (**Visualize layer**) to see its output shape, parameters and receptive field.',
      );
      return new vscode.Hover(md);
    }
    for (const f of instances) {
      md.appendMarkdown(`**${f.name}** (${f.className})\n\n`);
      md.appendMarkdown(`| | |\n|---|---|\n`);
      md.appendMarkdown(`| output | ${f.outputShape} |\n`);
      md.appendMarkdown(`| parameters | ${f.params.toLocaleString('en-US')} |\n`);
      md.appendMarkdown(`| MACs | ${f.macs === null ? 'unknown' : formatCount(f.macs)} |\n`);
      md.appendMarkdown(`| receptive field | ${f.receptiveField ?? 'n/a'} |\n\n`);
      if (f.receptiveFieldWarning) {
        md.appendText(`\u26a0 Approximate receptive field: ${f.receptiveFieldWarning}.`);
        md.appendMarkdown('\n\n');
      }
    }
    if (run) md.appendMarkdown(`_From the last run of export \`${run.exportName}\`._`);
    return new vscode.Hover(md);
  }
}
