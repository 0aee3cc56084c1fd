/**
 * What the panel's links open: the model's source (a layer's line, an error's location) in the
 * editor group beside the panel, the clipboard, and the ONNX hint's wrapper template and README.
 */
import * as vscode from 'vscode';
import { COMMAND } from '../commandIds';
import { errorMessage, type SourceLocation } from '../../analysis/errors';
import { sourceColumn } from '../sourceColumn';

/** The layer's defining line, without taking the focus and without a message if it is not found. */
export function revealLayerSource(
  layer: { modelFile: string; exportName?: string; layerName: string },
  panelColumn: vscode.ViewColumn | undefined,
): void {
  const args = { ...layer, preserveFocus: true, quiet: true, panelColumn };
  void vscode.commands.executeCommand(COMMAND.revealLayer, args).then(undefined, () => {
    // Revealing is a courtesy: a model built where the source cannot be found still works.
  });
}

/** The user's file at the error's line, in the editor group beside the panel. */
export function openSourceLocation(
  location: SourceLocation,
  panelColumn: vscode.ViewColumn | undefined,
): void {
  const position = new vscode.Position(location.line - 1, Math.max(0, location.column - 1));
  const file = vscode.Uri.file(location.file);
  void vscode.window.showTextDocument(file, {
    selection: new vscode.Range(position, position),
    viewColumn: sourceColumn(file, panelColumn),
  });
}

/** Copies the text, then reports the outcome (an error message, or undefined when it worked). */
export function copyToClipboard(text: string, done: (error: string | undefined) => void): void {
  vscode.env.clipboard.writeText(text).then(
    () => done(undefined),
    (error: unknown) => done(errorMessage(error)),
  );
}

/** A new model file that loads this ONNX file with labels and preprocessing. */
export function openOnnxWrapperTemplate(onnxFile: string): void {
  void vscode.commands.executeCommand(COMMAND.newModelFile, { template: 'onnx-wrapper', onnxFile });
}

/** The README's section on ONNX models, rendered. */
export function openOnnxReadme(extensionUri: vscode.Uri): void {
  void vscode.commands.executeCommand(
    'markdown.showPreview',
    vscode.Uri.joinPath(extensionUri, 'README.md').with({
      fragment: 'onnx-models-pytorch-keras-tensorflow',
    }),
  );
}
