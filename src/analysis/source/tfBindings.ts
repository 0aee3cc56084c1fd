/**
 * Which local names stand for TensorFlow.js in a file: namespace imports under any name
 * (`import * as tfjs from '@tensorflow/tfjs'`, default imports, `require`), the `layers` namespace
 * (`import { layers } from ...`, `const L = tf.layers`), and factories taken out of them
 * (`import { sequential }`, `const { conv2d } = tf.layers`). Scope-naive on purpose: model files
 * rarely shadow these names, and the pass must stay cheap enough to run on every edit.
 */
import type * as TS from 'typescript';
import { loadTypeScript } from './typescriptParser';

const TENSORFLOW_PACKAGE = /^@tensorflow\/tfjs(-[a-z-]+)?$/;
export const MODEL_FACTORIES = ['sequential', 'model', 'loadLayersModel'] as const;
export type ModelFactory = (typeof MODEL_FACTORIES)[number];

export interface TfBindings {
  namespaces: Set<string>;
  layersNamespaces: Set<string>;
  /** Local name -> factory, for `import { sequential as seq }` and the like. */
  modelFactories: Map<string, ModelFactory>;
  /** Local name -> layer factory, for `const { conv2d } = tf.layers`. */
  layerFactories: Map<string, string>;
}

function isModelFactory(name: string): name is ModelFactory {
  return (MODEL_FACTORIES as readonly string[]).includes(name);
}

/** Factories are lower camel case (`conv2d`, `maxPooling2d`); classes (`Layer`) are not. */
export function isLayerFactoryName(name: string): boolean {
  return /^[a-z]/.test(name);
}

export function collectTfBindings(file: TS.SourceFile): TfBindings {
  const ts = loadTypeScript();
  const b: TfBindings = {
    namespaces: new Set(),
    layersNamespaces: new Set(),
    modelFactories: new Map(),
    layerFactories: new Map(),
  };
  const isTfModule = (node: TS.Node | undefined) =>
    !!node && ts.isStringLiteralLike(node) && TENSORFLOW_PACKAGE.test(node.text);
  const isTfRequire = (node: TS.Expression | undefined): boolean => {
    while (node && ts.isAwaitExpression(node)) node = node.expression;
    return (
      !!node &&
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      isTfModule(node.arguments[0])
    );
  };
  const bindNamed = (imported: string, local: string) => {
    if (imported === 'layers') b.layersNamespaces.add(local);
    else if (imported === 'default') b.namespaces.add(local);
    else if (isModelFactory(imported)) b.modelFactories.set(local, imported);
  };
  const isNamespace = (e: TS.Expression) => ts.isIdentifier(e) && b.namespaces.has(e.text);
  const isLayersNamespace = (e: TS.Expression): boolean =>
    (ts.isIdentifier(e) && b.layersNamespaces.has(e.text)) ||
    (ts.isPropertyAccessExpression(e) && e.name.text === 'layers' && isNamespace(e.expression));

  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && isTfModule(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      if (clause?.name) b.namespaces.add(clause.name.text);
      const named = clause?.namedBindings;
      if (named && ts.isNamespaceImport(named)) b.namespaces.add(named.name.text);
      if (named && ts.isNamedImports(named)) {
        for (const el of named.elements) bindNamed((el.propertyName ?? el.name).text, el.name.text);
      }
    } else if (
      ts.isImportEqualsDeclaration(statement) &&
      ts.isExternalModuleReference(statement.moduleReference) &&
      isTfModule(statement.moduleReference.expression)
    ) {
      b.namespaces.add(statement.name.text);
    }
  }

  // Declarations may build on each other (`const tf = require(...)`, then `const { layers } = tf`).
  const declarations: TS.VariableDeclaration[] = [];
  const visit = (node: TS.Node) => {
    if (ts.isVariableDeclaration(node) && node.initializer) declarations.push(node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  for (let round = 0; round < 3; round++) {
    const before = b.namespaces.size + b.layersNamespaces.size + b.layerFactories.size;
    for (const d of declarations) {
      const init = d.initializer!;
      if (ts.isIdentifier(d.name)) {
        if (isTfRequire(init) || isNamespace(init)) b.namespaces.add(d.name.text);
        else if (isLayersNamespace(init)) b.layersNamespaces.add(d.name.text);
      } else if (ts.isObjectBindingPattern(d.name)) {
        const fromNamespace = isTfRequire(init) || isNamespace(init);
        const fromLayers = isLayersNamespace(init);
        for (const el of d.name.elements) {
          if (!ts.isIdentifier(el.name)) continue;
          const prop = el.propertyName;
          const imported = prop && ts.isIdentifier(prop) ? prop.text : el.name.text;
          if (fromNamespace) bindNamed(imported, el.name.text);
          else if (fromLayers && isLayerFactoryName(imported))
            b.layerFactories.set(el.name.text, imported);
        }
      }
    }
    if (b.namespaces.size + b.layersNamespaces.size + b.layerFactories.size === before) break;
  }
  return b;
}

export function importsTensorFlow(b: TfBindings): boolean {
  return b.namespaces.size + b.layersNamespaces.size + b.modelFactories.size > 0;
}

/** The layer factory a call invokes (`tf.layers.conv2d(...)` -> 'conv2d'), if any. */
export function layerFactoryOf(call: TS.CallExpression, b: TfBindings): string | undefined {
  const ts = loadTypeScript();
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return b.layerFactories.get(callee.text);
  if (!ts.isPropertyAccessExpression(callee) || !isLayerFactoryName(callee.name.text)) return;
  const target = callee.expression;
  const viaLayers =
    (ts.isIdentifier(target) && b.layersNamespaces.has(target.text)) ||
    (ts.isPropertyAccessExpression(target) &&
      target.name.text === 'layers' &&
      ts.isIdentifier(target.expression) &&
      b.namespaces.has(target.expression.text));
  return viaLayers ? callee.name.text : undefined;
}

/** `tf.sequential(...)`, `tf.model(...)`, `tf.loadLayersModel(...)` or an imported alias. */
export function modelFactoryOf(call: TS.CallExpression, b: TfBindings): ModelFactory | undefined {
  const ts = loadTypeScript();
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return b.modelFactories.get(callee.text);
  if (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    b.namespaces.has(callee.expression.text) &&
    isModelFactory(callee.name.text)
  ) {
    return callee.name.text;
  }
  return undefined;
}
