// Activations, BatchNormalization and Add/Sub/Mul/Div. Standard layers where tfjs has one, the
// OnnxElementwise / OnnxBroadcast layers (customLayers.ts) where it has not.
import { floatAttr, intAttr, checkAttributes } from './attributes';
import type { BuiltValue, TranslationContext, Translation } from './builderTypes';
import { constantSize } from './graph';
import { float32Copy } from './weightArrays';
import type { ArithmeticOp } from './elementwiseLayers';
import { constantForLayout, materialize4d } from './layouts';
import type * as tfType from '@tensorflow/tfjs';

function keepLayout(
  ctx: TranslationContext,
  layer: tfType.layers.Layer,
  nonNegative: boolean,
): Translation {
  const x = ctx.value(0);
  return { ...x, tensor: ctx.apply(layer, x.tensor), nonNegative };
}

function scalarInput(
  ctx: TranslationContext,
  index: number,
  attribute: string,
  fallback: number,
): number {
  const c = ctx.constant(index);
  if (c) return c.data[0];
  if (ctx.node.inputs[index]) throw ctx.fail(`its ${attribute} bound must be a constant.`);
  return floatAttr(ctx.node, attribute, fallback);
}

export function translateActivation(ctx: TranslationContext): Translation {
  const { tf, node } = ctx;
  const name = ctx.layerName();
  switch (node.opType) {
    case 'Relu':
      return keepLayout(ctx, tf.layers.reLU({ name }), true);
    case 'LeakyRelu':
      return keepLayout(
        ctx,
        tf.layers.leakyReLU({ alpha: floatAttr(node, 'alpha', 0.01), name }),
        false,
      );
    case 'Elu': {
      const alpha = floatAttr(node, 'alpha', 1);
      // tfjs's ELU layer refuses alpha != 1.
      const layer =
        alpha === 1 ? tf.layers.elu({ name }) : ctx.custom.elementwise({ op: 'elu', alpha, name });
      return keepLayout(ctx, layer, false);
    }
    case 'Sigmoid':
      return keepLayout(ctx, tf.layers.activation({ activation: 'sigmoid', name }), true);
    case 'Tanh':
      return keepLayout(ctx, tf.layers.activation({ activation: 'tanh', name }), false);
    case 'HardSwish':
      return keepLayout(ctx, ctx.custom.elementwise({ op: 'hardSwish', name }), false);
    case 'HardSigmoid': {
      const alpha = floatAttr(node, 'alpha', 0.2);
      const beta = floatAttr(node, 'beta', 0.5);
      return keepLayout(
        ctx,
        ctx.custom.elementwise({ op: 'hardSigmoid', alpha, beta, name }),
        true,
      );
    }
    case 'Clip': {
      const min = scalarInput(ctx, 1, 'min', -Infinity);
      const max = scalarInput(ctx, 2, 'max', Infinity);
      if (min === 0) {
        const layer = Number.isFinite(max)
          ? tf.layers.reLU({ maxValue: max, name })
          : tf.layers.reLU({ name });
        return keepLayout(ctx, layer, true);
      }
      return keepLayout(ctx, ctx.custom.elementwise({ op: 'clip', min, max, name }), min >= 0);
    }
    case 'Softmax':
      return translateSoftmax(ctx);
    default:
      throw ctx.fail('this activation is not supported.');
  }
}

function translateSoftmax(ctx: TranslationContext): Translation {
  const x = ctx.value(0);
  const rank = x.shape.length;
  const raw = intAttr(ctx.node, 'axis', ctx.graph.opset >= 13 ? -1 : 1);
  const axis = raw < 0 ? raw + rank : raw;
  const overFeatures = rank === 2 && axis === 1;
  const overChannels =
    rank === 4 &&
    axis === 1 &&
    (x.layout === 'nhwc' ? ctx.graph.opset >= 13 : x.shape[2] * x.shape[3] === 1);
  if (!overFeatures && !overChannels) {
    throw ctx.fail(`softmax over axis ${raw} of a rank-${rank} tensor is not supported.`);
  }
  return keepLayout(ctx, ctx.tf.layers.softmax({ axis: -1, name: ctx.layerName() }), true);
}

export function translateBatchNorm(ctx: TranslationContext): Translation {
  const { tf, node, graph } = ctx;
  checkAttributes(node, graph.opset, ['epsilon', 'momentum', 'spatial', 'training_mode']);
  if (intAttr(node, 'training_mode', 0) !== 0) throw ctx.fail('training_mode=1 is not supported.');
  const x = ctx.value(0);
  const channelsLast =
    x.layout === 'nhwc' || (x.layout === 'flat' && x.shape.slice(2).every((d) => d === 1));
  if (!channelsLast)
    throw ctx.fail(`batch normalisation of [${x.shape.join(', ')}] here is not supported.`);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) =>
    ctx.requireConstant(i, 'statistics'),
  );
  const layer = tf.layers.batchNormalization({
    axis: -1,
    epsilon: floatAttr(node, 'epsilon', 1e-5),
    name: ctx.layerName(),
  });
  ctx.setWeights(layer, () =>
    [scale, bias, mean, variance].map((c) => tf.tensor1d(float32Copy(c))),
  );
  return { ...x, tensor: ctx.apply(layer, x.tensor), nonNegative: false };
}

const OPS: Record<string, ArithmeticOp> = { Add: 'add', Sub: 'sub', Mul: 'mul', Div: 'div' };

export function translateArithmetic(ctx: TranslationContext): Translation {
  const op = OPS[ctx.node.opType];
  const outShape = ctx.graph.shapes.get(ctx.node.outputs[0])!;
  const constants = [ctx.constant(0), ctx.constant(1)];
  if (constants[0] || constants[1]) return withConstant(ctx, op, constants[0] ? 1 : 0, outShape);
  let [a, b] = [ctx.value(0), ctx.value(1)];
  const nonNegative = (op === 'add' || op === 'mul') && a.nonNegative && b.nonNegative;
  const sameShape = a.shape.join() === b.shape.join();
  const sameLayout = a.layout === b.layout && a.flattenedFrom?.join() === b.flattenedFrom?.join();
  if (sameShape && sameLayout && (op === 'add' || op === 'mul')) {
    const name = ctx.layerName();
    const layer = op === 'add' ? ctx.tf.layers.add({ name }) : ctx.tf.layers.multiply({ name });
    return { ...a, tensor: ctx.apply(layer, [a.tensor, b.tensor]), nonNegative };
  }
  if (a.shape.length === 4 || b.shape.length === 4) {
    [a, b] = [materialize4d(ctx, a), materialize4d(ctx, b)];
  } else if (a.layout !== 'flat' || b.layout !== 'flat') {
    throw ctx.fail(`cannot combine [${a.shape.join(', ')}] and [${b.shape.join(', ')}] here.`);
  }
  const layer = ctx.custom.broadcast({ op, name: ctx.layerName() });
  return {
    tensor: ctx.apply(layer, [a.tensor, b.tensor]),
    shape: outShape,
    layout: a.layout,
    nonNegative,
  };
}

function withConstant(
  ctx: TranslationContext,
  op: ArithmeticOp,
  valueIndex: number,
  outShape: number[],
): Translation {
  const x: BuiltValue = ctx.value(valueIndex);
  if (outShape.join() !== x.shape.join()) {
    throw ctx.fail(
      `a constant that broadcasts [${x.shape.join(', ')}] to [${outShape.join(', ')}] is not supported.`,
    );
  }
  const c = ctx.constant(1 - valueIndex)!;
  const constant =
    x.layout === 'flatNhwc' && constantSize(c.dims) > 1 ? undefined : constantForLayout(c, x);
  if (!constant) throw ctx.fail('this constant operand cannot be laid out for the NHWC model.');
  const layer = ctx.custom.elementwise({
    op,
    constant,
    constantFirst: valueIndex === 1,
    name: ctx.layerName(),
  });
  const nonNegative =
    (op === 'add' || op === 'mul') && x.nonNegative && constant.values.every((v) => v >= 0);
  return { ...x, tensor: ctx.apply(layer, x.tensor), nonNegative };
}
