/** The host's messages that carry a loaded model or a pass's input to the panel (pure: no vscode). */
import { basename } from 'node:path';
import type { HostToPanel } from '../../protocol/panelProtocol';
import type { LoadedModel } from '../../protocol/worker/workerProtocol';
import type { ImageResult } from '../../analysis/inspectionSession';

/** `run`: what the `layer` messages for this model carry (panelProtocol.ts). */
export function modelMessage(loaded: LoadedModel, selectedLayer: string, run: number): HostToPanel {
  return {
    type: 'model',
    run,
    summary: loaded.summary,
    backend: loaded.backend,
    backendNotes: loaded.backendNotes,
    ...(loaded.engineFallback ? { engineFallback: loaded.engineFallback } : {}),
    selectedLayer,
    structure: loaded.structure,
    ...(loaded.structureError ? { structureError: loaded.structureError } : {}),
  };
}

export function imageMessage(image: ImageResult, run: number): HostToPanel {
  return {
    type: 'image',
    run,
    inputSource: image.inputSource,
    imageName: basename(image.inputSource),
    width: image.input.width,
    height: image.input.height,
    rgba: image.input.rgba,
    top5: image.top5,
    ...(image.signal ? { signal: image.signal } : {}),
    ...(image.warnings ? { warnings: image.warnings } : {}),
  };
}
