"""PyTorch oracle for the class explanations through merges (Add, Concatenate).

Reads JSON on stdin: the TensorFlow.js weights of test/unit/classExplanationsMerges.unit.test.ts's
small residual network (kernels [kh, kw, in, out], dense [in, out]), an input [h][w][c] and a class.
Rebuilds the network in PyTorch (NCHW; the flatten keeps TF.js's channels-last order) and computes
with autograd, independently of the extension's code: the class score before softmax, Grad-CAM at
the Add, inside a branch and at the Concatenate, guided backpropagation of the class (ReLUs pass
(z > 0)(R > 0) R), integrated gradients (zeros baseline, midpoint steps) and the plain gradient of
one unit of the Concatenate. Prints JSON: maps channels last, like TF.js.
"""
import json
import sys

import torch
import torch.nn.functional as F

request = json.load(sys.stdin)
W = {name: torch.tensor(v["data"], dtype=torch.float32).reshape(v["shape"]) for name, v in request["weights"].items()}
GUIDED = False


class GuidedRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return z.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad * (z > 0) * (grad > 0)


def relu(z):
    return GuidedRelu.apply(z) if GUIDED else F.relu(z)


def conv(x, name, padding):
    kernel = W[f"{name}/kernel"].permute(3, 2, 0, 1)  # [kh, kw, in, out] -> [out, in, kh, kw]
    return F.conv2d(x, kernel, W[f"{name}/bias"], padding=padding)


def forward(x, keep):
    """x: [n, 3, 8, 8] -> logits; `keep` collects the named outputs."""
    a = relu(conv(x, "a", 1))
    b = conv(a, "b", 1)
    s = a + b  # Add 'sum'
    r = relu(s)
    c = relu(conv(r, "c", 0))
    d = conv(r, "d", 1)
    cat = torch.cat([c, d], dim=1)  # Concatenate 'cat' (channels)
    keep.update(a=a, b=b, sum=s, relu=r, c=c, d=d, cat=cat)
    pooled = F.max_pool2d(cat, 2)
    flat = pooled.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # channels last, as TF.js
    return flat @ W["out/kernel"] + W["out/bias"]


def grad_cam(x, cls, layer):
    keep = {}
    score = forward(x.clone().requires_grad_(True), keep)[0, cls]
    act = keep[layer]
    (grad,) = torch.autograd.grad(score, act)
    alpha = grad.mean(dim=(2, 3), keepdim=True)
    return F.relu((alpha * act).sum(dim=1))[0]


x = torch.tensor(request["input"], dtype=torch.float32).permute(2, 0, 1)[None]
cls = request["class"]
keep = {}
score = forward(x, keep)[0, cls].item()

gradcam = {layer: grad_cam(x, cls, layer).tolist() for layer in ["sum", "b", "cat", "a"]}

GUIDED = True
xg = x.clone().requires_grad_(True)
(guided,) = torch.autograd.grad(forward(xg, {})[0, cls], xg)
GUIDED = False

steps = request["igSteps"]
alphas = (torch.arange(steps, dtype=torch.float32) + 0.5) / steps
path = (alphas[:, None, None, None] * x).requires_grad_(True)
(grad,) = torch.autograd.grad(forward(path, {})[:, cls].sum(), path)
ig = x[0] * grad.mean(dim=0)

unit = request["unit"]  # [channel, y, x] of 'cat'
xu = x.clone().requires_grad_(True)
keep = {}
forward(xu, keep)
(saliency,) = torch.autograd.grad(keep["cat"][0, unit[0], unit[1], unit[2]], xu)

print(
    json.dumps(
        {
            "score": score,
            "gradcam": gradcam,
            "guided": guided[0].permute(1, 2, 0).reshape(-1).tolist(),
            "integratedGradients": ig.permute(1, 2, 0).reshape(-1).tolist(),
            "saliency": saliency[0].permute(1, 2, 0).reshape(-1).tolist(),
        }
    )
)
