// The layer-capability table (src/analysis/layerCapabilities.ts) is the one place that says what
// each feature does with a layer class: every class the code builds or translates has an entry,
// the features read their decisions from it, and no other module keeps its own list of classes.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAYER_CAPABILITIES, layerCapabilities } from '../../src/analysis/layerCapabilities';
import { CUSTOM_LAYER_CLASSES } from '../../src/analysis/onnx/customLayers';
import { TRANSLATED_LAYER_CLASSES } from '../../src/analysis/engines/layersToOnnx';
import { extractLayerGraph, countModel } from '../../src/analysis/structure';
import { isGalleryLayer } from '../../src/analysis/gallery/chooseLayer';
import { buildLenet5, buildVgg16, structureOf } from './structureModels';
import { repoRoot } from './helpers/build';
import { onCpuBackend } from './helpers/tfBackend';

describe('Layer capabilities: one table for every feature', () => {
  onCpuBackend();

  it('has an entry for every class the ONNX import creates and the native engine translates', () => {
    const known = [...CUSTOM_LAYER_CLASSES, ...TRANSLATED_LAYER_CLASSES];
    const missing = known.filter((c) => !Object.hasOwn(LAYER_CAPABILITIES, c));
    assert.deepEqual(missing, []);
  });

  it("has an entry for every class of the example networks' builders", () => {
    for (const model of [buildLenet5(), buildVgg16(32, 32)]) {
      const classes = extractLayerGraph(model).layers.map((l) => l.className);
      const missing = classes.filter((c) => !Object.hasOwn(LAYER_CAPABILITIES, c));
      assert.deepEqual(missing, [], model.name);
    }
  });

  it('gives a class it does not know the unknown capabilities, with the reason', () => {
    const caps = layerCapabilities('MyCustomLayer');
    assert.equal(caps.structure, 'unknown');
    assert.equal(caps.counts, 'unknown');
    assert.equal(caps.explain, 'unsupported');
    assert.match(caps.fieldLimit ?? '', /unknown layer class 'MyCustomLayer'/);
    assert.equal(caps.gallery || caps.arithmetic || caps.filters, false);
    // Object's own properties are not layer classes.
    assert.equal(layerCapabilities('toString').structure, 'unknown');
  });

  it('is consistent: what each feature may do follows from what the class computes', () => {
    for (const [name, caps] of Object.entries(LAYER_CAPABILITIES)) {
      const windowed = ['conv', 'depthwiseConv', 'maxPool', 'avgPool'].includes(caps.explain);
      assert.equal(caps.arithmetic, windowed, `${name}: arithmetic`);
      assert.equal(caps.filters, ['conv', 'depthwiseConv'].includes(caps.explain), name);
      assert.equal(caps.explain === 'unsupported', caps.explainLimit !== undefined, name);
      assert.equal(caps.explain === 'merge', caps.mergeOp !== undefined, `${name}: mergeOp`);
      if (caps.structure === 'spatialUnsupported') assert.ok(caps.fieldLimit, name);
    }
  });

  it('is what the structure, the counts and the gallery read (VGG-16 at 32x32)', () => {
    const model = buildVgg16(32, 32);
    const graph = extractLayerGraph(model);
    const counts = countModel(graph);
    const structure = structureOf(() => buildVgg16(32, 32));
    for (const node of graph.layers) {
      const caps = layerCapabilities(node.className);
      assert.equal(node.kind, caps.structure, node.name);
      const macs = counts.layers.find((c) => c.name === node.name)?.macs;
      // Hand count: block1_conv1 is 32 x 32 positions x 3x3x3 taps x 64 filters.
      if (node.name === 'block1_conv1') assert.equal(macs, 32 * 32 * 27 * 64);
      if (caps.counts === 'free') assert.equal(macs, 0, node.name);
    }
    const galleryLayers = structure.layers.filter(isGalleryLayer).map((l) => l.name);
    assert.ok(galleryLayers.includes('block1_conv1'));
    assert.ok(galleryLayers.includes('block3_pool'));
    assert.ok(
      !galleryLayers.some((n) => /relu|flatten|fc|predictions/.test(n)),
      galleryLayers.join(),
    );
  });

  it('is the single source: no feature module keeps its own list of layer classes', () => {
    // The features that read the table. Not here: the native engine's translators and the ONNX
    // import, which build or translate layers class by class (they are implementations, not
    // classifications).
    const files = execFileSync(
      'git',
      [
        'ls-files',
        'src/analysis/structure/*.ts',
        'src/analysis/explain/*.ts',
        'src/analysis/gallery/*.ts',
        'src/analysis/source/*.ts',
        'src/analysis/modelSummary.ts',
        'webview/*.ts',
      ],
      { cwd: repoRoot, encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean);
    assert.ok(files.length > 40, `only ${files.length} files scanned`);
    const classes = Object.keys(LAYER_CAPABILITIES);
    const lists: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      const named = classes.filter((c) =>
        new RegExp(`['"\`]${c}['"\`]|^\\s*${c}\\s*:`, 'm').test(text),
      );
      // Only InputLayer, the model's input that tfjs adds itself, may be named: what a class
      // does (Permute's axes, TF.js's DepthwiseConv2D dilation) belongs in the table.
      const others = named.filter((c) => c !== 'InputLayer');
      if (others.length > 0) lists.push(`${file}: ${others.join(', ')}`);
    }
    assert.deepEqual(lists, []);
  });
});
