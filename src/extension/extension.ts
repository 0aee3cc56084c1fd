/**
 * Extension entry point: wires the services and registers the commands. Activation loads no
 * TensorFlow.js: models load lazily, in the worker, when first needed.
 */
import * as vscode from 'vscode';
import { COMMAND, type VisualizeArgs } from './commandIds';
import { ObservedModelService } from './sourceLinks/observedModelService';
import { registerSourceLinks } from './sourceLinks';
import { PanelRegistry } from './panelRegistry';
import { Commands } from './commands';
import { wasRefusedForTrust } from './workspaceTrust';
import { pickImage } from './pickers';
import { ModelPanel, type PanelSnapshot } from './panel/modelPanel';
import { migratePanelState } from '../analysis/panelState';
import {
  buildGalleryFromFolder,
  openGalleryFile,
  type BuildGalleryArgs,
  type OpenGalleryFileArgs,
} from './gallery/galleryCommand';
import { setGalleryStorageDir } from './gallery/gallerySettings';
import { settingsChanged } from './settings';
import { newModelFile, type NewModelFileArgs } from './newModelFile';
import { useNativeTensorFlow } from './nativeTensorFlow';
import type { RerunStatus } from './sourceLinks/rerunOnSave';

/** What the extension exports, for integration tests and other extensions. */
export interface CnnInspectorApi {
  getPanels(): PanelSnapshot[];
  getLastError(): string | undefined;
  /** True once running a model was refused because the workspace is not trusted. */
  wasRefusedForTrust(): boolean;
  /** What the last save of a model file re-ran and dropped. */
  getLastRerun(file: string): RerunStatus | undefined;
}

export function activate(context: vscode.ExtensionContext): CnnInspectorApi {
  const started = Date.now();
  const log = vscode.window.createOutputChannel('CNN Inspector', { log: true });
  const models = new ObservedModelService(context.extensionUri, log);
  const panels = new PanelRegistry(context.extensionUri, models, pickImage);
  context.subscriptions.push(
    log,
    models,
    panels,
    ...panelCommands(new Commands(models, panels), panels, models, log),
    applySettingsLive(models, panels),
    ...galleryCommands(models, panels),
    ...explorerCopies(),
  );
  setGalleryStorageDir(context.globalStorageUri.fsPath);
  const sourceLinks = registerSourceLinks(context, models, panels, log);
  context.subscriptions.push(...modelFileCommands(context, models, sourceLinks));
  log.info(`Activated in ${Date.now() - started} ms.`);
  return {
    getPanels: () => panels.snapshots(),
    getLastError: () => models.lastError,
    wasRefusedForTrust,
    getLastRerun: (file) => sourceLinks.lastRerun(file),
  };
}

/** The commands that open and drive model panels, and the panels' return after a reload. */
function panelCommands(
  commands: Commands,
  panels: PanelRegistry,
  models: ObservedModelService,
  log: vscode.LogOutputChannel,
): vscode.Disposable[] {
  return [
    // From the explorer's context menu on an .onnx file the argument is the file's Uri.
    vscode.commands.registerCommand(COMMAND.visualizeLayer, (args?: VisualizeArgs | vscode.Uri) =>
      commands.visualizeLayer(args instanceof vscode.Uri ? { modelFile: args } : args),
    ),
    vscode.commands.registerCommand(COMMAND.explainLayer, (args?: VisualizeArgs) =>
      commands.explainLayer(args),
    ),
    vscode.commands.registerCommand(COMMAND.inspectImage, (uri?: vscode.Uri) =>
      commands.inspectImage(uri),
    ),
    vscode.commands.registerCommand(COMMAND.showLog, () => log.show()),
    // Panels come back after a window reload, at the model, image, layer and tab they showed.
    vscode.window.registerWebviewPanelSerializer(ModelPanel.viewType, {
      // A state saved by an earlier version has fields renamed since: migrated first.
      deserializeWebviewPanel: async (panel, state: unknown) =>
        panels.restore(panel, migratePanelState(state)),
    }),
    vscode.commands.registerCommand(COMMAND.restartWorker, () => models.restartWorker()),
  ];
}

/**
 * Settings apply live. The backend, threads and memory limit are fixed per worker thread: a new
 * choice needs a new worker.
 */
function applySettingsLive(models: ObservedModelService, panels: PanelRegistry): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (settingsChanged(e, 'workerMemoryLimitMb')) models.applyMemoryLimit();
    else if (settingsChanged(e, 'backend', 'engine', 'wasmThreads'))
      models.restartWorker('for the new settings');
    if (settingsChanged(e, 'colormap', 'normalization')) panels.postSettings();
  });
}

function galleryCommands(models: ObservedModelService, panels: PanelRegistry): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(
      COMMAND.buildGallery,
      (uri?: vscode.Uri, args?: BuildGalleryArgs) =>
        // From the explorer the second argument is the list of selected resources, not options.
        buildGalleryFromFolder(models, panels, uri, Array.isArray(args) ? undefined : args),
    ),
    vscode.commands.registerCommand(
      COMMAND.openGalleryFile,
      (uri?: vscode.Uri, args?: OpenGalleryFileArgs) =>
        openGalleryFile(models, panels, uri, Array.isArray(args) ? undefined : args),
    ),
  ];
}

/**
 * The explorer's context menu shows titles without their category: the same commands under
 * titles that carry the "CNN Inspector:" prefix (hidden from the palette, which has the originals).
 */
function explorerCopies(): vscode.Disposable[] {
  return [
    [COMMAND.explorerVisualizeLayer, COMMAND.visualizeLayer],
    [COMMAND.explorerInspectImage, COMMAND.inspectImage],
    [COMMAND.explorerBuildGallery, COMMAND.buildGallery],
  ].map(([copy, original]) =>
    vscode.commands.registerCommand(copy, (...args: unknown[]) =>
      vscode.commands.executeCommand(original, ...args),
    ),
  );
}

function modelFileCommands(
  context: vscode.ExtensionContext,
  models: ObservedModelService,
  sourceLinks: ReturnType<typeof registerSourceLinks>,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMAND.newModelFile, async (args?: NewModelFileArgs) => {
      try {
        const file = await newModelFile(context.extensionUri, args);
        if (file) sourceLinks.noteModelFile(file);
        return file;
      } catch (error) {
        models.report(error);
        return undefined;
      }
    }),
    vscode.commands.registerCommand(COMMAND.useNativeTensorFlow, () =>
      useNativeTensorFlow(() => models.restartWorker()),
    ),
  ];
}

export function deactivate(): void {}
