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
  const binder = new Binder(ts, b);
  for (const statement of file.statements) binder.bindImport(statement);
  // Declarations may build on each other (`const tf = require(...)`, then `const { layers } = tf`).
  const declarations = initializedDeclarations(ts, file);
  const bound = () => b.namespaces.size + b.layersNamespaces.size + b.layerFactories.size;
  for (let round = 0; round < 3; round++) {
    const before = bound();
    for (const d of declarations) binder.bindDeclaration(d);
    if (bound() === before) break;
  }
  return b;
}

function initializedDeclarations(ts: typeof TS, file: TS.SourceFile): TS.VariableDeclaration[] {
  const declarations: TS.VariableDeclaration[] = [];
  const visit = (node: TS.Node) => {
    if (ts.isVariableDeclaration(node) && node.initializer) declarations.push(node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return declarations;
}

/** Adds to `b` the names an import or a declaration binds to TensorFlow.js. */
class Binder {
  constructor(
    private readonly ts: typeof TS,
    private readonly b: TfBindings,
  ) {}

  bindImport(statement: TS.Statement): void {
    const { ts, b } = this;
    if (ts.isImportDeclaration(statement) && this.isTfModule(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      if (clause?.name) b.namespaces.add(clause.name.text);
      const named = clause?.namedBindings;
      if (named && ts.isNamespaceImport(named)) b.namespaces.add(named.name.text);
      if (named && ts.isNamedImports(named)) {
        for (const el of named.elements)
          this.bindNamed((el.propertyName ?? el.name).text, el.name.text);
      }
    } else if (
      ts.isImportEqualsDeclaration(statement) &&
      ts.isExternalModuleReference(statement.moduleReference) &&
      this.isTfModule(statement.moduleReference.expression)
    ) {
      b.namespaces.add(statement.name.text);
    }
  }

  bindDeclaration(d: TS.VariableDeclaration): void {
    const { ts, b } = this;
    const init = d.initializer!;
    if (ts.isIdentifier(d.name)) {
      if (this.isTfRequire(init) || this.isNamespace(init)) b.namespaces.add(d.name.text);
      else if (this.isLayersNamespace(init)) b.layersNamespaces.add(d.name.text);
    } else if (ts.isObjectBindingPattern(d.name)) {
      const fromNamespace = this.isTfRequire(init) || this.isNamespace(init);
      const fromLayers = this.isLayersNamespace(init);
      for (const el of d.name.elements) {
        if (!ts.isIdentifier(el.name)) continue;
        const prop = el.propertyName;
        const imported = prop && ts.isIdentifier(prop) ? prop.text : el.name.text;
        if (fromNamespace) this.bindNamed(imported, el.name.text);
        else if (fromLayers && isLayerFactoryName(imported))
          b.layerFactories.set(el.name.text, imported);
      }
    }
  }

  private bindNamed(imported: string, local: string): void {
    if (imported === 'layers') this.b.layersNamespaces.add(local);
    else if (imported === 'default') this.b.namespaces.add(local);
    else if (isModelFactory(imported)) this.b.modelFactories.set(local, imported);
  }

  private isTfModule(node: TS.Node | undefined): boolean {
    return !!node && this.ts.isStringLiteralLike(node) && TENSORFLOW_PACKAGE.test(node.text);
  }

  /** `require('@tensorflow/tfjs')` or `import('@tensorflow/tfjs')`, awaited or not. */
  private isTfRequire(node: TS.Expression | undefined): boolean {
    const ts = this.ts;
    while (node && ts.isAwaitExpression(node)) node = node.expression;
    return (
      !!node &&
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      this.isTfModule(node.arguments[0])
    );
  }

  private isNamespace(e: TS.Expression): boolean {
    return this.ts.isIdentifier(e) && this.b.namespaces.has(e.text);
  }

  private isLayersNamespace(e: TS.Expression): boolean {
    const ts = this.ts;
    return (
      (ts.isIdentifier(e) && this.b.layersNamespaces.has(e.text)) ||
      (ts.isPropertyAccessExpression(e) &&
        e.name.text === 'layers' &&
        this.isNamespace(e.expression))
    );
  }
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
