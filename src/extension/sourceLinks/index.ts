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

/** The diagnostics of model sources, updated a moment after the last edit of each document. */
class DebouncedDiagnostics implements vscode.Disposable {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly diagnostics: SourceDiagnostics,
    private readonly relevance: WorkspaceRelevance,
    private readonly tree: ModelTreeProvider,
  ) {}

  update(document: vscode.TextDocument, delay = DIAGNOSTICS_DELAY_MS): void {
    if (!isModelSourceCandidate(document)) return;
    if (!this.relevance.isRelatedSync()) {
      this.relevance.markRelated();
      this.tree.refresh();
    }
    const key = document.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        this.diagnostics.update(document);
      }, delay),
    );
  }

  /** At once, for the open documents of `file` (a run has new facts about it). */
  updateFile(file: string): void {
    for (const document of vscode.workspace.textDocuments)
      if (document.uri.fsPath === file) this.update(document, 0);
  }

  dispose(): void {
    this.pending.forEach((t) => clearTimeout(t));
  }
}

/** Documents opened, edited, closed, saved; files created and deleted. */
function documentListeners(
  updates: DebouncedDiagnostics,
  diagnostics: SourceDiagnostics,
  tree: ModelTreeProvider,
  rerun: RerunOnSave,
): vscode.Disposable[] {
  return [
    vscode.workspace.onDidOpenTextDocument((d) => updates.update(d, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => updates.update(e.document)),
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
  ];
}

/** The commands of the lenses, hovers and tree. */
function sourceCommands(commands: SourceCommands, tree: ModelTreeProvider): vscode.Disposable[] {
  return [
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
  ];
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
  const rerun = new RerunOnSave(models, panels, results, log);
  const updates = new DebouncedDiagnostics(diagnostics, relevance, tree);
  context.subscriptions.push(
    results,
    diagnostics,
    rerun,
    updates,
    // A failed re-run forgets the older facts: lenses and tree follow.
    results.onDidChange(() => {
      lenses.refresh();
      tree.refresh();
    }),
    models.onDidLoadModel((loaded) => {
      results.record(loaded, textOnDisk(loaded.ref.file));
      lenses.refresh();
      tree.refresh();
      updates.updateFile(loaded.ref.file);
    }),
    vscode.languages.registerCodeLensProvider(SELECTOR, lenses),
    vscode.languages.registerHoverProvider(SELECTOR, new LayerHoverProvider(results)),
    vscode.window.registerTreeDataProvider('cnnInspector.models', tree),
    ...documentListeners(updates, diagnostics, tree, rerun),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingsChanged(e, 'codeLens')) lenses.refresh();
    }),
    ...sourceCommands(new SourceCommands(models, results), tree),
  );
  for (const document of vscode.workspace.textDocuments) updates.update(document, 0);
  void relevance.isRelated();
  return {
    noteModelFile: (file) => {
      relevance.markRelated();
      void tree.updateFile(file, textOnDisk(file));
    },
    lastRerun: (file) => rerun.lastRerun.get(file),
  };
}
