"""Prints, as one JSON line, what the Train view needs to know of an interpreter.

The workbench runs this with the interpreter chosen for built-in jobs: its Python
version, its torch, and whether torch sees CUDA devices (with their names). It never
fails: a missing or broken torch is reported in "error".
"""
import json
import sys


def main() -> None:
    out = {"version": sys.version.split()[0], "torch": None, "cuda": False, "devices": []}
    try:
        import torch

        out["torch"] = torch.__version__
        out["cuda"] = bool(torch.cuda.is_available())
        if out["cuda"]:
            out["devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except Exception as e:  # any failure to import torch is what the user needs to see
        out["error"] = "torch: " + str(e)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
