"""PyTorch autograd's projections of one unit back to the input: the oracle shared by
op_projections.py and fixture_projections.py, which say which fixture script builds the nets.

Rebuilds the fixture's network as its export script made it (seed 13, eval mode), reads its
input.bin and carries one unit back to the input with autograd, independently of the extension's
code (max pooling's gradient goes to the element that won each window: the deconvnet's switches):
- saliency: d unit / d input;
- guided backpropagation: at every ReLU, (z > 0)(R > 0) R;
- deconvnet: at every ReLU, max(R, 0) whatever z was, starting from the unit's value.
At a GELU, guided backpropagation keeps (R > 0) f'(z) R and the deconvnet passes R unchanged (it
rectifies ReLUs only); every other layer passes the gradient.
Each projection is also given at the output of every module named after the unit
(`<method>At<Module>`, e.g. `saliencyAtMaxpool`).
Arguments: NET FIXTURE_DIR MODULE CHANNEL Y X [ALSO_AT_MODULE...] -> JSON on stdout, channels last.
"""
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parents[2]
METHODS = ["saliency", "guided", "deconvnet"]


def fixture_script(name):
    """scripts/onnx/<name>.py as a module (it imports its neighbours, so their folder is on the path)."""
    sys.path.insert(0, str(ROOT / "scripts" / "onnx"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "onnx" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Rules:
    """Backward hooks on every ReLU and GELU that apply the current method's rule."""

    def __init__(self, model):
        self.method = None
        for m in model.modules():
            if isinstance(m, nn.ReLU):
                m.inplace = False  # backward hooks need the ReLU's own output
                m.register_full_backward_hook(self.relu_rule)
            if isinstance(m, nn.GELU):
                m.register_full_backward_hook(self.gelu_rule)

    def relu_rule(self, module, grad_input, grad_output):
        if self.method == "guided":
            return (grad_input[0].clamp(min=0),)  # grad_input is (z > 0) R: keep R > 0
        if self.method == "deconvnet":
            return (grad_output[0].clamp(min=0),)
        return None

    def gelu_rule(self, module, grad_input, grad_output):
        if self.method == "guided":
            return (grad_input[0] * (grad_output[0] > 0),)
        if self.method == "deconvnet":
            return (grad_output[0],)
        return None


def project(model, rules, image, kept, unit_index, also_at, method):
    """The projection at the input, then at each `also_at` module, and the unit's value."""
    rules.method = method
    inp = image.clone().requires_grad_(True)
    model(inp)
    channel, y, x = unit_index
    unit = kept["unit"][0, channel, y, x]
    start = unit.detach() if method == "deconvnet" else torch.tensor(1.0)
    grads = torch.autograd.grad(unit, [inp, *(kept[name] for name in also_at)], grad_outputs=start)
    channels_last = [g[0].permute(1, 2, 0).reshape(-1).tolist() for g in grads]
    return channels_last, unit.item()


def main(nets, prepare=lambda model: None):
    """Prints the projections for the command line's unit; `prepare` finishes a fresh net as its
    export did (before eval mode)."""
    net, folder, module_name = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    unit_index = tuple(int(v) for v in sys.argv[4:7])
    also_at = sys.argv[7:]
    torch.set_num_threads(1)
    make, size = nets[net][:2]
    torch.manual_seed(13)
    model = make()
    prepare(model)
    model.eval()
    image = torch.tensor(np.fromfile(folder / "input.bin", dtype="<f4").reshape(1, 3, size, size))
    kept = {}
    model.get_submodule(module_name).register_forward_hook(lambda m, i, o: kept.__setitem__("unit", o))
    for name in also_at:
        model.get_submodule(name).register_forward_hook(lambda m, i, o, name=name: kept.__setitem__(name, o))
    rules = Rules(model)
    out = {}
    for method in METHODS:
        (out[method], *at), out["value"] = project(model, rules, image, kept, unit_index, also_at, method)
        for name, values in zip(also_at, at):
            out[f"{method}At{name[0].upper()}{name[1:]}"] = values
    print(json.dumps(out))
