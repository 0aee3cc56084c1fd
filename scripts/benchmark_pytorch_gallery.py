"""PyTorch's side of the native folder-gallery benchmark (scripts/benchmarkNativeGallery.ts): the
same work as a CNN Inspector folder gallery of VGG-16's pool5, on the same cores.

Run with Debian's PyTorch: /usr/bin/python3 scripts/benchmark_pytorch_gallery.py FOLDER THREADS TOPK
For each image of the folder (sorted): decode and resize with Pillow (bilinear, as the extension),
caffe-style preprocessing, torchvision's VGG-16 features up to pool5 (random weights: nothing is
downloaded), then per unit the strongest position and a running top-k over the images.
Prints one JSON line: model load, total time and the steady rate (images after the first).
"""
import heapq
import json
import os
import sys
import time

import numpy as np
import torch
import torchvision
from PIL import Image


def main():
    folder, threads, top_k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    started = time.perf_counter()
    features = torchvision.models.vgg16().features.eval()  # up to and including pool5
    load_ms = (time.perf_counter() - started) * 1000
    mean = np.array([103.939, 116.779, 123.68], dtype=np.float32)
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith((".png", ".jpg", ".jpeg")))
    galleries = [[] for _ in range(512)]  # per unit: a min-heap of (value, file, y, x)
    stamps = []
    for name in files:
        picture = Image.open(os.path.join(folder, name)).convert("RGB").resize((224, 224), Image.BILINEAR)
        pixels = np.asarray(picture, dtype=np.float32)[:, :, ::-1] - mean
        batch = torch.from_numpy(np.ascontiguousarray(pixels.transpose(2, 0, 1)))[None]
        with torch.no_grad():
            maps = features(batch)[0].numpy()  # [512, 7, 7]
        flat = maps.reshape(maps.shape[0], -1)
        best = flat.argmax(axis=1)
        for unit, position in enumerate(best):
            entry = (float(flat[unit, position]), name, *divmod(int(position), maps.shape[2]))
            if len(galleries[unit]) < top_k:
                heapq.heappush(galleries[unit], entry)
            else:
                heapq.heappushpop(galleries[unit], entry)
        stamps.append(time.perf_counter())
    total_ms = (stamps[-1] - started) * 1000
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0
    print(
        json.dumps(
            {
                "engine": f"pytorch-{threads}t",
                "images": len(files),
                "loadMs": load_ms,
                "totalMs": total_ms,
                "rate": len(files) / (total_ms / 1000),
                "steadyRate": steady,
            }
        )
    )


if __name__ == "__main__":
    main()
