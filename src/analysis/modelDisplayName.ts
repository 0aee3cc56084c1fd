/**
 * The one name of a model in the panel's heading and its tab: the model's own name (what
 * `tf.sequential({ name })` says), with the export when it is not the default.
 */
export function modelDisplayName(summary: { modelName: string; exportName: string }): string {
  return summary.exportName === 'default'
    ? summary.modelName
    : `${summary.modelName} \u203a ${summary.exportName}`;
}
