import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanModelSource } from '../../src/analysis/source/scanModelSource';
import { staticFindings } from '../../src/analysis/source/staticShapes';
import type { SourceScan } from '../../src/analysis/source/types';

const examples = join(__dirname, '..', '..', 'examples');
const src = (...lines: string[]) => lines.join('\n');
/** `line:column factory name` of every layer call, for compact comparisons. */
const calls = (scan: SourceScan) =>
  scan.layers.map(
    (l) => `${l.start.line}:${l.start.column} ${l.factory}${l.name ? ` ${l.name}` : ''}`,
  );
const models = (scan: SourceScan) =>
  scan.models.map((m) => `${m.start.line} ${m.kind} ${m.exportName}`);

describe('static pass over model sources', () => {
  it('finds LeNet-5 and its eight layers at their lines (examples/lenet.ts)', () => {
    const file = join(examples, 'lenet.ts');
    const scan = scanModelSource(readFileSync(file, 'utf8'), file);
    // Lines read off examples/lenet.ts by eye.
    assert.deepEqual(models(scan), [
      '22 export lenetUntrained', // its tf.sequential (line 24) is the same model: no second entry
      '67 export default',
    ]);
    assert.deepEqual(calls(scan), [
      '26:5 conv2d conv1',
      '36:13 maxPooling2d pool1',
      '38:5 conv2d conv2',
      '47:13 maxPooling2d pool2',
      '48:13 flatten flatten',
      '50:5 dense fc1',
      '53:5 dense fc2',
      '56:5 dense predictions',
    ]);
    assert.deepEqual(scan.layers[0].callee, { line: 26, column: 15 });
    assert.deepEqual(scan.layers[0].options.inputShape, [28, 28, 1]);
    assert.equal(scan.layers[0].options.kernelSize, 5);
    assert.equal(scan.layers[0].options.kernelInitializer, null, 'a call is not a literal');
    assert.deepEqual(scan.layers[0].exportNames, ['default', 'lenetUntrained']);
    assert.deepEqual(scan.sequentials[0].layers, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(scan.sequentials[0].complete, true);
    assert.deepEqual(staticFindings(scan), []);
  });

  it('ignores layer calls in comments, strings and template literals', () => {
    const scan = scanModelSource(
      src(
        "import * as tf from '@tensorflow/tfjs';",
        '// tf.layers.conv2d({ name: "commented" })',
        '/* tf.layers.dense({ units: 1 }) */',
        "const s = 'tf.layers.flatten()';",
        'const t = `tf.layers.dense({ units: ${1} })`;',
        'export const m = tf.sequential({ layers: [',
        '  tf.layers.dense({ name: `d${1}`, units: 2, inputShape: [3] }),',
        "  tf.layers.dense({ name: 'out', units: 1 }),",
        '] });',
      ),
      'strings.ts',
    );
    assert.deepEqual(calls(scan), ['7:3 dense', '8:3 dense out']);
    assert.equal(scan.layers[0].name, undefined, 'a template with a substitution is not a name');
    assert.deepEqual(models(scan), ['6 export m']);
  });

  it('follows renamed namespace imports, named imports, require and destructuring', () => {
    const scan = scanModelSource(
      src(
        "import * as tfjs from '@tensorflow/tfjs';",
        "import { layers as L, sequential as seq } from '@tensorflow/tfjs-layers';",
        "const tfn = require('@tensorflow/tfjs-node');",
        'const { conv2d } = tfjs.layers;',
        'const other = { layers: { dense: (o: unknown) => o } };',
        'export default function build() {',
        '  const m = seq();',
        '  m.add(tfjs.layers.conv2d({ name: "a", inputShape: [8, 8, 1], filters: 1, kernelSize: 3 }));',
        '  m.add(L.maxPooling2d({ name: "b" }));',
        '  m.add(tfn.layers.flatten({ name: "c" }));',
        '  m.add(conv2d({ name: "d", filters: 1, kernelSize: 1 }));',
        '  other.layers.dense({ name: "not tfjs" });',
        '  return m;',
        '}',
      ),
      'renamed.ts',
    );
    assert.deepEqual(calls(scan), [
      '8:9 conv2d a',
      '9:9 maxPooling2d b',
      '10:9 flatten c',
      '11:9 conv2d d',
    ]);
    // The tf.sequential call inside the export is not a second model: one lens per model.
    assert.deepEqual(models(scan), ['6 export default']);
  });

  it('finds calls in .apply chains, arrays, helpers and loops, tagged with the exports that reach them', () => {
    const scan = scanModelSource(
      src(
        "import * as tf from '@tensorflow/tfjs';",
        'function block(x: tf.SymbolicTensor, f: number) {',
        '  return tf.layers.conv2d({ filters: f, kernelSize: 3 }).apply(x) as tf.SymbolicTensor;',
        '}',
        'export function functional() {',
        '  const input = tf.input({ shape: [16, 16, 3] });',
        '  let x = input;',
        '  for (const f of [8, 16]) x = block(x, f);',
        '  const out = tf.layers',
        '    .globalAveragePooling2d({})',
        '    .apply(x) as tf.SymbolicTensor;',
        '  return tf.model({ inputs: input, outputs: out });',
        '}',
        'export const labels = ["a"];',
        'export function preprocess(t: tf.Tensor) { return t; }',
      ),
      'functional.ts',
    );
    assert.deepEqual(calls(scan), ['3:10 conv2d', '9:15 globalAveragePooling2d']);
    assert.deepEqual(scan.layers[1].callee, { line: 10, column: 6 });
    assert.deepEqual(scan.layers[0].exportNames, ['functional']);
    assert.deepEqual(models(scan), ['5 export functional']);
  });

  it('keeps a model call made in a helper that an export calls (its own lens)', () => {
    const scan = scanModelSource(
      src(
        "import * as tf from '@tensorflow/tfjs';",
        'function build(units: number) {',
        '  const m = tf.sequential();',
        '  m.add(tf.layers.dense({ units, inputShape: [4] }));',
        '  return m;',
        '}',
        'export const small = () => build(2);',
        'export const large = () => build(8);',
      ),
      'helper.ts',
    );
    assert.deepEqual(models(scan), ['3 sequential small', '7 export small', '8 export large']);
  });

  it('gives files that define no model nothing', () => {
    const noTf = scanModelSource('export const layers = { conv2d() {} }; layers.conv2d();', 'a.ts');
    assert.deepEqual([noTf.models, noTf.layers], [[], []]);
    // Imports TensorFlow.js and makes layers, but exports no model (a helper library).
    const helpers = scanModelSource(
      src(
        "import * as tf from '@tensorflow/tfjs';",
        'export function head(units: number) { return tf.layers.dense({ units }); }',
      ),
      'helpers.ts',
    );
    assert.deepEqual([helpers.models, helpers.layers], [[], []]);
    assert.deepEqual(scanModelSource('', 'empty.ts').models, []);
  });

  it('keeps working on a file with syntax errors mid-edit', () => {
    const file = join(examples, 'lenet.ts');
    const lines = readFileSync(file, 'utf8').split('\n');
    // Half-typed option on conv2 (line 40) and an unclosed call after fc2.
    lines[39] = '      kernelSize: ,';
    lines.splice(55, 0, '  model.add(tf.layers.dense({ name: "typing", units: ');
    const scan = scanModelSource(lines.join('\n'), file);
    assert.ok(scan.parseErrors > 0, 'the parser reports the errors');
    assert.ok(calls(scan).includes('26:5 conv2d conv1'), calls(scan).join('; '));
    assert.ok(calls(scan).includes('38:5 conv2d conv2'), calls(scan).join('; '));
    assert.ok(
      calls(scan).some((c) => c.startsWith('56:13 dense')),
      calls(scan).join('; '),
    );
    assert.ok(models(scan).includes('22 export lenetUntrained'));
  });
});

describe('static diagnostics', () => {
  const model = (...layers: string[]) =>
    src(
      "import * as tf from '@tensorflow/tfjs';",
      'export default function m() {',
      '  const model = tf.sequential();',
      ...layers.map((l) => `  model.add(tf.layers.${l});`),
      '  return model;',
      '}',
    );

  it('finds the layer whose output size collapses to 0', () => {
    // 8 -conv5 valid-> 4 -pool2-> 2 -conv3 valid-> 0.
    const scan = scanModelSource(
      model(
        "conv2d({ name: 'c1', inputShape: [8, 8, 1], filters: 2, kernelSize: 5 })",
        "maxPooling2d({ name: 'p1', poolSize: 2 })",
        "conv2d({ name: 'c2', filters: 2, kernelSize: 3, padding: 'valid' })",
        "flatten({ name: 'f' })",
      ),
      'collapse.ts',
    );
    const findings = staticFindings(scan);
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.equal(findings[0].kind, 'collapsed');
    assert.equal(scan.layers[findings[0].layer].start.line, 6);
    assert.match(findings[0].message, /conv2d 'c2': output size 0x0: its 3x3 window .* 2x2 input/);
  });

  it('finds the first layer whose receptive field is wider than the input', () => {
    // 4x4 input, 3x3 'same' convs: fields 3, 5, 7. The second (5 > 4) is reported, not the third.
    // Padding of each: total 2 (1 + 1) at jump 1, so the padded input is 6, then 8.
    const scan = scanModelSource(
      model(
        "conv2d({ name: 'a', inputShape: [4, 4, 1], filters: 1, kernelSize: 3, padding: 'same' })",
        "conv2d({ name: 'b', filters: 1, kernelSize: 3, padding: 'same' })",
        "conv2d({ name: 'c', filters: 1, kernelSize: 3, padding: 'same' })",
      ),
      'rf.ts',
    );
    const findings = staticFindings(scan);
    assert.deepEqual(
      findings.map((f) => [f.kind, scan.layers[f.layer].name]),
      [['receptiveField', 'b']],
    );
    assert.match(
      findings[0].message,
      /receptive field 5x5 is larger than the 4x4 input \(8x8 with padding\)/,
    );
  });

  it('does not report fields of valid layers, which stay inside the input', () => {
    // 9x9: 3x3 s2 valid -> 4 (RF 3, jump 2); 2x2 pool -> 2 (RF 5, jump 4); 2x2 valid conv -> 1
    // (RF 9): equal to the input, not larger.
    const scan = scanModelSource(
      model(
        "conv2d({ name: 'a', inputShape: [9, 9, 1], filters: 1, kernelSize: 3, strides: 2 })",
        "maxPooling2d({ name: 'p', poolSize: 2 })",
        "conv2d({ name: 'c', filters: 1, kernelSize: 2 })",
        "flatten({ name: 'f' })",
        "dense({ name: 'd', units: 1 })",
      ),
      'valid.ts',
    );
    assert.deepEqual(staticFindings(scan), []);
  });

  it('follows the layers the capability table knows, under any factory name of theirs', () => {
    // 8 -conv5 valid-> 4; rescaling and alphaDropout keep positions; the maxPool2d alias of
    // maxPooling2d -> 2; conv3 valid -> 0. Rescaling stopped the arithmetic while it kept its
    // own list of factories.
    const scan = scanModelSource(
      model(
        "conv2d({ name: 'c1', inputShape: [8, 8, 1], filters: 2, kernelSize: 5 })",
        "rescaling({ name: 'r', scale: 1 / 255 })",
        "alphaDropout({ name: 'd', rate: 0.1 })",
        "maxPool2d({ name: 'p1', poolSize: 2 })",
        "conv2d({ name: 'c2', filters: 2, kernelSize: 3 })",
      ),
      'aliases.ts',
    );
    const findings = staticFindings(scan);
    assert.deepEqual(
      findings.map((f) => [f.kind, scan.layers[f.layer].name]),
      [['collapsed', 'c2']],
    );
    assert.match(findings[0].message, /output size 0x0: its 3x3 window .* 2x2 input/);
  });

  it('stops at options it cannot read instead of guessing', () => {
    const scan = scanModelSource(
      model(
        "conv2d({ name: 'a', inputShape: [4, 4, 1], filters: 1, kernelSize: k })",
        "conv2d({ name: 'b', filters: 1, kernelSize: 9 })",
      ),
      'unknown.ts',
    );
    assert.deepEqual(staticFindings(scan), []);
  });

  it('flags a layer whose output is never used', () => {
    const scan = scanModelSource(
      src(
        "import * as tf from '@tensorflow/tfjs';",
        'export default function m() {',
        '  const input = tf.input({ shape: [4] });',
        '  const hidden = tf.layers.dense({ units: 3 }).apply(input);',
        "  const forgotten = tf.layers.dense({ name: 'forgotten', units: 3 }).apply(input);",
        '  tf.layers.dropout({ rate: 0.5 });',
        '  return tf.model({ inputs: input, outputs: hidden as tf.SymbolicTensor });',
        '}',
      ),
      'unused.ts',
    );
    const unused = staticFindings(scan)
      .filter((f) => f.kind === 'unusedOutput')
      .map((f) => scan.layers[f.layer].start.line);
    assert.deepEqual(unused, [5, 6]);
  });
});
