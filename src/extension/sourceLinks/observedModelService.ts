/** The ModelService, announcing every successful load so lenses, hovers and the tree can use it. */
import * as vscode from 'vscode';
import { ModelService } from '../modelService';
import type { LoadedModel, ModelRef } from '../../protocol/worker/workerProtocol';
import type { ProgressReporter } from '../../analysis/inspectionSession';

export interface ModelLoaded {
  ref: ModelRef;
  loaded: LoadedModel;
}

export class ObservedModelService extends ModelService {
  private readonly loadedEmitter = new vscode.EventEmitter<ModelLoaded>();
  readonly onDidLoadModel = this.loadedEmitter.event;

  override loadModel(
    model: ModelRef,
    reload = false,
    signal?: AbortSignal,
    onStep?: ProgressReporter,
    panelShowsProgress?: () => boolean,
  ) {
    return super.loadModel(model, reload, signal, onStep, panelShowsProgress).then((loaded) => {
      this.loadedEmitter.fire({ ref: model, loaded });
      return loaded;
    });
  }

  override dispose(): void {
    this.loadedEmitter.dispose();
    super.dispose();
  }
}
