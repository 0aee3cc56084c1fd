"""Exports one small hand-made net per ONNX op or attribute the import covers beyond the first
fixtures (Split with several outputs at opsets 11 and 13, dilated MaxPool...), with PyTorch's own
activations: the oracle of the op tests. Exported and recorded by export_fixtures.py's export_net.

Run with Debian's PyTorch: /usr/bin/python3 scripts/onnx/export_op_fixtures.py OUT_DIR [NAME...]
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_fixtures import export_net  # noqa: E402


class Splits(nn.Module):
    """torch.split with unequal sizes along the channels (three outputs, each to its own branch),
    and chunk of a 9-channel value into 5 + 4 channels feeding two convolutions that are added."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.branch_a = nn.Conv2d(2, 3, 3, padding=1)
        self.branch_b = nn.ReLU()
        self.branch_c = nn.Conv2d(2, 2, 1)
        self.head_u = nn.Conv2d(5, 4, 3, stride=2)
        self.head_v = nn.Conv2d(4, 4, 3, stride=2)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.conv(x)
        a, b, c = torch.split(x, [2, 4, 2], dim=1)
        y = torch.cat([self.branch_a(a), self.branch_b(b), self.branch_c(c)], dim=1)
        u, v = torch.chunk(y, 2, dim=1)
        return self.relu(self.head_u(u) + self.head_v(v))


class SplitHeight(nn.Module):
    """A split along the height, which the import refuses (only channels are split)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        top, bottom = torch.split(self.conv(x), [3, 5], dim=2)
        return torch.cat([bottom, top], dim=2)


class DilatedPools(nn.Module):
    """Dilated max pooling: on a signed input with pads (padding must never win), and after a
    ReLU with a stride and ceil_mode; a convolution after them."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.pool_signed = nn.MaxPool2d(3, stride=1, padding=1, dilation=2)
        self.relu = nn.ReLU()
        self.pool_strided = nn.MaxPool2d(2, stride=2, dilation=2, ceil_mode=True)
        self.conv2 = nn.Conv2d(4, 2, 3)

    def forward(self, x):
        x = self.relu(self.pool_signed(self.conv(x)))
        return self.conv2(self.pool_strided(x))


class Deconvs(nn.Module):
    """Transposed convolutions with channel groups (and output_padding), a dilated kernel, and
    both with a rectangular kernel, unequal strides and one filter per group (depthwise-like)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.grouped = nn.ConvTranspose2d(8, 6, 3, stride=2, padding=1, output_padding=1, groups=2)
        self.relu = nn.ReLU()
        self.dilated = nn.ConvTranspose2d(6, 4, 3, padding=2, dilation=2)
        self.both = nn.ConvTranspose2d(4, 4, (3, 2), stride=(2, 3), padding=(1, 0),
                                       output_padding=(1, 2), dilation=(2, 1), groups=4, bias=False)

    def forward(self, x):
        x = self.relu(self.grouped(self.conv(x)))
        return self.both(self.dilated(x))


class Cubics(nn.Module):
    """Bicubic resizing as PyTorch exports it (cubic, a = -0.75): x2 with align_corners False
    (pytorch_half_pixel) and True, and to a size that is not a multiple of the input."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.up = nn.Upsample(scale_factor=2, mode='bicubic', align_corners=False)
        self.conv2 = nn.Conv2d(4, 4, 3, stride=2)
        self.corners = nn.Upsample(scale_factor=2, mode='bicubic', align_corners=True)
        self.conv3 = nn.Conv2d(4, 2, 3)

    def forward(self, x):
        x = self.conv2(self.up(self.conv(x)))
        x = self.conv3(self.corners(x))
        return nn.functional.interpolate(x, size=(13, 9), mode='bicubic', align_corners=False)


NETS = {
    # name: (constructor, input size, opset)
    'split13': (Splits, 12, 13),
    'split11': (Splits, 12, 11),
    'split_height': (SplitHeight, 8, 13),
    'maxpool_dilated': (DilatedPools, 18, 13),
    'deconvs': (Deconvs, 9, 13),
    'cubic': (Cubics, 11, 13),
}


def export(name, out_root):
    """The net at its own opset, recorded as export_fixtures.py records its nets (none has a
    BatchNorm, so export_net's random statistics change nothing)."""
    make, size, opset = NETS[name]
    export_net(name, make, size, False, os.path.join(out_root, name), opset)


def main():
    out_root = sys.argv[1]
    torch.set_num_threads(1)
    for name in sys.argv[2:] or list(NETS):
        export(name, out_root)
        print(f'exported {name}', flush=True)


if __name__ == '__main__':
    main()
