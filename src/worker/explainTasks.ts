/** The worker side of the explanation requests: plain calls on the model's session. */
import type { InspectionSession } from '../analysis/inspectionSession';
import {
  explainArithmetic,
  explainFilters,
  explainProjections,
  resolveUnit,
} from '../analysis/explain/explainSession';
import type { ExplainRequest, ExplainResults } from '../protocol/worker/explainProtocol';

/** Results hold fresh arrays (never the session's own), so their buffers can be transferred. */
export function runExplainTask(
  request: ExplainRequest,
  session: InspectionSession,
): { result: ExplainResults[ExplainRequest['type']]; transfer: ArrayBuffer[] } {
  switch (request.type) {
    case 'explainArithmetic': {
      const result = explainArithmetic(
        session,
        request.layerName,
        request.position,
        request.channel,
      );
      const transfer = result.terms.flatMap((t) => [
        t.inputs.buffer,
        t.weights.buffer,
        t.products.buffer,
      ]);
      return { result, transfer: [...transfer, result.padded.buffer] as ArrayBuffer[] };
    }
    case 'explainProjections': {
      const unit = resolveUnit(session, request.layerName, request.channel, request.position);
      const result = explainProjections(session, unit, request.methods);
      return {
        result,
        transfer: result.projections.map((p) => p.values.data.buffer as ArrayBuffer),
      };
    }
    case 'explainFilters': {
      const result = explainFilters(session, request.layerName, request.first, request.count);
      const pictures = result.pictures
        ? [...result.pictures.together, ...result.pictures.alone]
        : [];
      return {
        result,
        transfer: [result.grids.weights.buffer, ...pictures.map((p) => p.buffer)] as ArrayBuffer[],
      };
    }
  }
}
