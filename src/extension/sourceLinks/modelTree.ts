/** The "CNN Inspector" view in the explorer: the workspace's models and their layers. */
import * as vscode from 'vscode';
import { COMMAND, visualizeCommand } from '../commandIds';
import { basename } from 'node:path';
import { findWorkspaceModels } from '../pickers';
import { listModelExports, looksLikeModelFile } from '../../analysis/model/listModelExports';
import { factsLine, layerFacts } from '../../analysis/source/linkRunToSource';
import { scanModelSource } from './sourceScanner';
import { readRegularFile } from '../../analysis/regularFile';
import { MODEL_SOURCE_LIMITS } from '../../analysis/model/listModelExports';
import { isOnnxFile } from '../../analysis/model/onnxFile';
import { listOnnxNodes } from '../../analysis/onnx/listOnnxNodes';
import type { RunResults } from './runResults';
import type { WorkspaceRelevance } from './workspaceRelevance';

type Node =
  | { kind: 'file'; file: string; exportNames: string[] }
  | { kind: 'model'; file: string; exportName: string }
  | { kind: 'layer'; item: vscode.TreeItem };

export class ModelTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  /** Model files and their exports: the workspace is searched once, then kept up to date per file. */
  private files: Map<string, string[]> | undefined;

  constructor(
    private readonly results: RunResults,
    private readonly relevance: WorkspaceRelevance,
  ) {}

  /** Redraws (after a run); `rescan` searches the workspace again (the Refresh button). */
  refresh(rescan = false): void {
    if (rescan) this.files = undefined;
    this.changed.fire();
  }

  /** A file was saved, created or deleted: re-lists that one file instead of the workspace. */
  async updateFile(file: string, source: string | undefined): Promise<void> {
    if (!this.files) return; // not searched yet: the first search will see it
    const exportNames =
      source !== undefined && looksLikeModelFile(source)
        ? (await listModelExports(file)).exportNames
        : [];
    const before = this.files.get(file)?.join();
    if (exportNames.length > 0) this.files.set(file, exportNames);
    else this.files.delete(file);
    if (before !== this.files.get(file)?.join()) this.changed.fire();
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'layer') return node.item;
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(
        basename(node.file),
        vscode.TreeItemCollapsibleState.Expanded,
      );
      item.resourceUri = vscode.Uri.file(node.file);
      item.description = vscode.workspace.asRelativePath(node.file);
      item.iconPath = vscode.ThemeIcon.File;
      return item;
    }
    const run = this.results.get(node.file, node.exportName);
    const item = new vscode.TreeItem(
      isOnnxFile(node.file)
        ? 'ONNX model'
        : node.exportName === 'default'
          ? 'default export'
          : node.exportName,
      vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.iconPath = new vscode.ThemeIcon('layers');
    item.description = run
      ? `${run.loaded.summary.layers.length} layers \u00b7 ${run.loaded.summary.totalParams.toLocaleString('en-US')} params`
      : undefined;
    item.tooltip = 'Click to visualize; expand for its layers';
    item.command = visualizeCommand('Visualize model', {
      modelFile: node.file,
      exportName: node.exportName,
    });
    return item;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      // An unrelated workspace is not searched: the view is hidden there and shows its welcome.
      if (!(await this.relevance.isRelated())) return [];
      if (!this.files) {
        const { models } = await findWorkspaceModels();
        const byFile = new Map<string, string[]>();
        for (const m of models) byFile.set(m.file, [...(byFile.get(m.file) ?? []), m.exportName!]);
        this.files = byFile;
      }
      return [...this.files]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([file, exportNames]) => ({ kind: 'file', file, exportNames }));
    }
    if (node.kind === 'file')
      return node.exportNames.map((exportName) => ({ kind: 'model', file: node.file, exportName }));
    if (node.kind === 'model') return this.layersOf(node.file, node.exportName);
    return [];
  }

  private async layersOf(file: string, exportName: string): Promise<Node[]> {
    const run = this.results.get(file, exportName);
    if (run) {
      const { summary, structure } = run.loaded;
      return summary.layers.map((l) => {
        const item = new vscode.TreeItem(l.name);
        const facts = layerFacts(summary, structure, l.name);
        item.description = `${l.className}${facts ? ` \u00b7 ${factsLine(facts)}` : ''}`;
        item.iconPath = new vscode.ThemeIcon('symbol-class');
        item.command = visualizeCommand('Visualize layer', {
          modelFile: file,
          exportName,
          layerName: l.name,
        });
        return { kind: 'layer', item };
      });
    }
    if (isOnnxFile(file)) return this.onnxNodesOf(file);
    // Not run yet: the layer calls the static pass finds for this export.
    const scan = scanModelSource(
      (await readRegularFile(file, MODEL_SOURCE_LIMITS)).toString('utf8'),
      file,
    );
    return scan.layers
      .filter((c) => c.exportNames.includes(exportName))
      .map((c) => {
        const item = new vscode.TreeItem(c.name ?? c.factory);
        item.description = `${c.factory} \u00b7 line ${c.start.line}`;
        item.iconPath = new vscode.ThemeIcon('symbol-method');
        item.command = c.name
          ? visualizeCommand('Visualize layer', { modelFile: file, exportName, layerName: c.name })
          : {
              title: 'Visualize layer',
              command: COMMAND.visualizeLayerAt,
              arguments: [{ modelFile: file, exportName, line: c.start.line }],
            };
        return { kind: 'layer', item };
      });
  }

  /** An ONNX file not run yet: its nodes, read from the file (names as the panel shows them). */
  private async onnxNodesOf(file: string): Promise<Node[]> {
    const listing = await listOnnxNodes(file);
    if (listing.note) {
      const item = new vscode.TreeItem(listing.note);
      item.iconPath = new vscode.ThemeIcon('info');
      return [{ kind: 'layer', item }];
    }
    return listing.nodes.map((n) => {
      const item = new vscode.TreeItem(n.name);
      item.description = n.opType;
      item.iconPath = new vscode.ThemeIcon('symbol-method');
      item.command = visualizeCommand('Visualize layer', {
        modelFile: file,
        exportName: 'default',
        layerName: n.name,
      });
      return { kind: 'layer', item };
    });
  }
}
