/**
 * Source links: lenses, hovers, diagnostics and the explorer tree that tie layers to the lines
 * that create them, plus re-run on save. Registered by `activate`; nothing here loads the
 * TypeScript parser until a TypeScript file that mentions TensorFlow.js is shown.
 */
import * as vscode from 'vscode';
import { COMMAND } from '../commandIds';
import { settingsChanged } from '../settings';
import { readFileSync } from 'node:fs';
import type { PanelRegistry } from '../panelRegistry';
import type { ObservedModelService } from './observedModelService';
import { RunResults } from './runResults';
import { LayerLensProvider } from './layerLenses';
import { LayerHoverProvider } from './layerHover';
import { SourceDiagnostics } from './sourceDiagnostics';
import { ModelTreeProvider } from './modelTree';
import { SourceCommands, type LayerRef } from './sourceCommands';
import { RerunOnSave, type RerunStatus } from './rerunOnSave';
import { forgetDocument, isModelSourceCandidate } from './documentScans';
import { WorkspaceRelevance } from './workspaceRelevance';

const SELECTOR: vscode.DocumentSelector = { language: 'typescript', scheme: 'file' };
const DIAGNOSTICS_DELAY_MS = 300;

function textOnDisk(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function registerSourceLinks(
  context: vscode.ExtensionContext,
  models: ObservedModelService,
  panels: PanelRegistry,
  log: vscode.LogOutputChannel,
): { noteModelFile(file: string): void; lastRerun(file: string): RerunStatus | undefined } {
  const results = new RunResults();
  const lenses = new LayerLensProvider(results);
  const diagnostics = new SourceDiagnostics(results);
  const relevance = new WorkspaceRelevance();
  const tree = new ModelTreeProvider(results, relevance);
  const commands = new SourceCommands(models, results);
  const rerun = new RerunOnSave(models, panels, results, log);
  const pending = new Map<string, NodeJS.Timeout>();
  const updateDiagnostics = (document: vscode.TextDocument, delay = DIAGNOSTICS_DELAY_MS) => {
    if (!isModelSourceCandidate(document)) return;
    if (!relevance.isRelatedSync()) {
      relevance.markRelated();
      tree.refresh();
    }
    const key = document.uri.toString();
    clearTimeout(pending.get(key));
    pending.set(
      key,
      setTimeout(() => {
        pending.delete(key);
        diagnostics.update(document);
      }, delay),
    );
  };
  const updateFile = (file: string) => {
    for (const document of vscode.workspace.textDocuments)
      if (document.uri.fsPath === file) updateDiagnostics(document, 0);
  };

  context.subscriptions.push(
    results,
    diagnostics,
    rerun,
    { dispose: () => pending.forEach((t) => clearTimeout(t)) },
    // A failed re-run forgets the older facts: lenses and tree follow.
    results.onDidChange(() => {
      lenses.refresh();
      tree.refresh();
    }),
    models.onDidLoadModel((loaded) => {
      results.record(loaded, textOnDisk(loaded.ref.file));
      lenses.refresh();
      tree.refresh();
      updateFile(loaded.ref.file);
    }),
    vscode.languages.registerCodeLensProvider(SELECTOR, lenses),
    vscode.languages.registerHoverProvider(SELECTOR, new LayerHoverProvider(results)),
    vscode.window.registerTreeDataProvider('cnnInspector.models', tree),
    vscode.workspace.onDidOpenTextDocument((d) => updateDiagnostics(d, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => updateDiagnostics(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      forgetDocument(d);
      diagnostics.forget(d);
    }),
    vscode.workspace.onDidSaveTextDocument((d) => {
      if (d.uri.scheme !== 'file' || d.languageId !== 'typescript') return;
      // A file that stopped being a model file leaves the tree too.
      void tree.updateFile(d.uri.fsPath, d.getText());
      if (isModelSourceCandidate(d)) rerun.onSaved(d);
    }),
    vscode.workspace.onDidDeleteFiles((e) => {
      for (const uri of e.files) void tree.updateFile(uri.fsPath, undefined);
    }),
    vscode.workspace.onDidCreateFiles((e) => {
      for (const uri of e.files) void tree.updateFile(uri.fsPath, textOnDisk(uri.fsPath));
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingsChanged(e, 'codeLens')) lenses.refresh();
    }),
    vscode.commands.registerCommand(COMMAND.revealLayer, (args: LayerRef) =>
      commands.revealLayer(args),
    ),
    vscode.commands.registerCommand(
      COMMAND.visualizeLayerAt,
      (args: { modelFile: string; exportName?: string; line: number }) =>
        commands.visualizeLayerAt(args),
    ),
    vscode.commands.registerCommand(
      COMMAND.pickLayerInstance,
      (args: { modelFile: string; exportName: string; layerNames: string[] }) =>
        commands.pickLayerInstance(args),
    ),
    vscode.commands.registerCommand(COMMAND.refreshModels, () => tree.refresh(true)),
  );
  for (const document of vscode.workspace.textDocuments) updateDiagnostics(document, 0);
  void relevance.isRelated();
  return {
    noteModelFile: (file) => {
      relevance.markRelated();
      void tree.updateFile(file, textOnDisk(file));
    },
    lastRerun: (file) => rerun.lastRerun.get(file),
  };
}
