"""Exports a torchvision classifier to ONNX (if missing) and times its forward pass in PyTorch.

/usr/bin/python3 scripts/onnx/time_pytorch.py OUT_DIR NAME [PASSES]
Random weights from a fixed seed (no download). Prints one JSON line: the .onnx path, PyTorch's
first and median forward pass at 224x224 on all cores, and the threads used.
"""
import json
import os
import sys
import time

import torch
import torchvision


def main():
    out_dir, name = sys.argv[1], sys.argv[2]
    passes = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    torch.manual_seed(13)
    model = getattr(torchvision.models, name)(weights=None).eval()
    x = torch.randn(1, 3, 224, 224)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f'{name}.onnx')
    if not os.path.exists(path):
        torch.onnx.export(model, x, path, opset_version=13, input_names=['input'])
    torch.set_num_threads(os.cpu_count() or 1)
    times = []
    with torch.no_grad():
        for _ in range(passes + 1):
            started = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - started) * 1000)
    rest = sorted(times[1:])
    print(json.dumps({
        'onnx': path,
        'firstMs': times[0],
        'medianMs': rest[len(rest) // 2],
        'threads': torch.get_num_threads(),
    }))


if __name__ == '__main__':
    main()
