"""PyTorch oracle for the Why tab's projections on a net of scripts/onnx/export_op_fixtures.py.

Rebuilds the fixture's network as the export made it (seed 13, eval mode), reads its input.bin and
carries one unit back to the input with autograd, independently of the extension's code (max
pooling's gradient goes to the element that won each window: the deconvnet's switches).
- saliency: d unit / d input;
- guided backpropagation: at every ReLU, (z > 0)(R > 0) R;
- deconvnet: at every ReLU, max(R, 0) whatever z was, starting from the unit's value.
Usage: python3 op_projections.py NET FIXTURE_DIR MODULE CHANNEL Y X -> JSON on stdout, channels last.
"""
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "onnx"))
spec = importlib.util.spec_from_file_location("export_op_fixtures", ROOT / "scripts" / "onnx" / "export_op_fixtures.py")
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)

net, folder, module_name = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
channel, y, x = (int(v) for v in sys.argv[4:7])
torch.set_num_threads(1)
make, size, _ = fixtures.NETS[net]
torch.manual_seed(13)
model = make().eval()
image = torch.tensor(np.fromfile(folder / "input.bin", dtype="<f4").reshape(1, 3, size, size))
kept = {}
model.get_submodule(module_name).register_forward_hook(lambda m, i, o: kept.__setitem__("unit", o))
rule = {"method": None}


def relu_rule(module, grad_input, grad_output):
    if rule["method"] == "guided":
        return (grad_input[0].clamp(min=0),)  # grad_input is (z > 0) R: keep R > 0
    if rule["method"] == "deconvnet":
        return (grad_output[0].clamp(min=0),)
    return None


for m in model.modules():
    if isinstance(m, nn.ReLU):
        m.register_full_backward_hook(relu_rule)


def project(method):
    rule["method"] = method
    inp = image.clone().requires_grad_(True)
    model(inp)
    unit = kept["unit"][0, channel, y, x]
    start = unit.detach() if method == "deconvnet" else torch.tensor(1.0)
    (grad,) = torch.autograd.grad(unit, inp, grad_outputs=start)
    return grad[0].permute(1, 2, 0).reshape(-1).tolist(), unit.item()


out = {}
for method in ["saliency", "guided", "deconvnet"]:
    out[method], out["value"] = project(method)
print(json.dumps(out))
