/**
 * The static pass: finds model definitions and layer-creating calls in a model file without running
 * it. Uses TypeScript's own parser, which recovers from syntax errors, so lenses survive mid-edit.
 *
 * Model definitions are the file's exports (except the reserved `preprocess`, `labels`,
 * `inputSize`) from which a `sequential` / `model` / `loadLayersModel` call is reachable through
 * the file's top-level declarations; layer calls are tagged with the exports that reach them.
 */
import type * as TS from 'typescript';
import { loadTypeScript, parseSource } from './typescriptParser';
import { collectTfBindings, importsTensorFlow, layerFactoryOf, modelFactoryOf } from './tfBindings';
import { isOutputUnused, literalOptions } from './layerCallFacts';
import type {
  LayerCall,
  ModelDefinition,
  SequentialChain,
  SourcePosition,
  SourceScan,
} from './types';

const RESERVED_EXPORTS = new Set(['preprocess', 'labels', 'inputSize', 'channelOrder']);
const TOP_LEVEL_CODE = '<top-level>';

interface Declaration {
  /** Where lenses for an export of it go. */
  statement: TS.Node;
  references: Set<string>;
  createsModel: boolean;
}

export function positionOf(file: TS.SourceFile, offset: number): SourcePosition {
  const { line, character } = file.getLineAndCharacterOfPosition(offset);
  return { line: line + 1, column: character + 1 };
}

function hasModifier(node: TS.Node, kind: TS.SyntaxKind): boolean {
  const ts = loadTypeScript();
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === kind);
}

/** Top-level names, and what each exported name refers to. */
function declarationsOf(file: TS.SourceFile) {
  const ts = loadTypeScript();
  const roots = new Map<string, TS.Node[]>(); // name -> nodes whose subtree belongs to it
  const statements = new Map<string, TS.Node>();
  const exportsToLocal = new Map<string, string>();
  const add = (name: string, node: TS.Node, statement: TS.Node) => {
    roots.set(name, [...(roots.get(name) ?? []), node]);
    if (!statements.has(name)) statements.set(name, statement);
  };
  for (const s of file.statements) {
    const exported = hasModifier(s, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(s, ts.SyntaxKind.DefaultKeyword);
    if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) {
      const name = s.name?.text ?? 'default';
      add(name, s, s);
      if (exported) exportsToLocal.set(isDefault ? 'default' : name, name);
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) continue;
        add(d.name.text, d, s);
        if (exported) exportsToLocal.set(d.name.text, d.name.text);
      }
    } else if (ts.isExportAssignment(s)) {
      const e = s.expression;
      if (ts.isIdentifier(e)) exportsToLocal.set('default', e.text);
      else {
        add('<default>', s, s);
        exportsToLocal.set('default', '<default>');
      }
    } else if (
      ts.isExportDeclaration(s) &&
      !s.moduleSpecifier &&
      s.exportClause &&
      ts.isNamedExports(s.exportClause)
    ) {
      for (const el of s.exportClause.elements)
        exportsToLocal.set(el.name.text, (el.propertyName ?? el.name).text);
    } else if (!ts.isImportDeclaration(s) && !ts.isInterfaceDeclaration(s)) {
      add(TOP_LEVEL_CODE, s, s);
    }
  }
  return { roots, statements, exportsToLocal };
}

/** The static pass behind CodeLens: the model exports, layer calls and Sequential chains of a file. */
export function scanModelSource(source: string, fileName: string): SourceScan {
  const file = parseSource(source, fileName);
  const parseErrors =
    (file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length ?? 0;
  const empty: SourceScan = {
    file: fileName,
    models: [],
    layers: [],
    sequentials: [],
    parseErrors,
  };
  const bindings = collectTfBindings(file);
  if (!importsTensorFlow(bindings)) return empty;
  const { roots, statements, exportsToLocal } = declarationsOf(file);
  const { declarations, layerCalls, modelCalls } = walkDeclarations(roots, statements, bindings);
  const modelExports = modelExportsOf(declarations, exportsToLocal);
  if (modelExports.length === 0) return empty;
  const exportsReaching = (owner: string) => {
    const found = modelExports.filter((m) => m.reached.has(owner)).map((m) => m.exportName);
    return found.length ? found : modelExports.map((m) => m.exportName);
  };
  const at = (node: TS.Node) => positionOf(file, node.getStart(file));
  const models = modelDefinitions(modelExports, declarations, modelCalls, exportsReaching, at);
  layerCalls.sort((a, b) => a.call.getStart(file) - b.call.getStart(file));
  const layers = layerCalls.map((c) => layerCallOf(c, file, exportsReaching(c.owner), at));
  const sequentials = modelCalls
    .filter((m) => m.factory === 'sequential')
    .map((m) =>
      sequentialChain(
        m.call,
        layerCalls.map((l) => l.call),
        file,
      ),
    );
  return { file: fileName, models, layers, sequentials, parseErrors };
}

/** A tf call found in a top-level declaration, and the declaration it is in. */
interface FoundCall {
  call: TS.CallExpression;
  factory: string;
  owner: string;
}

type Roots = ReturnType<typeof declarationsOf>['roots'];
type Statements = ReturnType<typeof declarationsOf>['statements'];

/** Each top-level declaration: the others it references, and the layer and model calls in it. */
function walkDeclarations(
  roots: Roots,
  statements: Statements,
  bindings: ReturnType<typeof collectTfBindings>,
) {
  const ts = loadTypeScript();
  const names = new Set(roots.keys());
  const declarations = new Map<string, Declaration>();
  const layerCalls: FoundCall[] = [];
  const modelCalls: FoundCall[] = [];
  for (const [name, nodes] of roots) {
    const decl: Declaration = {
      statement: statements.get(name)!,
      references: new Set(),
      createsModel: false,
    };
    const visit = (node: TS.Node): void => {
      if (ts.isIdentifier(node) && names.has(node.text) && node.text !== name) {
        const p = node.parent;
        if (!(ts.isPropertyAccessExpression(p) && p.name === node)) decl.references.add(node.text);
      }
      if (ts.isCallExpression(node)) {
        const factory = layerFactoryOf(node, bindings);
        if (factory) layerCalls.push({ call: node, factory, owner: name });
        const modelFactory = modelFactoryOf(node, bindings);
        if (modelFactory) {
          decl.createsModel = true;
          modelCalls.push({ call: node, factory: modelFactory, owner: name });
        }
      }
      ts.forEachChild(node, visit);
    };
    nodes.forEach(visit);
    declarations.set(name, decl);
  }
  return { declarations, layerCalls, modelCalls };
}

interface ModelExport {
  exportName: string;
  local: string;
  /** The declarations its code reaches. */
  reached: Set<string>;
}

/** The exports whose code reaches a model-creating call, the default export first. */
function modelExportsOf(
  declarations: Map<string, Declaration>,
  exportsToLocal: Map<string, string>,
): ModelExport[] {
  // Top-level code runs when the file loads: whatever it touches belongs to every export.
  const reach = (start: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [start, TOP_LEVEL_CODE];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n) || !declarations.has(n)) continue;
      seen.add(n);
      stack.push(...declarations.get(n)!.references);
    }
    return seen;
  };
  const modelExports: ModelExport[] = [];
  for (const [exportName, local] of exportsToLocal) {
    if (RESERVED_EXPORTS.has(exportName) || !declarations.has(local)) continue;
    const reached = reach(local);
    if ([...reached].some((n) => declarations.get(n)!.createsModel))
      modelExports.push({ exportName, local, reached });
  }
  return modelExports.sort((a, b) =>
    a.exportName === 'default' ? -1 : b.exportName === 'default' ? 1 : 0,
  );
}

/** Where the lenses "Visualize model" go: each model export, and model calls in helpers. */
function modelDefinitions(
  modelExports: ModelExport[],
  declarations: Map<string, Declaration>,
  modelCalls: FoundCall[],
  exportsReaching: (owner: string) => string[],
  at: (node: TS.Node) => ModelDefinition['start'],
): ModelDefinition[] {
  const models: ModelDefinition[] = modelExports.map((m) => ({
    exportName: m.exportName,
    kind: 'export',
    start: at(declarations.get(m.local)!.statement),
  }));
  const modelLines = new Set(models.map((m) => m.start.line));
  for (const { call, factory, owner } of modelCalls) {
    if (factory === 'loadLayersModel') continue;
    const start = at(call);
    // A call inside an export's own declaration has that export's lens a few lines above: one
    // "Visualize model" per model. A call in a helper gets its own, for the first export reaching it.
    if (modelLines.has(start.line) || modelExports.some((m) => m.local === owner)) continue;
    modelLines.add(start.line);
    models.push({ exportName: exportsReaching(owner)[0], kind: factory as 'sequential', start });
  }
  return models.sort((a, b) => a.start.line - b.start.line);
}

/** A layer-creating call as the lenses and diagnostics need it. */
function layerCallOf(
  { call, factory }: FoundCall,
  file: TS.SourceFile,
  exportNames: string[],
  at: (node: TS.Node) => ModelDefinition['start'],
): LayerCall {
  const ts = loadTypeScript();
  const options = literalOptions(call);
  const name = typeof options.name === 'string' ? options.name : undefined;
  const callee = ts.isPropertyAccessExpression(call.expression)
    ? call.expression.name
    : call.expression;
  return {
    factory,
    start: at(call),
    callee: at(callee),
    end: positionOf(file, call.getEnd()),
    ...(name !== undefined ? { name } : {}),
    options,
    exportNames,
    unusedOutput: isOutputUnused(call),
  };
}

/** The layers a `tf.sequential` gets, in order, when the source lists them plainly. */
function sequentialChain(
  call: TS.CallExpression,
  layerCalls: TS.CallExpression[],
  file: TS.SourceFile,
): SequentialChain {
  const ts = loadTypeScript();
  const indexOf = (e: TS.Expression) => layerCalls.indexOf(e as TS.CallExpression);
  const chain: SequentialChain = {
    start: positionOf(file, call.getStart(file)),
    layers: [],
    complete: true,
  };
  const config = call.arguments[0];
  if (config && ts.isObjectLiteralExpression(config)) {
    for (const p of config.properties) {
      if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name) || p.name.text !== 'layers')
        continue;
      if (!ts.isArrayLiteralExpression(p.initializer)) return { ...chain, complete: false };
      for (const e of p.initializer.elements) {
        if (indexOf(e) < 0) return { ...chain, complete: false };
        chain.layers.push(indexOf(e));
      }
    }
  }
  const declaration = call.parent;
  if (!ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name)) {
    return { ...chain, complete: false };
  }
  const modelName = declaration.name.text;
  const addsOrPasses = new RegExp(`\\b${modelName}\\s*\\.\\s*add\\b|[(,]\\s*${modelName}\\s*[),]`);
  const block = declaration.parent?.parent?.parent; // declaration list -> statement -> block
  if (!block || !(ts.isBlock(block) || ts.isSourceFile(block)))
    return { ...chain, complete: false };
  // Only statements of the same block, in order: a loop or helper adding layers ends the chain.
  for (const s of block.statements) {
    if (s.getStart(file) <= call.getStart(file)) continue;
    // Passing the model to a helper or adding inside a loop: the pass cannot follow.
    const touches = addsOrPasses.test(s.getText(file));
    const e = ts.isExpressionStatement(s) ? s.expression : undefined;
    const isAdd =
      e &&
      ts.isCallExpression(e) &&
      ts.isPropertyAccessExpression(e.expression) &&
      ts.isIdentifier(e.expression.expression) &&
      e.expression.expression.text === modelName &&
      e.expression.name.text === 'add';
    if (isAdd) {
      const index = indexOf((e as TS.CallExpression).arguments[0]);
      if (index < 0) return { ...chain, complete: false };
      chain.layers.push(index);
    } else if (touches && !ts.isReturnStatement(s)) {
      return { ...chain, complete: false };
    }
  }
  return chain;
}
