// Slice along the channels (ShuffleNet's channel split), the parts of a Split along the channels
// (splitParts.ts) and the folded channel shuffle: layers that select or permute channels and leave
// every position in place. Other slices and splits (along height, width or the batch, or with a
// step) are refused with the node named.
import { intAttr, intsAttr } from './attributes';
import { SPLIT_PART } from './splitParts';
import type { TranslationContext, Translation } from './builderTypes';
import { sliceIndices } from './constantOps';
import { materialize4d } from './layouts';

const ONLY = '(only a range of channels is: axis 1, step 1)';

export function translateSlice(ctx: TranslationContext): Translation {
  const raw = ctx.value(0);
  if (raw.shape.length !== 4) {
    throw ctx.fail(`slicing a [${raw.shape.join(', ')}] tensor is not supported ${ONLY}.`);
  }
  const x = materialize4d(ctx, raw);
  const inputs = ctx.node.inputs.map((_, i) => ctx.constant(i));
  const kept = sliceIndices(ctx.node, x.shape, inputs);
  if (!kept) throw ctx.fail('its starts and ends must be constants.');
  kept.forEach((indices, axis) => {
    const whole = indices.length === x.shape[axis] && indices.every((k, i) => k === i);
    if (axis !== 1 && !whole) {
      throw ctx.fail(`slicing along axis ${axis} is not supported ${ONLY}.`);
    }
  });
  const channels = kept[1];
  if (channels.length === 0) throw ctx.fail('the slice keeps no channel.');
  const step = channels.length > 1 ? channels[1] - channels[0] : 1;
  if (channels.some((k, i) => k !== channels[0] + i)) {
    throw ctx.fail(`slicing channels with step ${step} is not supported ${ONLY}.`);
  }
  const layer = ctx.custom.channelSlice({
    begin: channels[0],
    size: channels.length,
    name: ctx.layerName(),
  });
  return {
    ...x,
    tensor: ctx.apply(layer, x.tensor),
    shape: ctx.graph.shapes.get(ctx.node.outputs[0])!,
  };
}

/** One output of a Split (a node of its own after folding: splitParts.ts). */
export function translateSplitPart(ctx: TranslationContext): Translation {
  const raw = ctx.value(0);
  const axis = intAttr(ctx.node, 'axis', 0);
  if (raw.shape.length !== 4 || axis !== 1) {
    throw ctx.fail(
      `splitting a [${raw.shape.join(', ')}] tensor along axis ${axis} is not supported (only the channels of an image tensor are: axis 1).`,
    );
  }
  const x = materialize4d(ctx, raw);
  const [start, end] = intsAttr(ctx.node, SPLIT_PART)!;
  if (end === start) throw ctx.fail('a part of the split keeps no channel.');
  const layer = ctx.custom.channelSlice({ begin: start, size: end - start, name: ctx.layerName() });
  return {
    ...x,
    tensor: ctx.apply(layer, x.tensor),
    shape: ctx.graph.shapes.get(ctx.node.outputs[0])!,
  };
}

/** The node foldGraph makes of Reshape -> Transpose(0, 2, 1, 3, 4) -> Reshape (channelShuffle.ts). */
export function translateChannelShuffle(ctx: TranslationContext): Translation {
  const x = materialize4d(ctx, ctx.value(0));
  const layer = ctx.custom.channelShuffle({
    groups: intAttr(ctx.node, 'groups', 1),
    name: ctx.layerName(),
  });
  return { ...x, tensor: ctx.apply(layer, x.tensor) };
}

/** One channel of an image, kept 4-D (Inception v3's transform_input; fuseDecomposedOps.ts). */
export function translateChannelPick(ctx: TranslationContext): Translation {
  const x = materialize4d(ctx, ctx.value(0));
  const layer = ctx.custom.channelSlice({
    begin: intAttr(ctx.node, 'channel', 0),
    size: 1,
    name: ctx.layerName(),
  });
  return {
    ...x,
    tensor: ctx.apply(layer, x.tensor),
    shape: ctx.graph.shapes.get(ctx.node.outputs[0])!,
  };
}
