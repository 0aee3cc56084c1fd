import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNativeTensorFlow } from '../../src/analysis/findNativeTensorFlow';

describe('finding native TensorFlow in the workspace', () => {
  let root: string;
  before(() => (root = mkdtempSync(join(tmpdir(), 'cnn-inspector-tfjs-node-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  function folderWithPackage(name: string): string {
    const folder = join(root, name);
    const installed = join(folder, 'node_modules', '@tensorflow', 'tfjs-node');
    mkdirSync(installed, { recursive: true });
    writeFileSync(
      join(installed, 'package.json'),
      JSON.stringify({ name: '@tensorflow/tfjs-node', version: '4.22.0', main: 'index.js' }),
    );
    return folder;
  }

  it('finds it in the first workspace folder that has it in node_modules', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty, { recursive: true });
    const withIt = folderWithPackage('with-it');
    assert.equal(
      findNativeTensorFlow([empty, withIt]),
      join(withIt, 'node_modules', '@tensorflow', 'tfjs-node'),
    );
  });

  it("finds it in a parent folder's node_modules, as Node resolves it", () => {
    const parent = folderWithPackage('monorepo');
    const child = join(parent, 'packages', 'models');
    mkdirSync(child, { recursive: true });
    assert.equal(
      findNativeTensorFlow([child]),
      join(parent, 'node_modules', '@tensorflow', 'tfjs-node'),
    );
  });

  it('finds nothing when no folder has it', () => {
    const bare = join(root, 'bare');
    mkdirSync(bare, { recursive: true });
    assert.equal(findNativeTensorFlow([bare]), undefined);
    assert.equal(findNativeTensorFlow([]), undefined);
  });
});
