"""PyTorch oracle for the Why tab's projections on an ONNX-imported test fixture.

Rebuilds the fixture's network as scripts/onnx/export_fixtures.py made it (seed 13, eval mode),
reads its input.bin and carries one unit back to the input with autograd, independently of the
extension's code:
- saliency: d unit / d input;
- guided backpropagation: at every ReLU, (z > 0)(R > 0) R;
- deconvnet: at every ReLU, max(R, 0) whatever z was, starting from the unit's value.
At a GELU, guided backpropagation keeps (R > 0) f'(z) R and the deconvnet passes R unchanged (it
rectifies ReLUs only); every other layer passes the gradient.
The nets it is used on: `groups` (grouped convolutions, whose gradient is a grouped transposed
convolution; a dilated depthwise convolution; average pooling that excludes its pads, PyTorch's own
divisor; edge (replication) padding, whose gradient folds the border back onto the edge; a
ceil_mode pooling) and `shufflenet_v2_x0_5` (the chunk (channel split), the channel shuffle (view,
transpose, view), the concatenations, depthwise convolutions and BatchNorm) and `convnext`
(LayerNorms, whose gradient depends on the input's statistics; the channels-last Linear layers,
GELU, the layer scale, the residual additions).
Each projection is also given at the output of every module named after the unit
(`<method>At<Module>`, e.g. `saliencyAtMaxpool`): ShuffleNet's import pads its max pooling with
zeros (its input is a ReLU's, >= 0), so where a window holds only zeros the deconvnet's switch can
differ from PyTorch's (which never picks a pad) at the input, and only there.
Usage: python3 fixture_projections.py NET FIXTURE_DIR MODULE CHANNEL Y X [ALSO_AT_MODULE...]
-> JSON on stdout, channels last.
"""
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("export_fixtures", ROOT / "scripts" / "onnx" / "export_fixtures.py")
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)

net, folder, module_name = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
channel, y, x = (int(v) for v in sys.argv[4:7])
also_at = sys.argv[7:]
torch.set_num_threads(1)
make, size, _ = fixtures.NETS[net]
torch.manual_seed(13)
model = make()
fixtures.randomize_batchnorm(model)
model.eval()
image = torch.tensor(np.fromfile(folder / "input.bin", dtype="<f4").reshape(1, 3, size, size))
kept = {}
model.get_submodule(module_name).register_forward_hook(lambda m, i, o: kept.__setitem__("unit", o))
for name in also_at:
    model.get_submodule(name).register_forward_hook(lambda m, i, o, name=name: kept.__setitem__(name, o))
rule = {"method": None}


def relu_rule(module, grad_input, grad_output):
    if rule["method"] == "guided":
        return (grad_input[0].clamp(min=0),)  # grad_input is (z > 0) R: keep R > 0
    if rule["method"] == "deconvnet":
        return (grad_output[0].clamp(min=0),)
    return None


def gelu_rule(module, grad_input, grad_output):
    if rule["method"] == "guided":
        return (grad_input[0] * (grad_output[0] > 0),)
    if rule["method"] == "deconvnet":
        return (grad_output[0],)
    return None


for m in model.modules():
    if isinstance(m, nn.ReLU):
        m.inplace = False  # backward hooks need the ReLU's own output
        m.register_full_backward_hook(relu_rule)
    if isinstance(m, nn.GELU):
        m.register_full_backward_hook(gelu_rule)


def project(method):
    """The projection at the input, then at each `also_at` module, and the unit's value."""
    rule["method"] = method
    inp = image.clone().requires_grad_(True)
    model(inp)
    unit = kept["unit"][0, channel, y, x]
    start = unit.detach() if method == "deconvnet" else torch.tensor(1.0)
    grads = torch.autograd.grad(unit, [inp, *(kept[name] for name in also_at)], grad_outputs=start)
    channels_last = [g[0].permute(1, 2, 0).reshape(-1).tolist() for g in grads]
    return channels_last, unit.item()


out = {}
for method in ["saliency", "guided", "deconvnet"]:
    (out[method], *at), out["value"] = project(method)
    for name, values in zip(also_at, at):
        out[f"{method}At{name[0].upper()}{name[1:]}"] = values
print(json.dumps(out))
