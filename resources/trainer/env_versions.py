"""Prints the versions of the training stack installed in this Python environment as one
JSON object: python, torch, its CUDA build, the GPUs torch sees, and the trainer
libraries an external recipe may use (None where a package is not installed)."""
import importlib.metadata
import json
import platform

PACKAGES = {
    "transformers": "transformers",
    "trl": "trl",
    "ms-swift": "ms-swift",
    "llamafactory": "llamafactory",
    "peft": "peft",
    "deepspeed": "deepspeed",
    "vllm": "vllm",
    "numpy": "numpy",
}


def installed(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def main():
    out = {"python": platform.python_version(), "torch": None, "cuda": None, "devices": []}
    for name, dist in PACKAGES.items():
        out[name] = installed(dist)
    try:
        import torch

        out["torch"] = torch.__version__
        out["cuda"] = torch.version.cuda
        if torch.cuda.is_available():
            out["devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except ImportError:
        pass
    print("GEOREASON_VERSIONS " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
