import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND, visualizeCommand } from '../../src/extension/commandIds';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[] };
};

describe('command ids', () => {
  it('are the commands package.json contributes, no more and no fewer', () => {
    const contributed = pkg.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(Object.values(COMMAND).sort(), contributed);
  });

  it('are spelled nowhere else in the extension', () => {
    const dir = join(root, 'src', 'extension');
    const spelled = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && f !== 'commandIds.ts')
      .flatMap((f) =>
        Object.values(COMMAND)
          .filter((id) => readFileSync(join(dir, f), 'utf8').includes(`'${id}'`))
          .map((id) => `${f}: ${id}`),
      );
    assert.deepEqual(spelled, []);
  });

  it('builds the Visualize command without an empty layer name', () => {
    assert.deepEqual(visualizeCommand('Visualize model', { modelFile: '/m.ts', exportName: 'e' }), {
      title: 'Visualize model',
      command: 'cnnInspector.visualizeLayer',
      arguments: [{ modelFile: '/m.ts', exportName: 'e' }],
    });
    assert.deepEqual(
      visualizeCommand('', { modelFile: '/m.ts', exportName: 'e', layerName: 'conv1' }).arguments,
      [{ modelFile: '/m.ts', exportName: 'e', layerName: 'conv1' }],
    );
  });
});
