/** Answers the panel's explanation queries through the model worker. */
import type { ExplainAnswer, ExplainQuery } from '../../protocol/explainMessages';
import type { ModelRef } from '../../worker/workerProtocol';
import type { ModelService } from '../modelService';

export async function answerExplainQuery(
  models: ModelService,
  model: ModelRef,
  imagePath: string,
  query: ExplainQuery,
): Promise<ExplainAnswer> {
  const base = { model, imagePath, layerName: query.layer };
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
