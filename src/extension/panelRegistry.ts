/** Keeps one panel per model and reuses it when the model is opened again. */
import * as vscode from 'vscode';
import type { ModelRef } from '../protocol/worker/workerProtocol';
import type { ModelService } from './modelService';
import { ModelPanel, type PanelSnapshot } from './panel/modelPanel';
import { panelWebviewOptions } from './panel/panelHtml';

import type { PanelState } from '../protocol/panelProtocol';
import { InspectorError } from '../analysis/errors';
import { TRUST_WARNING } from './workspaceTrust';
import type { ChooseImage } from './pickers';

export class PanelRegistry implements vscode.Disposable {
  private readonly panels = new Map<string, ModelPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly models: ModelService,
    private readonly chooseImage: ChooseImage,
  ) {}

  private static key(ref: ModelRef): string {
    return `${ref.file}#${ref.exportName ?? 'default'}`;
  }

  /** The open panel of a model, if any, without revealing it. */
  find(ref: ModelRef): ModelPanel | undefined {
    return this.panels.get(PanelRegistry.key(ref));
  }

  open(ref: ModelRef): ModelPanel {
    const key = PanelRegistry.key(ref);
    const existing = this.panels.get(key);
    if (existing) {
      existing.reveal();
      return existing;
    }
    // Every model's panel goes to the group of the panels already open (one column of panels,
    // as VS Code's previews do), or beside the editor for the first one.
    const column = [...this.panels.values()].map((p) => p.viewColumn).find((c) => c);
    const panel = ModelPanel.create(
      ref,
      this.extensionUri,
      this.models,
      this.chooseImage,
      () => this.panels.delete(key),
      column,
    );
    this.panels.set(key, panel);
    return panel;
  }

  /**
   * A panel VS Code brings back after a window reload, with the state its webview saved: the
   * model, image, layer and tab it showed. Loading runs workspace code: only when trusted.
   */
  restore(webviewPanel: vscode.WebviewPanel, state: PanelState | undefined): void {
    if (
      !state?.modelFile ||
      this.panels.has(PanelRegistry.key({ file: state.modelFile, exportName: state.exportName }))
    ) {
      webviewPanel.dispose(); // nothing to show, or that model already has its panel
      return;
    }
    const ref: ModelRef = { file: state.modelFile, exportName: state.exportName };
    const key = PanelRegistry.key(ref);
    webviewPanel.webview.options = panelWebviewOptions(this.extensionUri);
    const panel = new ModelPanel(
      ref,
      webviewPanel,
      this.extensionUri,
      this.models,
      this.chooseImage,
      () => this.panels.delete(key),
    );
    this.panels.set(key, panel);
    if (!vscode.workspace.isTrusted) {
      panel.showError(new InspectorError('usage', TRUST_WARNING));
      return;
    }
    panel
      .show({ layerName: state.layer, inputSource: state.inputSource })
      .catch((error: unknown) => {
        this.models.report(error, { toast: !panel.visible });
      });
  }

  /** The colormap or normalization setting changed: every open panel redraws with it. */
  postSettings(): void {
    this.panels.forEach((p) => p.postSettings());
  }

  snapshots(): PanelSnapshot[] {
    return [...this.panels.values()].map((p) => p.snapshot());
  }

  dispose(): void {
    this.panels.forEach((p) => p.dispose());
    this.panels.clear();
  }
}
