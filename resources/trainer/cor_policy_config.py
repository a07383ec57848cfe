#!/usr/bin/env python3
"""The settings of the cor-policy trainer: names, defaults and help texts in one dataclass.

The workbench writes them into the job folder's config.json under these snake_case
names (its own schema uses the camelCase forms of the same names and the same defaults);
on the command line every setting is an option (`--sft-steps 10`) that overrides
config.json. `python3 cor_policy_config.py` prints the fields as JSON.
"""
import argparse
import dataclasses
import json
import sys
from dataclasses import dataclass, field
from typing import List, Optional


@dataclass
class CorPolicyConfig:
    """Hyperparameters of a cor-policy run (the GRPO ones carry TRL's GRPOConfig names)."""

    sft_steps: int = field(default=300, metadata={"help": "Supervised steps (cross-entropy on the current labels) before GRPO."})
    grpo_steps: int = field(default=200, metadata={"help": "GRPO steps after the supervised phase."})
    batch_size: int = field(default=64, metadata={"help": "Photos per supervised step."})
    grpo_batch_size: int = field(default=32, metadata={"help": "Photos per GRPO step (each gets num_generations sampled chains)."})
    hidden: int = field(default=256, metadata={"help": "Width of the policy's two trunk layers."})
    lr_sft: float = field(default=3e-3, metadata={"help": "AdamW learning rate of the supervised phase."})
    lr: float = field(default=3e-4, metadata={"help": "Adam learning rate of the GRPO phase."})
    weight_decay: float = field(default=1e-4, metadata={"help": "AdamW weight decay of the supervised phase."})
    num_generations: int = field(default=8, metadata={"help": "Chains sampled per photo in a GRPO step (the group G)."})
    temperature: float = field(default=1.0, metadata={"help": "Sampling temperature of the chains (also used by the post-training samples)."})
    epsilon: float = field(default=0.2, metadata={"help": "Clipping range of the probability ratio."})
    beta: float = field(default=0.04, metadata={"help": "Weight of the k3 KL estimate to the frozen SFT policy."})
    num_iterations: int = field(default=1, metadata={"help": "Policy updates per batch of sampled chains."})
    checkpoint_every: int = field(default=50, metadata={"help": "Save checkpoints/last.pt every this many steps."})
    eval_every: int = field(default=1, metadata={"help": "Measure held-out accuracy every this many steps."})
    eval_limit: int = field(default=2000, metadata={"help": "Held-out photos used by each accuracy measurement (the first ones)."})
    seed: int = field(default=0, metadata={"help": "Seed of the initial policy and of every step's sampling."})
    device: str = field(default="auto", metadata={"help": "Where to train; auto takes CUDA when torch sees a GPU.", "choices": ["auto", "cuda", "cpu"]})
    step_delay_s: float = field(default=0.0, metadata={"help": "Seconds to sleep after each step (makes a demo run watchable)."})
    hard_image_ids: Optional[List[int]] = field(
        default=None, metadata={"help": "Run GRPO on these image ids only (hard samples); every training photo when unset."}
    )


def _is_list(f):
    return f.name == "hard_image_ids"


def _value_type(f):
    return int if _is_list(f) else type(f.default)


def add_arguments(parser):
    """Adds one option per setting; an option left out keeps config.json's value."""
    group = parser.add_argument_group("settings", "each overrides the job folder's config.json")
    for f in dataclasses.fields(CorPolicyConfig):
        kwargs = {
            "dest": f.name,
            "type": _value_type(f),
            "default": None,
            "help": f"{f.metadata['help']} (default: {f.default})",
        }
        if _is_list(f):
            kwargs["nargs"] = "+"
            kwargs["metavar"] = "ID"
        if "choices" in f.metadata:
            kwargs["choices"] = f.metadata["choices"]
        group.add_argument("--" + f.name.replace("_", "-"), **kwargs)


def load(config_path, overrides=None):
    """The settings of config.json, then the options given; unset ones keep their defaults."""
    with open(config_path, encoding="utf8") as fh:
        stored = json.load(fh)
    if not isinstance(stored, dict):
        raise ValueError(f"{config_path}: expected a JSON object of settings")
    names = {f.name for f in dataclasses.fields(CorPolicyConfig)}
    unknown = sorted(set(stored) - names)
    if unknown:
        raise ValueError(f"{config_path}: unknown setting{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
    values = {k: v for k, v in stored.items() if v is not None}
    values.update({k: v for k, v in (overrides or {}).items() if k in names and v is not None})
    return CorPolicyConfig(**values)


def describe():
    """Every field: name, type, default and help text."""
    out = []
    for f in dataclasses.fields(CorPolicyConfig):
        out.append(
            {
                "name": f.name,
                "type": "list[int]" if _is_list(f) else _value_type(f).__name__,
                "default": f.default,
                "help": f.metadata["help"],
                **({"choices": f.metadata["choices"]} if "choices" in f.metadata else {}),
            }
        )
    return out


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    json.dump(describe(), sys.stdout, indent=2)
    sys.stdout.write("\n")
