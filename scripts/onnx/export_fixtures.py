"""Exports the ONNX test fixtures and PyTorch's own activations for them (the numeric oracle).

Run with Debian's PyTorch: /usr/bin/python3 scripts/onnx/export_fixtures.py OUT_DIR [NAME...]
No download: torchvision models get random weights from a fixed seed. For each net, OUT_DIR/NAME/
holds model.onnx, input.bin (float32 NCHW, batch 1), oracle.bin (float32 tensors back to back) and
oracle.json: for each call of each leaf module, keyed like the export's scopes
(`layer1.0.relu`, then `layer1.0.relu_1` for its second call), the offsets and NCHW shapes of
its first input and its output, its type, and the parameters its ONNX node should hold.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

OPSET = 13


class Convs(nn.Module):
    """Explicit, asymmetric, same-size and stride-2 pads, dilation, depthwise with a multiplier,
    transposed convolution, LeakyReLU/ELU, a flatten of a 5x7 map into a Linear, Softmax."""

    def __init__(self):
        super().__init__()
        self.pad = nn.ZeroPad2d((1, 2, 0, 1))
        self.conv_asym = nn.Conv2d(3, 6, 3)
        self.act1 = nn.LeakyReLU(0.1)
        self.conv_same = nn.Conv2d(6, 6, 5, padding=2)
        self.conv_dilated = nn.Conv2d(6, 8, 3, padding=2, dilation=2)
        self.act2 = nn.ELU(alpha=0.5)
        self.depthwise = nn.Conv2d(8, 16, 3, stride=2, padding=1, groups=8)
        self.deconv = nn.ConvTranspose2d(16, 6, 3, stride=2, padding=1, output_padding=1)
        self.conv_s2 = nn.Conv2d(6, 4, 4, stride=3, padding=(1, 2), bias=False)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(4 * 5 * 7, 10)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        x = self.act1(self.conv_asym(self.pad(x)))
        x = self.conv_same(x)
        x = self.act2(self.conv_dilated(x))
        x = self.deconv(self.depthwise(x))
        x = self.conv_s2(x)
        return self.softmax(self.fc(self.flatten(x)))


class Pools(nn.Module):
    """Max pooling with ceil_mode and pads on a signed input (padding must not win), average
    pooling with count_include_pad, global max pooling, a view() shape chain, MatMul."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 5, 3)
        self.pool_signed = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.relu = nn.ReLU()
        self.pool_ceil = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.avg_pad = nn.AvgPool2d(3, stride=1, padding=1)
        self.avg = nn.AvgPool2d(2)
        self.gmp = nn.AdaptiveMaxPool2d(1)
        self.weight = nn.Parameter(torch.randn(5, 7))

    def forward(self, x):
        x = self.pool_signed(self.conv(x))
        x = self.pool_ceil(self.relu(x))
        x = self.avg(self.avg_pad(x))
        x = self.gmp(x)
        x = x.view(x.size(0), -1)
        return torch.matmul(x, self.weight)


class Arithmetic(nn.Module):
    """Sigmoid, Tanh, Hardsigmoid, Hardswish, ReLU6; constants (scalar and per channel);
    squeeze-excitation broadcasting; Sub/Div of tensors; Concat; Transpose; reflection Pad;
    ReduceMean; Squeeze/Unsqueeze; Dropout and Identity."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.sig = nn.Sigmoid()
        self.tanh = nn.Tanh()
        self.hsig = nn.Hardsigmoid()
        self.hswish = nn.Hardswish()
        self.relu6 = nn.ReLU6()
        self.scale = nn.Parameter(torch.randn(1, 8, 1, 1))
        self.se_reduce = nn.Conv2d(8, 4, 1)
        self.se_expand = nn.Conv2d(4, 8, 1)
        self.reflect = nn.ReflectionPad2d(1)
        self.conv2 = nn.Conv2d(16, 6, 3)
        self.dropout = nn.Dropout(0.3)
        self.identity = nn.Identity()
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        x = self.conv1(x)
        a = self.sig(x) * 2.0 - 0.5
        b = self.tanh(x) / 3.0 + self.hsig(x)
        c = self.relu6(self.hswish(x)) * self.scale
        se = self.sig(self.se_expand(self.relu6(self.se_reduce(x.mean((2, 3), keepdim=True)))))
        d = (a - b) / (1.5 + self.sig(c)) + c * se
        y = torch.cat([d, x.permute(0, 1, 3, 2)], dim=1)
        y = self.conv2(self.reflect(y))
        y = self.dropout(self.identity(y))
        v = y.mean((2, 3))
        v = v.unsqueeze(2).unsqueeze(3).squeeze(3).squeeze(2)
        return self.fc(v)


class Groups(nn.Module):
    """Grouped convolutions (ResNeXt-style, with and without bias, strided), a dilated depthwise
    convolution, average pooling that excludes its pads and one whose ceil_mode window crosses the
    end, edge (replication) padding."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.grouped = nn.Conv2d(8, 12, 3, padding=1, groups=4)
        self.relu = nn.ReLU()
        self.dw_dilated = nn.Conv2d(12, 12, 3, padding=2, dilation=2, groups=12)
        self.avg_excl = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.replicate = nn.ReplicationPad2d((1, 0, 2, 1))
        self.grouped_s2 = nn.Conv2d(12, 6, 3, stride=2, groups=3, bias=False)
        self.avg_ceil = nn.AvgPool2d(2, stride=2, ceil_mode=True)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(6 * 3 * 2, 5)

    def forward(self, x):
        x = self.relu(self.grouped(self.conv1(x)))
        x = self.avg_excl(self.dw_dilated(x))
        x = self.avg_ceil(self.grouped_s2(self.replicate(x)))
        return self.fc(self.flatten(x))


class BatchNormKept(nn.Module):
    """Exported without folding, so BatchNormalization nodes and shape chains stay in the file."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.bn = nn.BatchNorm2d(6)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(6, 4)
        self.bn1d = nn.BatchNorm1d(4)

    def forward(self, x):
        x = self.pool(self.relu(self.bn(self.conv(x))))
        x = x.view(x.size(0), -1)  # without constant folding: a Shape/Gather/Unsqueeze/Concat chain
        return self.bn1d(self.fc(self.flatten(x)))


class Resizes(nn.Module):
    """Resize as PyTorch exports it: nearest x2 (asymmetric, floor), bilinear x2 with
    align_corners False (pytorch_half_pixel) and True (align_corners), and bilinear to a size that
    is not a multiple of the input (F.interpolate(size=...))."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.nearest = nn.Upsample(scale_factor=2, mode='nearest')
        self.conv2 = nn.Conv2d(4, 4, 3, stride=2)
        self.bilinear = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False)
        self.corners = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)
        self.conv3 = nn.Conv2d(4, 2, 3)

    def forward(self, x):
        x = self.conv2(self.nearest(self.conv(x)))
        x = self.conv3(self.corners(self.bilinear(x)))
        return F.interpolate(x, size=(13, 9), mode='bilinear', align_corners=False)


def randomize_batchnorm(model):
    """Non-trivial statistics, so folding or keeping BatchNormalization is actually tested."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)


def torchvision_net(name):
    def make():
        kwargs = {'weights': None}
        if name == 'googlenet':
            kwargs.update(aux_logits=False, init_weights=True)
        return getattr(torchvision.models, name)(**kwargs)

    return make


def small_convnext():
    """torchvision's ConvNeXt with two small stages (convnext_tiny's file is 114 MB): LayerNorm2d
    (Permute, LayerNorm, Permute), depthwise 7x7, the channels-last Linear layers, GELU, layer scale,
    stochastic depth, the LayerNorm2d of the classifier on [N, C, 1, 1]."""
    from torchvision.models.convnext import CNBlockConfig, ConvNeXt

    model = ConvNeXt([CNBlockConfig(16, 32, 2), CNBlockConfig(32, None, 1)],
                     stochastic_depth_prob=0.1, layer_scale=0.5, num_classes=10)
    with torch.no_grad():  # non-trivial LayerNorm scales and biases, layer scales per channel
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
            if hasattr(m, 'layer_scale'):
                m.layer_scale.uniform_(0.2, 1.0)
    return model


def small_densenet():
    """torchvision's DenseNet with two small blocks (its first dense layer concatenates a list of
    one tensor; BatchNorms on concatenations are not folded into a convolution)."""
    return torchvision.models.DenseNet(growth_rate=8, block_config=(2, 2), num_init_features=16,
                                       bn_size=2, num_classes=10)


class InceptionInput(nn.Module):
    """Inception v3's transform_input (torchvision's own code: each channel taken with x[:, i],
    unsqueezed, scaled and shifted, concatenated back) before a small convolution."""

    transform_input = True

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return self.conv(torchvision.models.inception.Inception3._transform_input(self, x))


NETS = {
    # name: (constructor, input size, export keeping BatchNormalization[, opset])
    'convs': (Convs, 16, False),
    'pools': (Pools, 17, False),
    'arithmetic': (Arithmetic, 12, False),
    'batchnorm': (BatchNormKept, 10, True),
    'groups': (Groups, 15, False),
    'resizes': (Resizes, 11, False),
    'resnet18': (torchvision_net('resnet18'), 96, False),
    'mobilenet_v2': (torchvision_net('mobilenet_v2'), 96, False),
    'squeezenet1_1': (torchvision_net('squeezenet1_1'), 96, False),
    'googlenet': (torchvision_net('googlenet'), 96, False),
    # Channel split (Slice along channels) and channel shuffle (Reshape 5-D, Transpose, Reshape).
    'shufflenet_v2_x0_5': (torchvision_net('shufflenet_v2_x0_5'), 96, False),
    # Receptive-field fixtures: the feature extractors only (the classifiers' weights are most of
    # the 230-530 MB and do not change the fields).
    'alexnet_features': (lambda: torchvision.models.alexnet(weights=None).features, 224, False),
    'vgg16_features': (lambda: torchvision.models.vgg16(weights=None).features, 224, False),
    'resnet18_224': (torchvision_net('resnet18'), 224, False),
    # LayerNorm decomposed (ReduceMean, Sub, Pow, Sqrt, Div...) at opset 13, LayerNormalization at 17.
    'convnext': (small_convnext, 64, False),
    'convnext_opset17': (small_convnext, 64, False, 17),
    'densenet': (small_densenet, 64, False),
    'inception_input': (InceptionInput, 12, False),
}


def leaf_modules(model):
    return [(n, m) for n, m in model.named_modules() if n and not list(m.children())]


def folded_convs(model, x):
    """Convolutions whose ONNX node also holds the BatchNorm after them (eval export): those whose
    output tensor is a BatchNorm's input (DenseNet's conv2 is followed in module order by the next
    layer's norm1, which normalises the concatenation instead)."""
    outputs, folded, handles, alive = {}, [], [], []

    def conv_hook(name):
        def fn(module, inputs, output):
            outputs[id(output)] = name
            alive.append(output)  # ids stay unique while the pass runs

        return fn

    def bn_hook(module, inputs):
        name = outputs.get(id(inputs[0]))
        if name and name not in folded:
            folded.append(name)

    for name, m in leaf_modules(model):
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook(name)))
        if isinstance(m, nn.BatchNorm2d):
            handles.append(m.register_forward_pre_hook(bn_hook))
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return folded


def expected_params(model, folded):
    """Per leaf module: what its ONNX node reads from the file. PyTorch's eval export folds a
    BatchNorm into the convolution before it: that convolution then holds a bias."""
    expected = {}
    for name, m in leaf_modules(model):
        count = sum(p.numel() for p in m.parameters(recurse=False))
        if isinstance(m, nn.Conv2d) and m.bias is None and name in folded:
            count += m.out_channels
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            count += m.running_mean.numel() + m.running_var.numel()
        expected[name] = count
    return expected


def record(model, x, out_dir):
    entries, blobs, offset = {}, [], [0]
    calls = {}

    def add(key, tensor):
        data = tensor.detach().contiguous().float().numpy().tobytes()
        entry = {'offset': offset[0], 'shape': list(tensor.shape)}
        blobs.append(data)
        offset[0] += len(data)
        return entry

    def pre_hook(name):
        # Before the call: in-place modules (torchvision's ReLU(inplace=True)) overwrite their input.
        def fn(module, inputs):
            k = calls.get(name, 0)
            key = name if k == 0 else f'{name}_{k}'
            first = inputs[0] if inputs and isinstance(inputs[0], torch.Tensor) else None
            entries[key] = {'type': type(module).__name__, 'input': None if first is None else add(key, first)}

        return fn

    def hook(name):
        def fn(module, inputs, output):
            k = calls.get(name, 0)
            calls[name] = k + 1
            key = name if k == 0 else f'{name}_{k}'
            entries[key]['output'] = add(key, output)

        return fn

    handles = []
    for n, m in leaf_modules(model):
        handles.append(m.register_forward_pre_hook(pre_hook(n)))
        handles.append(m.register_forward_hook(hook(n)))
    with torch.no_grad():
        y = model(x)
    for h in handles:
        h.remove()
    final = add('output', y)
    with open(os.path.join(out_dir, 'oracle.bin'), 'wb') as f:
        for b in blobs:
            f.write(b)
    return entries, final


def export(name, out_root):
    make, size, keep_bn, *opset = NETS[name]
    export_net(name, make, size, keep_bn, os.path.join(out_root, name), opset[0] if opset else OPSET)


def export_net(name, make, size, keep_bn, out_dir, opset):
    """Exports one net (random weights from seed 13) at `opset` with PyTorch's activations."""
    torch.manual_seed(13)
    model = make()
    randomize_batchnorm(model)
    model.eval()
    x = torch.randn(1, 3, size, size)
    os.makedirs(out_dir, exist_ok=True)
    options = {'opset_version': opset, 'input_names': ['input'], 'output_names': ['output']}
    if keep_bn:
        # A free batch size keeps view()'s Shape/Gather/Unsqueeze/Concat chain in the graph.
        options.update(
            training=torch.onnx.TrainingMode.PRESERVE,
            do_constant_folding=False,
            dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}},
        )
    torch.onnx.export(model, x, os.path.join(out_dir, 'model.onnx'), **options)
    with open(os.path.join(out_dir, 'input.bin'), 'wb') as f:
        f.write(x.numpy().tobytes())
    entries, final = record(model, x, out_dir)
    folded = [] if keep_bn else folded_convs(model, x)
    oracle = {
        'name': name,
        'opset': opset,
        'inputShape': list(x.shape),
        'modules': entries,
        'output': final,
        'expectedParams': expected_params(model, folded),
        'foldedConvs': folded,
        'moduleParams': sum(p.numel() for p in model.parameters()),
    }
    with open(os.path.join(out_dir, 'oracle.json'), 'w') as f:
        json.dump(oracle, f)


class TwoInputs(nn.Module):
    def forward(self, x, y):
        return x + y


class Upsampling(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.up = nn.Upsample(scale_factor=2, mode='bicubic')

    def forward(self, x):
        return self.up(self.conv(x))


class LoneErf(nn.Module):
    """Erf outside GELU's pattern (GELU itself is imported)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return torch.erf(self.conv(x))


class HeightSlice(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return self.conv(x)[:, :, 1:4]


class ChannelStepSlice(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return self.conv(x)[:, ::2]


class ImageLayerNorm(nn.Module):
    """LayerNorm over channels, height and width together (ConvNeXt's is over the channels)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.norm = nn.LayerNorm([4, 6, 6])

    def forward(self, x):
        return self.norm(self.conv(x))


def export_bad(out_root):
    """Files the import must refuse with one clear line: an unsupported op (Erf alone), an
    unsupported mode (bicubic Resize), an unsupported attribute (a grouped transposed
    convolution), slices other than a range of channels (along the height, every second
    channel), two inputs, a non-image input."""
    out_dir = os.path.join(out_root, 'bad')
    os.makedirs(out_dir, exist_ok=True)
    image = torch.zeros(1, 3, 8, 8)
    cases = {
        'resize.onnx': (Upsampling(), (image,)),
        'erf.onnx': (LoneErf(), (image,)),
        'grouped_deconv.onnx': (nn.ConvTranspose2d(3, 6, 3, groups=3), (image,)),
        'slice_height.onnx': (HeightSlice(), (image,)),
        'slice_step.onnx': (ChannelStepSlice(), (image,)),
        'two_inputs.onnx': (TwoInputs(), (image, image)),
        'vector_input.onnx': (nn.Linear(10, 2), (torch.zeros(1, 10),)),
    }
    for file, (model, args) in cases.items():
        torch.onnx.export(model.eval(), args, os.path.join(out_dir, file), opset_version=OPSET)
    # LayerNorm over [C, H, W]: a LayerNormalization node of axis -3 at opset 17, ReduceMean over
    # three axes at opset 13 (ConvNeXt's LayerNorm over the channels is imported).
    for opset in (13, 17):
        torch.onnx.export(ImageLayerNorm().eval(), (image,),
                          os.path.join(out_dir, f'layernorm_chw_opset{opset}.onnx'), opset_version=opset)
    with open(os.path.join(out_dir, 'oracle.json'), 'w') as f:
        json.dump({'name': 'bad'}, f)


def main():
    out_root = sys.argv[1]
    names = sys.argv[2:] or [*NETS, 'bad']
    torch.set_num_threads(1)
    for name in names:
        if name == 'bad':
            export_bad(out_root)
        else:
            export(name, out_root)
        print(f'exported {name}', flush=True)


if __name__ == '__main__':
    main()
