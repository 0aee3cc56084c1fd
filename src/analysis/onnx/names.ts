/**
 * Readable, unique node names. PyTorch (1.13+) names nodes by module scope and op, e.g.
 * `/layer1/layer1.0/conv1/Conv` or `/features/features.1/conv/conv.0/conv.0.0/Conv`: each scope
 * segment is a module's attribute name, and a Sequential's children repeat its name
 * (`conv.0`). We rebuild the module path the user wrote in Python (`layer1.0.conv1`,
 * `features.1.conv.0.0`). An op called functionally inside a container module
 * (`/layer1/layer1.0/Add`: layer1.0 has submodules of its own) gets the op appended
 * (`layer1.0.Add`). Names from other exporters (tf2onnx, keras2onnx) are kept as they are.
 */

/** Ops that compute constants and disappear when the graph is folded: named last. */
export const FOLDED_OPS = new Set([
  'Constant',
  'Shape',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Cast',
  'ConstantOfShape',
  'Identity',
]);

/**
 * tfjs accepts layer and input names matching /^[A-Za-z0-9][-A-Za-z0-9._/]*$/ only; exporters use
 * others (`onnx::Conv_0`, `input:0`). Other characters become `_`.
 */
export function validTensorName(name: string): string {
  const cleaned = name.replace(/[^-A-Za-z0-9._/]/g, '_');
  return /^[A-Za-z0-9]/.test(cleaned) ? cleaned : `x${cleaned}`;
}

interface NodeNameInput {
  name: string;
  opType: string;
}

function scopeOf(nodeName: string): { path: string; op: string } | undefined {
  if (!nodeName.startsWith('/')) return undefined;
  const segments = nodeName.split('/').filter(Boolean);
  const op = segments.pop() ?? nodeName;
  let path = '';
  let previous = '';
  for (const segment of segments) {
    if (previous && segment.startsWith(`${previous}.`)) {
      path += segment.slice(previous.length);
    } else {
      path = path ? `${path}.${segment}` : segment;
    }
    previous = segment;
  }
  return { path, op };
}

/** Readable names for all nodes, unique (`_2`, `_3`...), layer-making nodes served first. */
export function readableNodeNames(nodes: NodeNameInput[]): string[] {
  const scopes = nodes.map((n) => scopeOf(n.name));
  const containers = new Set<string>();
  for (const scope of scopes) {
    const parts = scope?.path.split('.') ?? [];
    for (let i = 1; i < parts.length; i++) containers.add(parts.slice(0, i).join('.'));
  }
  const wanted = nodes.map((node, i) => {
    const scope = scopes[i];
    if (!scope) return node.name;
    const op = scope.op.replace(/_\d+$/, '');
    if (!scope.path) return op;
    return containers.has(scope.path) ? `${scope.path}.${op}` : scope.path;
  });
  // A leaf module exported as several nodes (Hardswish: HardSigmoid then Mul): its output is
  // the last node's, which keeps the module's name; the others get their op appended.
  const lastOfScope = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (scopes[i] && !FOLDED_OPS.has(node.opType)) lastOfScope.set(wanted[i], i);
  });
  nodes.forEach((_node, i) => {
    const scope = scopes[i];
    const last = lastOfScope.get(wanted[i]);
    if (scope && scope.path && last !== undefined && last !== i && wanted[i] === scope.path) {
      wanted[i] = `${scope.path}.${scope.op.replace(/_\d+$/, '')}`;
    }
  });
  const order = nodes
    .map((node, i) => ({ i, folded: FOLDED_OPS.has(node.opType) }))
    .sort((a, b) => Number(a.folded) - Number(b.folded) || a.i - b.i);
  const taken = new Set<string>();
  const result = new Array<string>(nodes.length);
  for (const { i } of order) {
    const base = validTensorName(wanted[i]);
    let name = base;
    for (let k = 2; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    result[i] = name;
  }
  return result;
}
