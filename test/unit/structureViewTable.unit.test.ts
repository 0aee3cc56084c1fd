// The Structure view's data: rows, sorting, exports and the hover text, checked
// against numbers worked out by hand for LeNet-5 (28x28x1) and the 4x4 "tiny" model.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { extractLayerGraph } from '../../src/analysis/structure';
import {
  describeStructure,
  structureLayerJson,
  type ModelStructure,
} from '../../src/analysis/structure/modelStructure';
import {
  csvField,
  sortRows,
  structureRows,
  toCsv,
  toJsonExport,
  toMarkdown,
  totalsText,
  type ColumnKey,
  type SortDirection,
} from '../../webview/structureTable';
import { RfHover } from '../../webview/rfHover';
import { factsLine, layerFacts } from '../../src/analysis/source/linkRunToSource';
import type { ModelSummary } from '../../src/analysis/modelSummary';
import { applyTo, buildLenet5, structureOf } from './structureModels';

/** The 4x4 test model of test/fixtures/models/tiny.ts (its weights do not matter here). */
function buildTiny(): tf.LayersModel {
  const model = tf.sequential({ name: 'tiny' });
  model.add(tf.layers.conv2d({ name: 'sum2x2', inputShape: [4, 4, 1], filters: 1, kernelSize: 2 }));
  model.add(tf.layers.maxPooling2d({ name: 'pool', poolSize: 3 }));
  model.add(tf.layers.flatten({ name: 'flat' }));
  model.add(tf.layers.dense({ name: 'out', units: 2, activation: 'softmax' }));
  return model;
}

/** conv -> upsampling -> conv: receptive fields stop at the upsampling. */
function buildWithUpsampling(): tf.LayersModel {
  return tf.sequential({
    name: 'up',
    layers: [
      tf.layers.conv2d({ name: 'c1', inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
      tf.layers.upSampling2d({ name: 'up', size: [2, 2] }),
      tf.layers.conv2d({ name: 'c2', filters: 1, kernelSize: 3 }),
    ],
  });
}

const order = (s: ModelStructure, key: ColumnKey, dir: SortDirection) =>
  sortRows(structureRows(s), key, dir).map((r) => r.layer.name);

describe('Structure view: table, sorting and exports', () => {
  let lenet: ModelStructure;
  let tiny: ModelStructure;
  before(async () => {
    await tf.setBackend('cpu');
    lenet = structureOf(buildLenet5);
    tiny = structureOf(buildTiny);
  });

  it('joins counts and receptive fields for LeNet-5 (hand-derived)', () => {
    assert.deepEqual(lenet.inputSize, [28, 28]);
    const by = Object.fromEntries(lenet.layers.map((l) => [l.name, l]));
    // 5*5*1*6+6, 5*5*6*16+16, 400*120+120, 120*84+84, 84*10+10
    assert.deepEqual(
      lenet.layers.map((l) => l.params.total),
      [156, 0, 2416, 0, 0, 48120, 10164, 850],
    );
    // 28*28*25*6, 10*10*25*6*16, 400*120, 120*84, 84*10
    assert.deepEqual(
      lenet.layers.map((l) => l.macs),
      [117600, 0, 240000, 0, 0, 48000, 10080, 840],
    );
    const rf = (name: string) =>
      by[name].receptiveField.axes!.map((a) => [a.size, a.jump, a.padding]);
    assert.deepEqual(rf('conv1'), [
      [5, 1, 2],
      [5, 1, 2],
    ]);
    assert.deepEqual(rf('pool1'), [
      [6, 2, 2],
      [6, 2, 2],
    ]);
    assert.deepEqual(rf('conv2'), [
      [14, 2, 2],
      [14, 2, 2],
    ]);
    assert.deepEqual(rf('pool2'), [
      [16, 4, 2],
      [16, 4, 2],
    ]);
    // Flatten gathers the 5x5 positions of pool2: 16 + (5 - 1) * 4 = 32.
    assert.deepEqual(rf('flatten'), [
      [32, 4, 2],
      [32, 4, 2],
    ]);
    assert.equal(by.flatten.receptiveField.collapsed, true);
    assert.deepEqual(by.conv1.kernel, [5, 5]);
    assert.equal(by.conv1.padding, 'same');
    assert.deepEqual(by.pool1.kernel, [2, 2]);
    assert.deepEqual(by.pool1.strides, [2, 2]);
    assert.equal(by.fc1.kernel, null);
    // 28*28*6*4 + 14*14*6*4 + 10*10*16*4 + 5*5*16*4 * 2 + (120 + 84 + 10) * 4
    assert.equal(lenet.totals.activationBytes, 18816 + 4704 + 6400 + 1600 + 1600 + 856);
    assert.equal(lenet.totals.params, 61706);
    assert.equal(lenet.totals.macs, 416520);
    assert.equal(lenet.totals.flops, 833040);
  });

  it('shows the cells as a person reads them', () => {
    const rows = structureRows(lenet);
    const text = (name: string) => rows.find((r) => r.layer.name === name)!.text;
    assert.deepEqual(
      [text('conv1').kernel, text('conv1').strides, text('conv1').padding, text('conv1').output],
      ['5\u00d75', '1\u00d71', 'same', '28\u00d728\u00d76'],
    );
    assert.equal(text('conv1').memory, '18.4 KiB'); // 18816 / 1024 = 18.375
    assert.equal(text('pool1').memory, '4.59 KiB'); // 4704 / 1024 = 4.59375
    assert.equal(text('fc3').memory, '40 B');
    assert.equal(text('conv2').params, '2,416');
    assert.equal(text('conv2').macs, '240,000');
    assert.equal(text('conv2').rfSize, '14\u00d714');
    assert.equal(text('conv2').rfJump, '2\u00d72');
    assert.equal(text('pool2').rfSize, '16\u00d716');
    assert.equal(text('pool2').rfJump, '4\u00d74');
    assert.equal(text('flatten').rfSize, '32\u00d732 (all)');
    assert.equal(text('pool1').dilation, '\u2014');
    // conv1: dense 784 x 4704 = 3,687,936 weights vs 150 kernel weights = 24,586.24x
    assert.equal(text('conv1').denseRatio, '24,586\u00d7');
    // conv2: 1176 x 1600 = 1,881,600 vs 2400 = 784x
    assert.equal(text('conv2').denseRatio, '784\u00d7');
    assert.equal(text('fc1').denseRatio, '\u2014');
    assert.deepEqual(totalsText(lenet), {
      name: 'Total',
      params: '61,706',
      macs: '416,520',
      memory: '33.2 KiB', // 33,976 B
    });
  });

  it('sorts numbers, names and missing values, stably', () => {
    assert.deepEqual(order(lenet, 'params', 'descending'), [
      'fc1',
      'fc2',
      'conv2',
      'fc3',
      'conv1',
      'pool1',
      'pool2',
      'flatten',
    ]);
    assert.deepEqual(order(lenet, 'params', 'ascending'), [
      'pool1',
      'pool2',
      'flatten',
      'conv1',
      'fc3',
      'conv2',
      'fc2',
      'fc1',
    ]);
    assert.deepEqual(order(lenet, 'name', 'ascending'), [
      'conv1',
      'conv2',
      'fc1',
      'fc2',
      'fc3',
      'flatten',
      'pool1',
      'pool2',
    ]);
    assert.deepEqual(order(lenet, 'rfSize', 'descending'), [
      'flatten',
      'fc1',
      'fc2',
      'fc3',
      'pool2',
      'conv2',
      'pool1',
      'conv1',
    ]);
    // Layers without a dense equivalent go last in both directions, in model order.
    const rest = ['pool1', 'pool2', 'flatten', 'fc1', 'fc2', 'fc3'];
    assert.deepEqual(order(lenet, 'denseRatio', 'descending'), ['conv1', 'conv2', ...rest]);
    assert.deepEqual(order(lenet, 'denseRatio', 'ascending'), ['conv2', 'conv1', ...rest]);
    assert.deepEqual(order(lenet, 'index', 'descending'), [
      'fc3',
      'fc2',
      'fc1',
      'flatten',
      'pool2',
      'conv2',
      'pool1',
      'conv1',
    ]);
  });

  it('writes CSV with raw numbers, RFC 4180 quoting and a total line', () => {
    const csv = toCsv(tiny, structureRows(tiny));
    // sum2x2: 3*3*2*2 MACs = 36, 9 floats = 36 B, dense equivalent 16 x 9 = 144 vs 4 weights.
    // pool (3x3, stride 3): field 2 + 2 = 4, jump 3. Flatten and Dense gather the one position.
    assert.equal(
      csv,
      [
        'index,layer,type,kernel,strides,padding,dilation,output_shape,trainable_params,non_trainable_params,params,macs,activation_bytes,rf_size,rf_jump,rf_padding,rf_note,dense_equivalent_params,dense_equivalent_ratio',
        '1,sum2x2,Conv2D,2x2,1x1,valid,1x1,3x3x1,5,0,5,36,36,2x2,1x1,0x0,,144,36',
        '2,pool,MaxPooling2D,3x3,3x3,valid,,1x1x1,0,0,0,0,4,4x4,3x3,0x0,,,',
        '3,flat,Flatten,,,,,1,0,0,0,0,4,4x4,3x3,0x0,whole input,,',
        '4,out,Dense,,,,,2,4,0,4,2,8,4x4,3x3,0x0,whole input,,',
        ',total,,,,,,,9,0,9,38,52,,,,,,',
        '',
      ].join('\r\n'),
    );
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(null), '');
    assert.equal(csvField(0), '0');
  });

  it('guards CSV cells that a spreadsheet would run as formulas', () => {
    assert.equal(csvField('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
    assert.equal(csvField('+1+cmd'), "'+1+cmd");
    assert.equal(csvField('-2+3'), "'-2+3");
    assert.equal(csvField('@SUM(A1:A9)'), "'@SUM(A1:A9)");
    assert.equal(csvField('\t=1'), "'\t=1");
    assert.equal(csvField('\r=1'), `"'\r=1"`);
    // Numbers and dimension strings are data, left as they are.
    assert.equal(csvField(-3), '-3');
    assert.equal(csvField('-2x-2'), '-2x-2');
    assert.equal(csvField('-1.5'), '-1.5');
    assert.equal(csvField('a=b'), 'a=b');
    const hostile = {
      ...tiny,
      layers: tiny.layers.map((l, i) => (i === 0 ? { ...l, name: '=cmd|" /C calc"!A0' } : l)),
    };
    const line = toCsv(hostile, structureRows(hostile)).split('\r\n')[1];
    assert.ok(line.startsWith(`1,"'=cmd|"" /C calc""!A0",Conv2D,`), line);
  });

  it('exports the rows in the order shown', () => {
    const rows = sortRows(structureRows(tiny), 'params', 'descending');
    const lines = toCsv(tiny, rows).split('\r\n');
    assert.deepEqual(
      lines.slice(1, 5).map((l) => l.split(',')[1]),
      ['sum2x2', 'out', 'pool', 'flat'],
    );
    const json = JSON.parse(toJsonExport('tiny', tiny, rows));
    assert.deepEqual(
      json.layers.map((l: { name: string }) => l.name),
      ['sum2x2', 'out', 'pool', 'flat'],
    );
  });

  it('writes a Markdown table with escaped cells and bold totals', () => {
    const md = toMarkdown(tiny, structureRows(tiny)).split('\n');
    assert.equal(md.length, 1 + 1 + 4 + 1 + 1); // header, alignment, 4 layers, totals, final newline
    assert.equal(
      md[0],
      '| # | Layer | Type | Kernel | Stride | Padding | Dilation | Output | Params | MACs | Memory | RF size | RF jump | RF padding | Dense eq. |',
    );
    assert.equal(
      md[1],
      '| ---: | --- | --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    assert.equal(
      md[2],
      '| 1 | sum2x2 | Conv2D | 2\u00d72 | 1\u00d71 | valid | 1\u00d71 | 3\u00d73\u00d71 | 5 | 36 | 36 B | 2\u00d72 | 1\u00d71 | 0\u00d70 | 36\u00d7 |',
    );
    const totals = ['', '**Total**', '', '', '', '', '', '', '**9**', '**38**', '**52 B**'];
    assert.equal(md[6], `| ${[...totals, '', '', '', ''].join(' | ')} |`);
    // A pipe in a cell must not open a new column.
    const odd: ModelStructure = JSON.parse(JSON.stringify(tiny));
    odd.layers[0].name = 'a|b';
    const row = toMarkdown(odd, structureRows(odd)).split('\n')[2];
    assert.ok(row.startsWith('| 1 | a\\|b | Conv2D |'), row);
  });

  it('exports JSON with the report fields of every layer', () => {
    const json = JSON.parse(toJsonExport('tiny', tiny, structureRows(tiny)));
    assert.equal(json.model, 'tiny');
    assert.deepEqual(json.inputSize, [4, 4]);
    assert.equal(json.totals.params, 9);
    assert.equal(json.totals.macs, 38);
    assert.deepEqual(json.layers[0], {
      index: 1,
      name: 'sum2x2',
      className: 'Conv2D',
      kernel: [2, 2],
      strides: [1, 1],
      padding: 'valid',
      dilation: [1, 1],
      outputShape: [3, 3, 1],
      params: { trainable: 5, nonTrainable: 0 },
      macs: 36,
      activationBytes: 36,
      rf: { size: [2, 2], jump: [1, 1], padding: [0, 0] },
      denseEquivalentParams: 144,
    });
    assert.equal(json.layers[2].rfWholeInput, true);
  });

  it('marks layers the theory cannot describe, with the reason, everywhere', () => {
    const s = structureOf(buildWithUpsampling);
    const [c1, up, c2] = s.layers;
    assert.ok(c1.receptiveField.axes);
    assert.equal(up.receptiveField.axes, null);
    assert.match(up.receptiveField.reason!, /UpSampling|upsampl/i);
    assert.match(c2.receptiveField.reason!, /downstream of 'up'/);
    const j = structureLayerJson(c2);
    assert.equal(j.rf, null);
    assert.match(j.rfUnsupported!, /downstream of 'up'/);
    const rows = structureRows(s);
    assert.equal(rows[2].text.rfSize, '\u2014');
    // Missing fields sort last in both directions.
    assert.deepEqual(order(s, 'rfSize', 'ascending'), ['c1', 'up', 'c2']);
    assert.deepEqual(order(s, 'rfSize', 'descending'), ['c1', 'up', 'c2']);
    const csvLine = toCsv(s, rows).split('\r\n')[3];
    assert.ok(csvLine.includes(csvField(c2.receptiveField.reason!)), csvLine);
  });

  it('marks a field that comes through misaligned branches, with the merge named, everywhere', () => {
    // 2x2/2 pooling (unit 0 centred at 0.5) added to a 3x3/2 'same' conv on 16 (centred at 1).
    const s = structureOf(() => {
      const input = tf.input({ shape: [16, 16, 1] });
      const pool = applyTo(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }), input);
      const conv = applyTo(
        tf.layers.conv2d({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', name: 'conv' }),
        input,
      );
      return tf.model({
        inputs: input,
        outputs: applyTo(tf.layers.add({ name: 'sum' }), [pool, conv]),
      });
    });
    const rows = structureRows(s);
    assert.deepEqual(
      rows.map((r) => r.text.rfSize),
      ['2\u00d72', '3\u00d73', '3\u00d73 \u26a0'],
    );
    // The panel's hover: sum's unit (0, 0) sees rows/columns 0..2 (size 3, jump 2, padding 0).
    const hover = new RfHover();
    hover.attach(null, null, 16, 16);
    hover.setLayer('sum', s.layers[2].receptiveField);
    assert.equal(
      hover.enter(0, 0),
      'receptive field rows 0\u20262, columns 0\u20262 (approximate: misaligned branches)',
    );
    hover.setLayer('pool', s.layers[0].receptiveField);
    assert.equal(hover.enter(0, 0), 'receptive field rows 0\u20261, columns 0\u20261');
    const sumLine = toCsv(s, rows).split('\r\n')[3];
    assert.match(
      sumLine,
      /^3,sum,Add,.*"the branches joined by 'sum' are misaligned along axis 0 \(pool: jump 2, unit 0 centred at 0\.5; conv: jump 2, unit 0 centred at 1\)/,
    );
    const exported = JSON.parse(toJsonExport('m', s, rows));
    assert.match(exported.layers[2].rfWarning, /^the branches joined by 'sum' are misaligned/);
    const facts = layerFacts(
      {
        layers: s.layers.map((l) => ({
          name: l.name,
          className: l.className,
          outputShape: l.outputShape,
          params: { trainable: 0, nonTrainable: 0 },
        })),
      } as unknown as ModelSummary,
      s,
      'sum',
    )!;
    assert.equal(factsLine(facts), '8x8x1 \u00b7 0 params \u00b7 RF 3x3 (misaligned branches)');
  });

  it('rejects a layer that is not in the graph', () => {
    const model = buildTiny();
    try {
      assert.throws(
        () => describeStructure(extractLayerGraph(model), ['sum2x2', 'conv9']),
        /layer 'conv9' is not in the layer graph of 'tiny'/,
      );
    } finally {
      model.dispose();
    }
  });

  it('shows unknown MACs in the totals instead of hiding them', () => {
    const s: ModelStructure = JSON.parse(JSON.stringify(tiny));
    s.layers[3].macs = null;
    s.totals.macs = 36;
    s.totals.layersWithUnknownMacs = ['out'];
    assert.equal(totalsText(s).macs, '36 + ?');
    assert.equal(structureRows(s)[3].text.macs, '?');
    assert.equal(order(s, 'macs', 'descending').at(-1), 'out');
  });
});
