/**
 * The Markdown of the hover on a layer-creating call, as plain text (no `vscode`), so it can be
 * tested. Layer names, factories, classes and export names come from the model file (the static
 * scan runs in untrusted workspaces too) or from its run: every such text is escaped, so a name
 * like `x](https://...)` or `<img src=...>` shows as written and never becomes a link, an image or
 * HTML.
 */
import { formatCount, type LayerFacts } from '../../analysis/source/linkRunToSource';
import type { LayerCall } from '../../analysis/source/types';

/** Backslash-escapes every ASCII punctuation character Markdown could read (CommonMark: all may be). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&:"'=$%^@;,/?]/g, '\\$&').replace(/\s+/g, ' ');
}

export interface HoverFacts {
  call: LayerCall;
  instances: LayerFacts[];
  /** Export name of the run the facts come from; undefined before any run. */
  runExport?: string;
}

export function layerHoverMarkdown({ call, instances, runExport }: HoverFacts): string {
  const parts: string[] = [];
  if (instances.length === 0) {
    parts.push(
      `**${escapeMarkdown(call.name ?? call.factory)}** (${escapeMarkdown(call.factory)})\n\n`,
    );
    parts.push(
      runExport !== undefined
        ? 'Not matched to a layer of the last run (the file changed since, or the layer is not in the model).'
        : 'Run the model (**Visualize layer**) to see its output shape, parameters and receptive field.',
    );
    return parts.join('');
  }
  for (const f of instances) {
    parts.push(`**${escapeMarkdown(f.name)}** (${escapeMarkdown(f.className)})\n\n`);
    parts.push(`| | |\n|---|---|\n`);
    parts.push(`| output | ${escapeMarkdown(f.outputShape)} |\n`);
    parts.push(`| parameters | ${f.params.toLocaleString('en-US')} |\n`);
    parts.push(`| MACs | ${f.macs === null ? 'unknown' : formatCount(f.macs)} |\n`);
    parts.push(`| receptive field | ${escapeMarkdown(f.receptiveField ?? 'n/a')} |\n\n`);
    if (f.receptiveFieldWarning) {
      parts.push(
        `\u26a0 Approximate receptive field: ${escapeMarkdown(f.receptiveFieldWarning)}.\n\n`,
      );
    }
  }
  if (runExport !== undefined)
    parts.push(`_From the last run of export ${escapeMarkdown(runExport)}._`);
  return parts.join('');
}
