/** Answers the panel's explanation queries through the model worker. */
import type {
  ClassAnswer,
  ClassQuery,
  ExplainAnswer,
  ExplainQuery,
  ExplainToHost,
  ExplainToPanel,
} from '../../protocol/explainMessages';
import { isClassExplanation } from '../../analysis/explain/classExplanationKinds';
import type {
  ModelRef,
  RequestWithoutId,
  WorkerRequest,
} from '../../protocol/worker/workerProtocol';
import type { ModelService } from '../modelService';
import type { FolderGalleryResult } from '../../host/folderGallery';
import { compareWithGallery } from '../../analysis/explain/featureComparison';
import { errorMessage } from '../../analysis/errors';

/**
 * A panel's explanation requests: each answered (or failed, or progress reported) with the
 * request's id, and the long class explanations cancellable together.
 */
export class PanelExplanations {
  /** The running occlusions, integrated gradients and feature visualizations, for Cancel. */
  private readonly classRuns = new Set<AbortController>();

  constructor(
    private readonly models: ModelService,
    private readonly model: ModelRef,
    private readonly post: (message: ExplainToPanel) => void,
  ) {}

  /** `inputSource`: the panel's input (no input: nothing to explain); `folderGallery`: see below. */
  onMessage(
    message: ExplainToHost,
    inputSource: string | undefined,
    folderGallery?: FolderGalleryResult,
  ): void {
    switch (message.type) {
      case 'cancelExplain':
        // Cancelling restarts the worker (a running step cannot be interrupted otherwise), which
        // stops every long class explanation in flight.
        for (const run of this.classRuns) run.abort();
        this.classRuns.clear();
        return;
      case 'explain':
        if (inputSource) this.answer(message.id, message.query, inputSource, folderGallery);
        return;
      default:
        return message satisfies never;
    }
  }

  private answer(
    id: number,
    query: ExplainQuery,
    inputSource: string,
    folderGallery: FolderGalleryResult | undefined,
  ): void {
    let run = {};
    const controller = new AbortController();
    if (isClassExplanation(query) && query.kind !== 'gradcam') {
      this.classRuns.add(controller);
      run = {
        signal: controller.signal,
        onProgress: (m: string) =>
          this.post({ type: 'explainProgress', id, kind: query.kind, message: m }),
      };
    }
    answerExplainQuery(this.models, this.model, inputSource, query, run, folderGallery)
      .finally(() => this.classRuns.delete(controller))
      .then(
        (answer) => this.post({ type: 'explained', id, answer }),
        (error: unknown) =>
          this.post({
            type: 'explainFailed',
            id,
            query,
            message: errorMessage(error),
          }),
      );
  }
}

export async function answerExplainQuery(
  models: ModelService,
  model: ModelRef,
  inputSource: string,
  query: ExplainQuery,
  run: { signal?: AbortSignal; onProgress?: (message: string) => void } = {},
  /** The panel's folder gallery, if one was built: the input a unit wants is compared with it. */
  folderGallery?: FolderGalleryResult,
): Promise<ExplainAnswer> {
  if (isClassExplanation(query)) {
    const answer = await answerClassQuery(models, model, inputSource, query, run);
    if (answer.kind !== 'featureVisualization' || !folderGallery) return answer;
    const { layer, channel, activation } = answer.result;
    const gallery = compareWithGallery(folderGallery, layer, channel, activation);
    return gallery ? { ...answer, gallery } : answer;
  }
  const base = { model, inputSource, layerName: query.layer };
  switch (query.kind) {
    case 'arithmetic':
      return {
        kind: 'arithmetic',
        result: await models.explain({
          type: 'explainArithmetic',
          ...base,
          config: models.config(),
          position: query.position,
          channel: query.channel,
        }),
      };
    case 'projections':
      return {
        kind: 'projections',
        result: await models.explain({
          type: 'explainProjections',
          ...base,
          config: models.config(),
          channel: query.channel,
          position: query.position,
        }),
      };
    case 'filters':
      return {
        kind: 'filters',
        result: await models.explain({
          type: 'explainFilters',
          ...base,
          config: models.config(),
          first: query.first,
          count: query.count,
        }),
      };
  }
}

/** Class explanations: no notification (the Why tab shows progress and a Cancel button). */
async function answerClassQuery(
  models: ModelService,
  model: ModelRef,
  inputSource: string,
  query: ClassQuery,
  run: { signal?: AbortSignal; onProgress?: (message: string) => void },
): Promise<ClassAnswer> {
  const base = { model, inputSource, config: models.config() };
  const ask = <T extends WorkerRequest['type']>(message: Extract<RequestWithoutId, { type: T }>) =>
    models.request<T>(message, run.signal, run.onProgress);
  switch (query.kind) {
    case 'gradcam':
      return {
        kind: 'gradcam',
        result: await ask({
          type: 'classGradCam',
          ...base,
          classRef: query.classIndex,
          camLayer: query.camLayer,
        }),
      };
    case 'occlusion':
      return {
        kind: 'occlusion',
        result: await ask({
          type: 'classOcclusion',
          ...base,
          classRef: query.classIndex,
          options: {
            window: [query.window, query.window],
            stride: [query.stride, query.stride],
            fill: query.fill,
          },
        }),
      };
    case 'integratedGradients':
      return {
        kind: 'integratedGradients',
        result: await ask({
          type: 'classIntegratedGradients',
          ...base,
          classRef: query.classIndex,
          steps: query.steps,
          baseline: query.baseline,
        }),
      };
    case 'featureVisualization':
      return {
        kind: 'featureVisualization',
        result: await ask({
          type: 'visualizeUnit',
          ...base,
          layerName: query.layer,
          channel: query.channel,
          options: { steps: query.steps },
        }),
      };
  }
}
