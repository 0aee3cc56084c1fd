/** Keeps one panel per model and reuses it when the model is opened again. */
import * as vscode from 'vscode';
import type { ModelRef } from '../worker/workerProtocol';
import type { ModelService } from './modelService';
import { ModelPanel, type PanelSnapshot } from './panel/modelPanel';

export class PanelRegistry implements vscode.Disposable {
  private readonly panels = new Map<string, ModelPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly models: ModelService,
    private readonly chooseImage: () => Promise<string | undefined>,
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
    const panel = ModelPanel.create(ref, this.extensionUri, this.models, this.chooseImage, () =>
      this.panels.delete(key),
    );
    this.panels.set(key, panel);
    return panel;
  }

  snapshots(): PanelSnapshot[] {
    return [...this.panels.values()].map((p) => p.snapshot());
  }

  dispose(): void {
    this.panels.forEach((p) => p.dispose());
    this.panels.clear();
  }
}
