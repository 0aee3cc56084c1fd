// Class explanations on the example models, against PyTorch (test/oracles/, the same LeNet weights
// rebuilt with autograd): the score before softmax, Grad-CAM at conv2 and conv1, occlusion and
// integrated gradients; IG completeness within 1% at 64 steps on LeNet and CIFAR10Net; class
// selection by index, label and 'top'; no tensor leaks.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import {
  explainFeatureVisualization,
  explainGradCam,
  explainIntegratedGradients,
  explainOcclusion,
  resolveClass,
} from '../../src/analysis/explain/classExplainSession';
import { testRuntime } from './helpers/runtime';

const root = join(__dirname, '..', '..');
const ankleBoot = join(root, 'examples', 'images', 'fashion-mnist', '000-ankle-boot.png');

interface Oracle {
  score: number;
  gradcam: Record<string, number[][]>;
  occlusion: number[][];
  integratedGradients: number[][];
}

function assertClose(
  actual: ArrayLike<number>,
  expected: number[],
  tolerance: number,
  what: string,
) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(...expected.map(Math.abs), 1e-6);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tolerance * scale,
      `${what}[${i}]: ${actual[i]} vs PyTorch ${expected[i]}`,
    );
  }
}

describe('class explanations: example models', function () {
  this.timeout(240000);
  let lenet: InspectionSession;
  let oracle: Oracle;
  before(async () => {
    lenet = await InspectionSession.open(
      await testRuntime(),
      join(root, 'examples', 'lenet.ts'),
      undefined,
    );
    await lenet.runInput(ankleBoot);
    const script = join(root, 'test', 'oracles', 'lenet_class_explanations.py');
    oracle = JSON.parse(
      execFileSync('/usr/bin/python3', [script, ankleBoot, '9'], { encoding: 'utf8' }),
    );
  });
  after(() => lenet.dispose());

  it('picks classes by index, label or top, and refuses others', () => {
    assert.deepEqual(
      { ...resolveClass(lenet, 'top'), score: 0 },
      { index: 9, label: 'Ankle boot', score: 0 },
    );
    assert.equal(resolveClass(lenet, 'ankle boot').index, 9);
    assert.equal(resolveClass(lenet, 3).label, 'Dress');
    assert.ok(Math.abs(resolveClass(lenet, '9').score - oracle.score) < 1e-4);
    assert.throws(
      () => resolveClass(lenet, 10),
      /Class 10 is outside the model's 10 classes \(0 to 9\)/,
    );
    assert.throws(
      () => resolveClass(lenet, 'boots'),
      /No class is labelled 'boots' \(labels: T-shirt\/top/,
    );
  });

  it('Grad-CAM at conv2 (the default) and conv1 matches PyTorch', () => {
    const tf = lenet.tf;
    const before = tf.memory().numTensors;
    const cam = explainGradCam(lenet, 9);
    assert.equal(cam.layer, 'conv2');
    assert.deepEqual(cam.shape, [10, 10]);
    assert.deepEqual(cam.candidates, ['conv1', 'pool1', 'conv2', 'pool2']);
    assert.ok(Math.abs(cam.class.score - oracle.score) < 1e-4);
    assertClose(cam.values, oracle.gradcam.conv2.flat(), 1e-4, 'conv2');
    assert.ok(cam.values.some((v) => v > 0) && cam.values.some((v) => v === 0));
    const cam1 = explainGradCam(lenet, 9, 'conv1');
    assert.deepEqual(cam1.shape, [28, 28]);
    assertClose(cam1.values, oracle.gradcam.conv1.flat(), 1e-4, 'conv1');
    assert.equal(cam1.guided!.data.length, 784);
    assert.throws(() => explainGradCam(lenet, 9, 'fc1'), /Grad-CAM cannot use layer 'fc1'/);
    assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
  });

  it('occlusion (7x7, stride 2, fill 0) matches PyTorch, with progress', async () => {
    const before = lenet.tf.memory().numTensors;
    const seen: number[] = [];
    const result = await explainOcclusion(
      lenet,
      9,
      { window: [7, 7], stride: [2, 2], fill: 0 },
      {
        onProgress: (done, total) => seen.push(done / total),
      },
    );
    assert.equal(result.rows, 11);
    assertClose(result.values, oracle.occlusion.flat(), 1e-4, 'occlusion');
    assert.equal(seen[seen.length - 1], 1);
    assert.equal(lenet.tf.memory().numTensors, before, 'no tensor may leak');
  });

  it('integrated gradients match PyTorch and are complete within 1% at 64 steps', async () => {
    const before = lenet.tf.memory().numTensors;
    const ig = await explainIntegratedGradients(lenet, 9, 64, 'zeros');
    assertClose(ig.values.data, oracle.integratedGradients.flat(), 1e-3, 'IG');
    assert.ok(Math.abs(ig.scoreDifference - oracle.score) < 1e-3 + Math.abs(ig.baselineScore));
    assert.ok(Math.abs(ig.sum - ig.scoreDifference) <= 0.01 * Math.abs(ig.scoreDifference));
    const blurred = await explainIntegratedGradients(lenet, 9, 64, 'blur');
    assert.ok(
      Math.abs(blurred.sum - blurred.scoreDifference) <= 0.01 * Math.abs(blurred.scoreDifference),
    );
    assert.equal(lenet.tf.memory().numTensors, before, 'no tensor may leak');
  });

  it('feature visualization of a conv2 channel beats the current image on its objective', async () => {
    const before = lenet.tf.memory().numTensors;
    const result = await explainFeatureVisualization(lenet, 'conv2', 3, { steps: 32 });
    assert.deepEqual(result.range, [0, 1]);
    assert.ok(result.activation > (result.currentActivation ?? Infinity));
    await assert.rejects(
      explainFeatureVisualization(lenet, 'conv2', 16),
      /channel 16 is outside layer 'conv2' \(16 channels\)/,
    );
    await assert.rejects(explainFeatureVisualization(lenet, 'nope', 0), /no layer 'nope'|nope/);
    assert.equal(lenet.tf.memory().numTensors, before, 'no tensor may leak');
  });

  it('CIFAR10Net: integrated gradients are complete within 1% at 64 steps', async () => {
    const session = await InspectionSession.open(
      await testRuntime(),
      join(root, 'examples', 'cifar10net.ts'),
      undefined,
    );
    try {
      await session.runInput(join(root, 'examples', 'images', 'chelsea.png'));
      const before = session.tf.memory().numTensors;
      const ig = await explainIntegratedGradients(session, 'top', 64);
      assert.ok(Math.abs(ig.scoreDifference) > 1e-3, 'a score difference to check against');
      assert.ok(Math.abs(ig.sum - ig.scoreDifference) <= 0.01 * Math.abs(ig.scoreDifference));
      assert.equal(session.tf.memory().numTensors, before, 'no tensor may leak');
    } finally {
      session.dispose();
    }
  });
});
