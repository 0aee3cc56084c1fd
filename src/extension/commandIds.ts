/**
 * The extension's commands: their ids (as package.json contributes them) and the arguments the
 * panel-opening ones take, so that no other file spells an id or rebuilds an argument object.
 * Types only from `vscode`, so unit tests can check the ids against package.json.
 */
import type * as vscode from 'vscode';

export const COMMAND = {
  visualizeLayer: 'cnnInspector.visualizeLayer',
  visualizeLayerAt: 'cnnInspector.visualizeLayerAt',
  explainLayer: 'cnnInspector.explainLayer',
  pickLayerInstance: 'cnnInspector.pickLayerInstance',
  revealLayer: 'cnnInspector.revealLayer',
  inspectImage: 'cnnInspector.inspectImage',
  showLog: 'cnnInspector.showLog',
  restartWorker: 'cnnInspector.restartWorker',
  buildGallery: 'cnnInspector.buildGallery',
  openGalleryFile: 'cnnInspector.openGalleryFile',
  refreshModels: 'cnnInspector.refreshModels',
  newModelFile: 'cnnInspector.newModelFile',
  useNativeTensorFlow: 'cnnInspector.useNativeTensorFlow',
  /** The explorer context menu's copies, titled with the "CNN Inspector:" prefix. */
  explorerVisualizeLayer: 'cnnInspector.explorer.visualizeLayer',
  explorerInspectImage: 'cnnInspector.explorer.inspectImage',
  explorerBuildGallery: 'cnnInspector.explorer.buildGallery',
} as const;

/** "Visualize layer": whatever is missing is asked for (model, layer, image). */
export interface VisualizeArgs {
  modelFile?: string | vscode.Uri;
  exportName?: string;
  layerName?: string;
  image?: string | vscode.Uri;
}

/** A command object (CodeLens, tree item) that opens the panel with `args`. */
export function visualizeCommand(title: string, args: VisualizeArgs): vscode.Command {
  const { layerName, ...rest } = args;
  return {
    title,
    command: COMMAND.visualizeLayer,
    arguments: [{ ...rest, ...(layerName ? { layerName } : {}) }],
  };
}
