"""PyTorch's side of the native-engine benchmark (scripts/benchmarkNative.ts): the same work as one
CNN Inspector pass on VGG-16 at 224x224, on the same cores.

Run with Debian's PyTorch: /usr/bin/python3 scripts/benchmark_pytorch.py IMAGE THREADS PASSES
A pass decodes and resizes the image with Pillow (bilinear, as the extension), runs torchvision's
VGG-16 (random weights: nothing is downloaded) and reads every layer's output back into NumPy
(forward hooks on every leaf module: 13 convolutions, 13 ReLUs, 5 poolings, the classifier).
Prints one JSON line: first pass and median pass in milliseconds.
"""
import json
import resource
import statistics
import sys
import time

import numpy as np
import torch
import torchvision
from PIL import Image


def main():
    image_path, threads, passes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    started = time.perf_counter()
    model = torchvision.models.vgg16().eval()
    load_ms = (time.perf_counter() - started) * 1000
    outputs = []

    def keep(_module, _inputs, output):
        outputs.append(output.detach().numpy().copy())

    for module in model.modules():
        if len(list(module.children())) == 0:
            module.register_forward_hook(keep)
    mean = np.array([103.939, 116.779, 123.68], dtype=np.float32)

    def one_pass():
        outputs.clear()
        picture = Image.open(image_path).convert("RGB").resize((224, 224), Image.BILINEAR)
        pixels = np.asarray(picture, dtype=np.float32)[:, :, ::-1] - mean  # caffe-style BGR
        batch = torch.from_numpy(np.ascontiguousarray(pixels.transpose(2, 0, 1)))[None]
        with torch.no_grad():
            model(batch)
        return len(outputs)

    times = []
    for _ in range(passes + 1):
        started = time.perf_counter()
        layers = one_pass()
        times.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "engine": f"pytorch-{threads}t",
                "torch": torch.__version__,
                "loadMs": load_ms,
                "firstPassMs": times[0],
                "medianPassMs": statistics.median(times[1:]) if passes else times[0],
                "passes": passes,
                "layers": layers,
                # Linux reports kilobytes: the process's peak resident memory.
                "peakRssMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
