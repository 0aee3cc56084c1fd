/** The worker side of the class-explanation requests: calls on the model's session, with progress. */
import type { InspectionSession } from '../analysis/inspectionSession';
import {
  explainFeatureVisualization,
  explainGradCam,
  explainIntegratedGradients,
  explainOcclusion,
} from '../analysis/explain/classExplainSession';
import type {
  ClassExplainRequest,
  ClassExplainResults,
} from '../protocol/worker/classExplainProtocol';

/** Progress messages at most every 200 ms: enough for a bar, not a flood of messages. */
function throttled(progress: (m: string) => void, what: string) {
  let last = 0;
  return (done: number, total: number) => {
    const now = Date.now();
    if (done < total && now - last < 200) return;
    last = now;
    progress(`${what}: ${done} of ${total}`);
  };
}

export async function runClassExplainTask(
  request: ClassExplainRequest,
  session: InspectionSession,
  progress: (m: string) => void,
): Promise<ClassExplainResults[ClassExplainRequest['type']]> {
  switch (request.type) {
    case 'classGradCam':
      return explainGradCam(session, request.classRef, request.camLayer);
    case 'classOcclusion':
      return explainOcclusion(session, request.classRef, request.options, {
        onProgress: throttled(progress, 'Occlusion windows'),
      });
    case 'classIntegratedGradients':
      return explainIntegratedGradients(
        session,
        request.classRef,
        request.steps,
        request.baseline,
        { onProgress: throttled(progress, 'Integrated gradients steps') },
      );
    case 'visualizeUnit':
      return explainFeatureVisualization(
        session,
        request.layerName,
        request.channel,
        request.options,
        { onProgress: throttled(progress, 'Feature visualization steps') },
      );
  }
}
