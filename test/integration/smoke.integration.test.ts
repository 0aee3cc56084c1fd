import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('VS Code host', () => {
  it('runs inside a real extension host with the workspace open', () => {
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1);
    assert.equal(folders[0].uri.path.split('/').pop(), 'examples');
  });
});
