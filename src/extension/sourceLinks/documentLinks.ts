/** A document's static pass joined with the runs of its models: what each lens and hover shows. */
import type * as vscode from 'vscode';
import {
  instancesByCall,
  layerFacts,
  type LayerFacts,
} from '../../analysis/source/linkRunToSource';
import type { LayerCall, SourceScan } from '../../analysis/source/types';
import type { RunResults, RunRecord } from './runResults';
import { scanDocument } from './documentScans';

export interface LinkedCall {
  call: LayerCall;
  index: number;
  /** The run the facts come from (the first export that reaches the call and has run). */
  run?: RunRecord;
  /** Layer instances the call made in that run, with their facts. */
  instances: LayerFacts[];
}

export interface LinkedDocument {
  scan: SourceScan;
  calls: LinkedCall[];
  /** Lines that call a helper which made layers: line -> run and instances. */
  callerLines: { line: number; run: RunRecord; instances: LayerFacts[] }[];
}

function factsOf(run: RunRecord, names: string[] | undefined): LayerFacts[] {
  const { summary, structure } = run.loaded;
  return (names ?? []).flatMap((n) => layerFacts(summary, structure, n) ?? []);
}

export function linkDocument(
  document: vscode.TextDocument,
  results: RunResults,
): LinkedDocument | undefined {
  const scan = scanDocument(document);
  if (!scan || scan.models.length === 0) return undefined;
  const text = document.getText();
  const linkedRuns = new Map<RunRecord, ReturnType<typeof instancesByCall>>();
  const linkOf = (run: RunRecord) => {
    let link = linkedRuns.get(run);
    if (!link) {
      // Positions recorded by a run hold only while the text is the one that ran.
      link = instancesByCall(scan, run.loaded.summary, run.sourceText === text);
      linkedRuns.set(run, link);
    }
    return link;
  };
  const calls = scan.layers.map((call, index): LinkedCall => {
    for (const run of results.forFile(scan.file, call.exportNames)) {
      const names = linkOf(run).byCall.get(index);
      if (names?.length) return { call, index, run, instances: factsOf(run, names) };
    }
    const run = results.forFile(scan.file, call.exportNames)[0];
    return { call, index, run, instances: [] };
  });
  const callerLines: LinkedDocument['callerLines'] = [];
  const modelLines = new Set(scan.models.map((m) => m.start.line));
  const seen = new Set<number>();
  for (const run of results.forFile(scan.file, scan.models[0] ? [scan.models[0].exportName] : [])) {
    for (const [line, names] of linkOf(run).byCallerLine) {
      if (seen.has(line) || modelLines.has(line)) continue;
      seen.add(line);
      callerLines.push({ line, run, instances: factsOf(run, names) });
    }
  }
  return { scan, calls, callerLines };
}
