#!/usr/bin/env python3
"""Builds the workbench's default image encoder: resources/models/colour-texture-v1.onnx
and the JSON that describes it (input size, mean, std, resize mode).

What it is: a fixed, deterministic ONNX graph of colour and texture statistics, not a
learned model. It has no weights to download, so the workbench can train the built-in
Chain-of-Region policy out of the box; location is somewhat learnable from these
features (sky and vegetation colour, light, texture of built-up areas), nowhere near a
real geolocation encoder. For real use export CLIP, GeoCLIP or DINOv2 vision towers to
ONNX (see README, "Image encoders") and put their .onnx + .json beside this one.

Input: pixel_values, float32 [N, 3, 64, 64], RGB scaled to [0, 1] (mean 0, std 1).
Output: embedding, float32 [N, 128]:
  0-47    mean of each channel over a 4 x 4 grid of cells  (3 x 16)
  48-95   standard deviation of each channel over the same cells
  96-119  colour histograms: 8 soft (triangular) bins per channel over the whole image
  120-127 gradient energy: mean |dx| and |dy| of the grey image over a 2 x 2 grid

Rebuild: /usr/bin/python3 scripts/build-default-encoder.py  (needs torch only; the
export does not need the onnx package). Deterministic: the same torch gives the same file.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

SIZE = 64
GRID = 4
BINS = 8
NAME = "colour-texture-v1"


class ColourTexture(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        centres = (torch.arange(BINS, dtype=torch.float32) + 0.5) / BINS
        self.register_buffer("centres", centres.view(1, 1, BINS, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        cell = SIZE // GRID
        mean = F.avg_pool2d(x, cell)  # [N, 3, 4, 4]
        sq = F.avg_pool2d(x * x, cell)
        std = torch.sqrt(torch.clamp(sq - mean * mean, min=0.0) + 1e-6)
        flat = x.reshape(n, 3, 1, SIZE * SIZE)  # [N, 3, 1, P]
        # Triangular kernels one bin wide either side: each pixel splits between two bins.
        weights = torch.relu(1.0 - torch.abs(flat - self.centres) * BINS)  # [N, 3, BINS, P]
        hist = weights.mean(dim=3)  # [N, 3, BINS]
        grey = x.mean(dim=1, keepdim=True)  # [N, 1, S, S]
        dx = torch.abs(grey[:, :, :, 1:] - grey[:, :, :, :-1])
        dy = torch.abs(grey[:, :, 1:, :] - grey[:, :, :-1, :])
        dx = F.pad(dx, (0, 1, 0, 0))
        dy = F.pad(dy, (0, 0, 0, 1))
        half = SIZE // 2
        gx = F.avg_pool2d(dx, half).reshape(n, 4)
        gy = F.avg_pool2d(dy, half).reshape(n, 4)
        return torch.cat(
            [mean.reshape(n, 48), std.reshape(n, 48), hist.reshape(n, 3 * BINS), gx, gy], dim=1
        )


def main() -> int:
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "resources", "models")
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, f"{NAME}.onnx")
    model = ColourTexture().eval()
    dummy = torch.zeros(1, 3, SIZE, SIZE)
    torch.onnx.export(
        model,
        dummy,
        onnx_path,
        input_names=["pixel_values"],
        output_names=["embedding"],
        dynamic_axes={"pixel_values": {0: "batch"}, "embedding": {0: "batch"}},
        opset_version=13,
        do_constant_folding=True,
    )
    meta = {
        "name": NAME,
        "description": "Colour and texture statistics (grid means/stds, soft colour histograms, gradient energy) "
        "as a fixed ONNX graph; deterministic, no learned weights. A stand-in for CLIP-style encoders.",
        "model": f"{NAME}.onnx",
        "input": "pixel_values",
        "output": "embedding",
        "inputSize": [SIZE, SIZE],
        "scale": 1 / 255,
        "mean": [0.0, 0.0, 0.0],
        "std": [1.0, 1.0, 1.0],
        "resize": "squash",
        "dims": 128,
        "rebuild": "/usr/bin/python3 scripts/build-default-encoder.py",
    }
    with open(os.path.join(out_dir, f"{NAME}.json"), "w", encoding="utf8") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
