/** Hover on a layer-creating call: output shape, parameters, MACs and receptive field. */
import * as vscode from 'vscode';
import type { RunResults } from './runResults';
import { linkDocument } from './documentLinks';
import { layerHoverMarkdown } from './layerHoverText';

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
    const markdown = layerHoverMarkdown({
      call: hit.call,
      instances: hit.instances,
      runExport: hit.run?.exportName,
    });
    // Not trusted, no HTML: command links and markup stay inert whatever the text holds.
    const md = new vscode.MarkdownString(markdown);
    md.isTrusted = false;
    md.supportHtml = false;
    return new vscode.Hover(md);
  }
}
