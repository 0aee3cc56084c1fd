/** The command palette and explorer entry points. */
import * as vscode from 'vscode';
import type { ModelRef } from '../protocol/worker/workerProtocol';
import type { ModelService } from './modelService';
import type { PanelRegistry } from './panelRegistry';
import type { ModelPanel, PanelSnapshot } from './panel/modelPanel';
import { pickImage, pickLayer, pickModel } from './pickers';
import { pickInputFor } from './signalPicker';
import { readSettings, resolveSettingPath } from './settings';
import { requireTrust } from './workspaceTrust';
import type { VisualizeArgs } from './commandIds';

export type { VisualizeArgs } from './commandIds';

function fsPath(value: string | vscode.Uri | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.fsPath;
}

export class Commands {
  constructor(
    private readonly models: ModelService,
    private readonly panels: PanelRegistry,
  ) {}

  /** "CNN Inspector: Visualize layer": pick model, layer and image unless given as arguments. */
  async visualizeLayer(args: VisualizeArgs = {}): Promise<PanelSnapshot | undefined> {
    return (await this.showLayer(args))?.snapshot();
  }

  /**
   * "CNN Inspector: Ask why (open the Why tab)": as Visualize layer, then the Why tab, which
   * projects the layer's strongest unit back to the pixels and explains the top class.
   */
  async explainLayer(args: VisualizeArgs = {}): Promise<PanelSnapshot | undefined> {
    const panel = await this.showLayer(args);
    panel?.showTab('why');
    return panel?.snapshot();
  }

  /** The panel of the picked (or given) model at the picked layer; undefined when cancelled or failed. */
  private async showLayer(args: VisualizeArgs): Promise<ModelPanel | undefined> {
    if (!requireTrust()) return undefined;
    let shownIn: ModelPanel | undefined;
    try {
      const modelFile = fsPath(args.modelFile);
      const ref: ModelRef | undefined = modelFile
        ? { file: modelFile, exportName: args.exportName }
        : await pickModel();
      if (!ref) return undefined;
      let layerName = args.layerName;
      if (!layerName && !modelFile) {
        const loaded = await this.models.loadModel(ref);
        layerName = await pickLayer(loaded.summary.layers);
        if (!layerName) return undefined;
      }
      // The image already shown in this model's panel wins over the default and the picker.
      const knownInput =
        fsPath(args.image) ?? this.panels.find(ref)?.snapshot().inputSource ?? defaultImage(ref);
      if (!knownInput && modelFile) {
        // From a lens or the tree: the panel opens at once and shows the model loading (its
        // layers as soon as they are built), then asks for the input the loaded model takes.
        const panel = this.panels.open(ref);
        shownIn = panel;
        await panel.show({ layerName });
        const inputSource = await pickInputFor(this.models, ref);
        if (inputSource) await panel.show({ layerName, inputSource });
        return panel;
      }
      const inputSource = knownInput ?? (await pickInputFor(this.models, ref));
      const panel = this.panels.open(ref);
      shownIn = panel;
      await panel.show({ layerName, inputSource });
      return panel;
    } catch (error) {
      // The panel shows its own failures: a toast only when it is not in view.
      this.models.report(error, { toast: !shownIn?.visible });
      return undefined;
    }
  }

  /** Explorer context menu on an image: pick a model and show the image through it. */
  async inspectImage(uri?: vscode.Uri): Promise<PanelSnapshot | undefined> {
    if (!requireTrust()) return undefined;
    const inputSource = uri?.fsPath ?? (await pickImage());
    if (!inputSource) return undefined;
    try {
      const ref = await pickModel({ takes: 'image' });
      if (!ref) return undefined;
      const panel = this.panels.open(ref);
      await panel.show({ inputSource });
      return panel.snapshot();
    } catch (error) {
      this.models.report(error);
      return undefined;
    }
  }
}

/** `cnnInspector.defaultImage` for this model file's workspace folder, as an absolute path. */
function defaultImage(ref: ModelRef): string | undefined {
  const scope = vscode.Uri.file(ref.file);
  return resolveSettingPath(readSettings(scope).defaultImage, scope);
}
