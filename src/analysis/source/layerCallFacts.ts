/** Facts about one layer-creating call read from the syntax tree: literal options, unused output. */
import type * as TS from 'typescript';
import { loadTypeScript } from './typescriptParser';
import type { OptionValue } from './types';

function literalValue(node: TS.Expression): OptionValue {
  const ts = loadTypeScript();
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node))
    return literalValue(node.expression);
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (
    ts.isPrefixUnaryExpression(node) &&
    node.operator === ts.SyntaxKind.MinusToken &&
    ts.isNumericLiteral(node.operand)
  ) {
    return -Number(node.operand.text);
  }
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isArrayLiteralExpression(node)) {
    // `inputShape: [null, null, 3]`: free sizes become -1 so the array stays numeric.
    const values = node.elements.map((e) =>
      e.kind === ts.SyntaxKind.NullKeyword ? -1 : literalValue(e),
    );
    return values.every((v) => typeof v === 'number') ? (values as number[]) : null;
  }
  return null;
}

/** Literal options of `factory({ ... })`; properties whose value is not a literal map to null. */
export function literalOptions(call: TS.CallExpression): Record<string, OptionValue> {
  const ts = loadTypeScript();
  const arg = call.arguments[0];
  const options: Record<string, OptionValue> = {};
  if (!arg || !ts.isObjectLiteralExpression(arg)) return options;
  for (const p of arg.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) {
      options[p.name.text] = literalValue(p.initializer);
    } else if (ts.isShorthandPropertyAssignment(p)) {
      options[p.name.text] = null;
    }
  }
  return options;
}

function skipWrappers(node: TS.Node): TS.Node {
  const ts = loadTypeScript();
  let n = node;
  while (
    n.parent &&
    (ts.isParenthesizedExpression(n.parent) ||
      ts.isAsExpression(n.parent) ||
      ts.isNonNullExpression(n.parent) ||
      ts.isAwaitExpression(n.parent))
  ) {
    n = n.parent;
  }
  return n;
}

/** The call, or `call.apply(x)` when the layer is applied right away. */
function outermostUse(call: TS.CallExpression): TS.Node {
  const ts = loadTypeScript();
  let n = skipWrappers(call);
  const access = n.parent;
  if (
    access &&
    ts.isPropertyAccessExpression(access) &&
    access.expression === n &&
    access.name.text === 'apply' &&
    ts.isCallExpression(access.parent) &&
    access.parent.expression === access
  ) {
    n = skipWrappers(access.parent);
  }
  return n;
}

function isReadOf(id: TS.Identifier, declaration: TS.Node): boolean {
  const ts = loadTypeScript();
  const parent = id.parent;
  if (parent === declaration) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if (ts.isPropertyAssignment(parent) && parent.name === id) return false;
  if (ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) return parent.name !== id;
  return true;
}

function scopeOf(node: TS.Node): TS.Node {
  const ts = loadTypeScript();
  let n: TS.Node | undefined = node.parent;
  while (n && !ts.isFunctionLike(n) && !ts.isSourceFile(n)) n = n.parent;
  return n ?? node.getSourceFile();
}

function isRead(name: TS.Identifier, declaration: TS.VariableDeclaration): boolean {
  const ts = loadTypeScript();
  const text = name.text;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && node.text === text && node !== name && isReadOf(node, declaration))
      found = true;
    else ts.forEachChild(node, visit);
  };
  visit(scopeOf(declaration));
  // Exported variables are read by whoever imports the file.
  const statement = declaration.parent?.parent;
  if (statement && ts.isVariableStatement(statement)) {
    const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (exported) return true;
  }
  return found;
}

/** True when the layer (or what `.apply` returned) is thrown away or bound to an unread variable. */
export function isOutputUnused(call: TS.CallExpression): boolean {
  const ts = loadTypeScript();
  const use = outermostUse(call);
  const parent = use.parent;
  if (!parent) return false;
  if (ts.isExpressionStatement(parent)) return true;
  if (
    ts.isVariableDeclaration(parent) &&
    parent.initializer === use &&
    ts.isIdentifier(parent.name)
  )
    return !isRead(parent.name, parent);
  return false;
}
