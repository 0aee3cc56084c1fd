// Which explanation questions are about a class (Grad-CAM, occlusion, integrated gradients,
// feature visualization) rather than one unit: the host runs them on the worker with progress and
// cancelling, the webview draws them in the Why tab's class section.

export const CLASS_EXPLANATION_KINDS = [
  'gradcam',
  'occlusion',
  'integratedGradients',
  'featureVisualization',
] as const;
export type ClassExplanationKind = (typeof CLASS_EXPLANATION_KINDS)[number];

const CLASS_KINDS: ReadonlySet<string> = new Set(CLASS_EXPLANATION_KINDS);

/**
 * True for the class questions (or answers) of a union tagged by `kind`, such as the panel's
 * ExplainQuery and ExplainAnswer (src/protocol/explainMessages.ts).
 */
export function isClassExplanation<T extends { kind: string }>(
  message: T,
): message is Extract<T, { kind: ClassExplanationKind }> {
  return CLASS_KINDS.has(message.kind);
}
