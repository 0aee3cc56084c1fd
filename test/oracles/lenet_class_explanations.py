"""PyTorch oracle for the class explanations of examples/lenet.ts (the unit tests compare to it).

Rebuilds LeNet-5 from the TensorFlow.js weights in examples/lenet/ (channels last kept through the
flatten, as in TF.js), then computes with autograd, independently of the extension's code:
the class score before softmax, Grad-CAM at conv2 and conv1, occlusion sensitivity (window 7,
stride 2, fill 0 or fill=F) and integrated gradients (64 midpoint steps or steps=N, zeros baseline
or baseline=blur).
Usage: python3 lenet_class_explanations.py IMAGE CLASS [fill=F] [baseline=blur] [steps=N] -> JSON.
"""
import json
import math
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def load_weights():
    folder = ROOT / "examples" / "lenet"
    manifest = json.loads((folder / "model.json").read_text())["weightsManifest"][0]
    raw = np.fromfile(folder / manifest["paths"][0], dtype="<f4")
    weights, offset = {}, 0
    for w in manifest["weights"]:
        size = int(np.prod(w["shape"]))
        weights[w["name"]] = torch.tensor(raw[offset : offset + size].reshape(w["shape"]))
        offset += size
    return weights


W = load_weights()


def conv(x, name, padding):
    kernel = W[f"{name}/kernel"].permute(3, 2, 0, 1)  # [kh, kw, in, out] -> [out, in, kh, kw]
    return F.relu(F.conv2d(x, kernel, W[f"{name}/bias"], padding=padding))


def forward(x, keep=None):
    """x: [n, 1, 28, 28]. Returns the logits; `keep` collects conv outputs by name."""
    a1 = conv(x, "conv1", 2)
    a2 = conv(F.max_pool2d(a1, 2), "conv2", 0)
    if keep is not None:
        keep["conv1"], keep["conv2"] = a1, a2
    flat = F.max_pool2d(a2, 2).permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # channels last
    h = F.relu(flat @ W["fc1/kernel"] + W["fc1/bias"])
    h = F.relu(h @ W["fc2/kernel"] + W["fc2/bias"])
    return h @ W["predictions/kernel"] + W["predictions/bias"]


def grad_cam(x, cls, layer):
    keep = {}
    score = forward(x.clone().requires_grad_(True), keep)[0, cls]
    a = keep[layer]
    (grad,) = torch.autograd.grad(score, a)
    alpha = grad.mean(dim=(2, 3), keepdim=True)
    return F.relu((alpha * a).sum(dim=1))[0]


def occlusion(x, cls, window=7, stride=2, fill=0.0):
    with torch.no_grad():
        score = forward(x)[0, cls]
        n = (28 - window) // stride + 1
        out = torch.zeros(n, n)
        for r in range(n):
            for c in range(n):
                y = x.clone()
                y[:, :, r * stride : r * stride + window, c * stride : c * stride + window] = fill
                out[r, c] = score - forward(y)[0, cls]
    return out


def blurred(x):
    """The blurred baseline: a normalised Gaussian of sigma = 1/8 of the shorter side, radius
    ceil(3 sigma), edges mirrored without repeating the edge pixel (numpy's 'reflect')."""
    sigma = max(1.0, min(x.shape[2], x.shape[3]) / 8)
    radius = max(1, math.ceil(3 * sigma))
    taps = torch.arange(-radius, radius + 1, dtype=torch.float64)
    kernel = torch.exp(-(taps**2) / (2 * sigma * sigma))
    kernel = (kernel / kernel.sum()).float()
    padded = F.pad(x, (radius, radius, radius, radius), mode="reflect")
    rows = F.conv2d(padded, kernel.view(1, 1, 1, -1))
    return F.conv2d(rows, kernel.view(1, 1, -1, 1))


def integrated_gradients(x, cls, steps=64, baseline="zeros"):
    base = torch.zeros_like(x) if baseline == "zeros" else blurred(x)
    alphas = (torch.arange(steps, dtype=torch.float32) + 0.5) / steps
    path = (base + alphas[:, None, None, None] * (x - base)).requires_grad_(True)
    (grad,) = torch.autograd.grad(forward(path)[:, cls].sum(), path)
    return (x - base)[0] * grad.mean(dim=0), float(forward(base)[0, cls])


def main():
    image, cls = sys.argv[1], int(sys.argv[2])
    options = dict(arg.split("=", 1) for arg in sys.argv[3:])  # fill=F baseline=blur steps=N
    pixels = np.asarray(Image.open(image).convert("L"), dtype=np.float32) / 255.0
    x = torch.tensor(pixels)[None, None]
    steps = int(options.get("steps", 64))
    ig, baseline_score = integrated_gradients(x, cls, steps, options.get("baseline", "zeros"))
    json.dump(
        {
            "score": float(forward(x)[0, cls]),
            "gradcam": {name: grad_cam(x, cls, name).tolist() for name in ("conv2", "conv1")},
            "occlusion": occlusion(x, cls, fill=float(options.get("fill", 0))).tolist(),
            "integratedGradients": ig[0].tolist(),  # [h][w]
            "baselineScore": baseline_score,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
