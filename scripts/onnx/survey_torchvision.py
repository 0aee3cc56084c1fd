"""Exports every family of torchvision 0.14's convolutional classifiers at opsets 13 and 17 with
PyTorch's per-module activations (the survey of the ONNX import; scripts/onnxSurvey.ts imports
each and compares every layer).

Run with Debian's PyTorch:
  /usr/bin/python3 scripts/onnx/survey_torchvision.py OUT_DIR [--heavy] [--opsets=11,13,17] [NAME...]
Random weights from a fixed seed, no download. OUT_DIR/<name>-opset<N>/ is laid out like the test
fixtures (export_fixtures.py); OUT_DIR/survey.json lists what exported and why an export failed.
`--heavy` adds the families whose files are 230-530 MB (AlexNet, VGG, Wide ResNet).
"""
import json
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_fixtures import export_net  # noqa: E402

OPSETS = (13, 17)
SIZE = 96  # the smallest input every family takes (Inception v3 needs 75)

# One or two members per family: what differs between members is widths and depths, not ops.
LIGHT = [
    'resnet18',
    'resnet50',
    'resnext50_32x4d',
    'squeezenet1_0',
    'squeezenet1_1',
    'densenet121',
    'googlenet',
    'inception_v3',
    'mobilenet_v2',
    'mobilenet_v3_small',
    'mobilenet_v3_large',
    'mnasnet0_5',
    'shufflenet_v2_x0_5',
    'efficientnet_b0',
    'efficientnet_v2_s',
    'regnet_x_400mf',
    'regnet_y_400mf',
    'convnext_tiny',
]
HEAVY = ['alexnet', 'vgg11_bn', 'wide_resnet50_2']


def constructor(name):
    def make():
        kwargs = {'weights': None}
        if name == 'googlenet':
            kwargs.update(aux_logits=False, init_weights=True)
        if name == 'inception_v3':
            # transform_input (on with ImageNet weights) adds its Slice/Mul/Add/Concat of the input.
            kwargs.update(aux_logits=False, init_weights=True, transform_input=True)
        return getattr(torchvision.models, name)(**kwargs)

    return make


def main():
    args = sys.argv[1:]
    out_root = args.pop(0)
    heavy = '--heavy' in args
    opsets = next((tuple(int(o) for o in a.split('=')[1].split(',')) for a in args
                   if a.startswith('--opsets=')), OPSETS)
    names = [a for a in args if not a.startswith('--')] or LIGHT + (HEAVY if heavy else [])
    torch.set_num_threads(1)
    os.makedirs(out_root, exist_ok=True)
    index_file = os.path.join(out_root, 'survey.json')
    index = json.load(open(index_file)) if os.path.exists(index_file) else {}
    for name in names:
        size = 224 if name in HEAVY else SIZE
        for opset in opsets:
            key = f'{name}-opset{opset}'
            try:
                export_net(key, constructor(name), size, False, os.path.join(out_root, key), opset)
                index[key] = {'family': name, 'opset': opset, 'exported': True}
            except Exception as error:  # the survey records why an export fails
                index[key] = {'family': name, 'opset': opset, 'exported': False,
                              'error': f'{type(error).__name__}: {error}'.splitlines()[0][:300]}
            print(key, 'exported' if index[key]['exported'] else index[key]['error'], flush=True)
            with open(index_file, 'w') as f:
                json.dump(index, f, indent=1)


if __name__ == '__main__':
    main()
