"""PyTorch oracle for the class explanations of the ONNX-imported ResNet-18 test fixture.

Rebuilds the fixture's network as scripts/onnx/export_fixtures.py made it (torchvision ResNet-18,
seed 13, randomised BatchNorm statistics, eval mode) and reads its input.bin, then computes with
autograd, independently of the extension's code: Grad-CAM of the class at layer3's output (the
gradient comes back through layer4's two residual blocks and the downsampling shortcut) and at
layer4.0's first convolution (inside a branch; the ONNX export folds bn1 into it, so the hook is on
bn1's output), and integrated gradients (zeros baseline, midpoint steps).
Usage: python3 resnet18_class_explanations.py FIXTURE_DIR CLASS STEPS -> JSON on stdout, channels last.
"""
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("export_fixtures", ROOT / "scripts" / "onnx" / "export_fixtures.py")
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)

folder, cls, steps = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(1)
make, size, _ = fixtures.NETS["resnet18"]
torch.manual_seed(13)
model = make()
fixtures.randomize_batchnorm(model)
model.eval()
for module in model.modules():
    if isinstance(module, torch.nn.ReLU):
        module.inplace = False  # an in-place ReLU would rewrite the hooked bn1 output
x = torch.tensor(np.fromfile(folder / "input.bin", dtype="<f4").reshape(1, 3, size, size))

kept = {}
model.layer3.register_forward_hook(lambda m, i, o: kept.__setitem__("layer3.1.relu_1", o))
model.layer4[0].bn1.register_forward_hook(lambda m, i, o: kept.__setitem__("layer4.0.conv1", o))


def grad_cam(layer):
    score = model(x.clone().requires_grad_(True))[0, cls]
    act = kept[layer]
    (grad,) = torch.autograd.grad(score, act)
    alpha = grad.mean(dim=(2, 3), keepdim=True)
    return F.relu((alpha * act).sum(dim=1))[0].reshape(-1).tolist()


gradcam = {layer: grad_cam(layer) for layer in ["layer3.1.relu_1", "layer4.0.conv1"]}
alphas = (torch.arange(steps, dtype=torch.float32) + 0.5) / steps
path = (alphas[:, None, None, None] * x).requires_grad_(True)
(grad,) = torch.autograd.grad(model(path)[:, cls].sum(), path)
ig = (x[0] * grad.mean(dim=0)).permute(1, 2, 0).reshape(-1).tolist()
print(json.dumps({"score": model(x)[0, cls].item(), "gradcam": gradcam, "integratedGradients": ig}))
