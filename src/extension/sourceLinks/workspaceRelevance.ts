/**
 * Whether this workspace is one for CNN Inspector, decided cheaply: the explorer's models view
 * searches up to 2,000 TypeScript files, which a TypeScript workspace that does not use
 * TensorFlow.js should never pay. A workspace is unrelated when it has package.json files and none
 * depends on TensorFlow.js, and no model file has been opened or created in it. An empty folder
 * (no package.json) is related: the view then offers to create a model file.
 * Sets the context key `cnnInspector.unrelatedWorkspace`, which hides the view.
 */
import * as vscode from 'vscode';

const EXCLUDE = '{**/node_modules/**,**/dist/**,**/out/**,**/.git/**}';
const CONTEXT_KEY = 'cnnInspector.unrelatedWorkspace';

export class WorkspaceRelevance {
  private decided: Promise<boolean> | undefined;
  private related = false;

  /** True when the workspace may hold model files (the models view searches it). */
  isRelated(): Promise<boolean> {
    if (this.related) return Promise.resolve(true);
    this.decided ??= this.decide();
    return this.decided;
  }

  isRelatedSync(): boolean {
    return this.related;
  }

  /** A model file was opened or created: the workspace is related from now on. */
  markRelated(): void {
    if (this.related) return;
    this.related = true;
    this.decided = Promise.resolve(true);
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
  }

  private async decide(): Promise<boolean> {
    const manifests = await vscode.workspace.findFiles('**/package.json', EXCLUDE, 20);
    let related = manifests.length === 0;
    for (const uri of manifests) {
      if (related) break;
      const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
      related = text.includes('"@tensorflow/tfjs');
    }
    if (this.related) return true;
    this.related = related;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, !related);
    return related;
  }
}
