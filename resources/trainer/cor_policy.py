#!/usr/bin/env python3
"""cor-policy: the workbench's built-in Chain-of-Region policy over frozen image embeddings.

A trunk (two layers) and three heads (country, region, city). A chain is scored as
country + region + city logit and the softmax runs over the hierarchy's valid chains
only (a city names its region and country), i.e. the heads' softmaxes are masked by the
hierarchy: every sampled chain is consistent, and sampling country → region → city from
the masked conditionals is the same distribution. The city gives the coordinate.

Phases: SFT (cross-entropy on the current CoR labels), then GRPO with a reward spec
scored by georeason_reward (the same JSON the workbench's TypeScript scorer reads):
G samples per image at a temperature, group-normalised advantages as TRL computes them,
a clipped objective (epsilon), a k3 KL estimate to the frozen SFT policy (beta).

Usage: python3 cor_policy.py --job-dir DIR [--SETTING VALUE ...]
DIR holds config.json, spec.json, inputs/data.json and inputs/embeddings.f32 (written by
the workbench's main process; the trainer never opens the project database). The
settings are those of cor_policy_config.py; an option given overrides config.json. A
DIR with checkpoints/last.pt resumes from it. It writes checkpoints/last.pt,
policy.onnx, policy.json and export_check.json, and speaks JSON lines on stdout:
progress, metric, log, artifact, done.
"""
import argparse
import dataclasses
import json
import math
import os
import signal
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cor_policy_config  # noqa: E402
import georeason_reward as gr  # noqa: E402

ACC_KM = (25, 200, 750, 2500)

def emit(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields, allow_nan=False, default=float) + "\n")
    sys.stdout.flush()


def log(message, level="info"):
    emit("log", level=level, message=message)


def metric(step, name, value):
    v = float(value)
    if math.isfinite(v):
        emit("metric", step=int(step), name=name, value=v)


class Stop(Exception):
    pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--job-dir", required=True, help="the job folder (inputs, config.json, spec.json; outputs)")
    cor_policy_config.add_arguments(ap)
    args = vars(ap.parse_args())
    job_dir = os.path.abspath(args.pop("job_dir"))
    stop = {"flag": False}

    def on_term(signum, frame):
        stop["flag"] = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        status = run(job_dir, stop, args)
    except Stop:
        emit("done", status="failed", message="cancelled; resume continues from the last checkpoint")
        return 3
    except Exception as err:  # report, then fail with a non-zero code
        traceback.print_exc(file=sys.stderr)
        emit("done", status="failed", message=f"{type(err).__name__}: {err}")
        return 1
    emit("done", status="ok", message=status)
    return 0


def load_inputs(job_dir, overrides):
    import numpy as np

    config = dataclasses.asdict(cor_policy_config.load(os.path.join(job_dir, "config.json"), overrides))
    with open(os.path.join(job_dir, "inputs", "data.json"), encoding="utf8") as f:
        data = json.load(f)
    n = len(data["image_ids"])
    dims = int(data["dims"])
    emb = np.fromfile(os.path.join(job_dir, "inputs", "embeddings.f32"), dtype="<f4")
    if emb.size != n * dims:
        raise ValueError(f"embeddings.f32 holds {emb.size} floats, expected {n} x {dims}")
    spec = gr.load_spec(os.path.join(job_dir, "spec.json"))
    return config, data, emb.reshape(n, dims), spec


def build_policy(torch, dims, hidden, data, feat_mean, feat_std):
    nn = torch.nn

    class Policy(nn.Module):
        def __init__(self):
            super().__init__()
            n_c, n_r, n_k = len(data["countries"]), len(data["regions"]), len(data["cities"])
            self.register_buffer("feat_mean", torch.as_tensor(feat_mean, dtype=torch.float32))
            self.register_buffer("feat_std", torch.as_tensor(feat_std, dtype=torch.float32))
            self.register_buffer("city_region", torch.as_tensor([c["region"] for c in data["cities"]], dtype=torch.long))
            region_country = [r["country"] for r in data["regions"]]
            self.register_buffer(
                "city_country", torch.as_tensor([region_country[c["region"]] for c in data["cities"]], dtype=torch.long)
            )
            self.trunk = nn.Sequential(nn.Linear(dims, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
            self.country = nn.Linear(hidden, n_c)
            self.region = nn.Linear(hidden, n_r)
            self.city = nn.Linear(hidden, n_k)

        def forward(self, x):
            h = self.trunk((x - self.feat_mean) / self.feat_std)
            # One logit per valid chain: the masked hierarchy, indexed by city.
            return (
                torch.index_select(self.country(h), 1, self.city_country)
                + torch.index_select(self.region(h), 1, self.city_region)
                + self.city(h)
            )

    return Policy()


def chain_text(data, k):
    city = data["cities"][k]
    region = data["regions"][city["region"]]
    country = data["countries"][region["country"]]
    return (
        f"Country: {country['name']} State: {region['name']} City: {city['name']} "
        f"Coordinates: ({city['lat']:.5f}, {city['lon']:.5f})"
    )


def seed_everything(torch, np, seed, device):
    """One seed for Python's, numpy's and torch's generators; deterministic kernels on CPU,
    so a run repeated from its record gives the same metrics on the same device."""
    import random

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # the same seed gives the same initial policy
    if device.type == "cpu":
        # warn_only: an op without a deterministic kernel warns in the log instead of stopping the run.
        try:
            torch.use_deterministic_algorithms(True, warn_only=True)
        except TypeError:  # torch < 1.11 has no warn_only
            torch.use_deterministic_algorithms(True)


def run(job_dir, stop, overrides):
    import numpy as np
    import torch

    config, data, emb, spec = load_inputs(job_dir, overrides)
    want = config["device"]
    device = torch.device("cuda" if (want in ("auto", "cuda") and torch.cuda.is_available()) else "cpu")
    if want == "cuda" and device.type != "cuda":
        log("CUDA was asked for but torch sees no GPU; running on CPU", "warn")
    torch.set_num_threads(max(1, int(os.environ.get("GEOREASON_THREADS", "0")) or torch.get_num_threads()))
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else "CPU"
    log(f"torch {torch.__version__} on {device.type} ({name}); {emb.shape[0]} photos x {emb.shape[1]} dims; "
        f"{len(data['countries'])} countries, {len(data['regions'])} regions, {len(data['cities'])} cities")
    emit("device", device=device.type, name=name, torch=torch.__version__)

    split = np.asarray(data["split"])
    train_idx = np.nonzero(split == "train")[0]
    val_idx = np.nonzero(split == "val")[0]
    if train_idx.size == 0:
        raise ValueError("no training photos (every labelled photo is held out)")
    city_of = torch.as_tensor(data["city"], dtype=torch.long)
    lat = np.asarray(data["lat"], dtype=np.float64)
    lon = np.asarray(data["lon"], dtype=np.float64)
    hard = config.get("hard_image_ids")
    grpo_idx = train_idx
    if hard:
        wanted = set(int(i) for i in hard)
        ids = np.asarray(data["image_ids"])
        grpo_idx = np.asarray([i for i in train_idx if int(ids[i]) in wanted], dtype=np.int64)
        log(f"GRPO on the hard subset: {grpo_idx.size} of {train_idx.size} training photos")
        if grpo_idx.size == 0:
            raise ValueError("none of the hard-sample image ids is a training photo of this dataset")

    feats = emb[train_idx]
    feat_mean = feats.mean(axis=0)
    feat_std = feats.std(axis=0) + 1e-4
    x_all = torch.as_tensor(emb, dtype=torch.float32, device=device)
    seed_everything(torch, np, int(config["seed"]), device)
    policy = build_policy(torch, emb.shape[1], int(config["hidden"]), data, feat_mean, feat_std).to(device)
    ref = None

    sft_steps, grpo_steps = int(config["sft_steps"]), int(config["grpo_steps"])
    total = sft_steps + grpo_steps
    sft_opt = torch.optim.AdamW(policy.parameters(), lr=float(config["lr_sft"]), weight_decay=float(config["weight_decay"]))
    grpo_opt = torch.optim.Adam(policy.parameters(), lr=float(config["lr"]))
    ckpt_dir = os.path.join(job_dir, "checkpoints")
    os.makedirs(ckpt_dir, exist_ok=True)
    ckpt_path = os.path.join(ckpt_dir, "last.pt")
    step = 0
    if os.path.exists(ckpt_path):
        state = torch.load(ckpt_path, map_location=device)
        policy.load_state_dict(state["policy"])
        sft_opt.load_state_dict(state["sft_opt"])
        grpo_opt.load_state_dict(state["grpo_opt"])
        if state.get("ref") is not None:
            ref = build_policy(torch, emb.shape[1], int(config["hidden"]), data, feat_mean, feat_std).to(device)
            ref.load_state_dict(state["ref"])
        step = int(state["step"])
        log(f"resumed from the checkpoint at step {step} of {total}")

    def save(at):
        tmp = ckpt_path + ".tmp"
        torch.save(
            {
                "step": at,
                "policy": policy.state_dict(),
                "sft_opt": sft_opt.state_dict(),
                "grpo_opt": grpo_opt.state_dict(),
                "ref": ref.state_dict() if ref is not None else None,
            },
            tmp,
        )
        os.replace(tmp, ckpt_path)
        emit("artifact", kind="checkpoint", path=ckpt_path, step=at)

    city_lat = np.asarray([c["lat"] for c in data["cities"]], dtype=np.float64)
    city_lon = np.asarray([c["lon"] for c in data["cities"]], dtype=np.float64)
    eval_idx = val_idx[: int(config["eval_limit"])]

    def evaluate(at):
        if eval_idx.size == 0:
            return
        policy.eval()
        with torch.no_grad():
            top = policy(x_all[torch.as_tensor(eval_idx, device=device)]).argmax(dim=1).cpu().numpy()
        policy.train()
        km = haversine_np(lat[eval_idx], lon[eval_idx], city_lat[top], city_lon[top])
        for t in ACC_KM:
            metric(at, f"acc_{t}km", float((km <= t).mean()))
        metric(at, "acc_city", float((top == city_of.numpy()[eval_idx]).mean()))

    reward_cache = {}
    countries = data["countries"]
    regions = data["regions"]
    cities = data["cities"]

    def reward(i, k):
        key = (int(i), int(k))
        r = reward_cache.get(key)
        if r is None:
            truth = cities[int(city_of[i])]
            truth_country = countries[regions[truth["region"]]["country"]]["name"]
            r, _ = gr.score(spec, chain_text(data, k), float(lat[i]), float(lon[i]), truth_country, truth["name"])
            reward_cache[key] = r
        return r

    seed = int(config["seed"])
    delay = float(config["step_delay_s"])
    if step == 0:
        evaluate(0)
    t0 = time.time()
    while step < total:
        if stop["flag"]:
            save(step)
            raise Stop()
        step += 1
        gen = torch.Generator().manual_seed(seed * 1_000_003 + step)
        if step <= sft_steps:
            bs = min(int(config["batch_size"]), train_idx.size)
            pick = train_idx[torch.randint(0, train_idx.size, (bs,), generator=gen).numpy()]
            idx = torch.as_tensor(pick, device=device)
            logits = policy(x_all[idx])
            loss = torch.nn.functional.cross_entropy(logits, city_of[pick].to(device))
            sft_opt.zero_grad()
            loss.backward()
            sft_opt.step()
            metric(step, "sft_loss", loss.item())
            if step == sft_steps:
                save(step)
        else:
            if ref is None:
                ref = build_policy(torch, emb.shape[1], int(config["hidden"]), data, feat_mean, feat_std).to(device)
                ref.load_state_dict(policy.state_dict())
            ref.eval()
            g = int(config["num_generations"])
            temp = float(config["temperature"])
            bs = min(int(config["grpo_batch_size"]), grpo_idx.size)
            pick = grpo_idx[torch.randint(0, grpo_idx.size, (bs,), generator=gen).numpy()]
            idx = torch.as_tensor(pick, device=device)
            x = x_all[idx]
            with torch.no_grad():
                old_logp_all = torch.log_softmax(policy(x) / temp, dim=1)
                samples = torch.multinomial(old_logp_all.exp().cpu(), g, replacement=True, generator=gen).to(device)
                old_logp = old_logp_all.gather(1, samples)
                ref_logp = torch.log_softmax(ref(x) / temp, dim=1).gather(1, samples)
            rewards = [[reward(i, k) for k in row] for i, row in zip(pick, samples.cpu().tolist())]
            stats = gr.group_stats(rewards)
            adv = torch.as_tensor([s["advantages"] for s in stats["groups"]], dtype=torch.float32, device=device)
            eps = float(config["epsilon"])
            beta = float(config["beta"])
            for _ in range(max(1, int(config["num_iterations"]))):
                logp = torch.log_softmax(policy(x) / temp, dim=1).gather(1, samples)
                ratio = torch.exp(logp - old_logp)
                pg = -torch.min(ratio * adv, torch.clamp(ratio, 1 - eps, 1 + eps) * adv)
                diff = ref_logp - logp
                kl = torch.exp(diff) - diff - 1
                loss = (pg + beta * kl).mean()
                grpo_opt.zero_grad()
                loss.backward()
                grpo_opt.step()
            metric(step, "loss", loss.item())
            metric(step, "reward", stats["mean_reward"])
            metric(step, "reward_std", stats["reward_std"])
            metric(step, "frac_reward_zero_std", stats["frac_reward_zero_std"])
            metric(step, "kl", kl.mean().item())
        if step % max(1, int(config["eval_every"])) == 0 or step == total:
            evaluate(step)
        emit("progress", step=step, total=total)
        if step % max(1, int(config["checkpoint_every"])) == 0 and step != sft_steps:
            save(step)
        if delay > 0:
            time.sleep(delay)
    save(step)
    log(f"training done: {total} steps in {time.time() - t0:.1f} s")
    export(job_dir, torch, policy, data, emb, x_all, config)
    return f"{sft_steps} SFT + {grpo_steps} GRPO steps on {device.type}"


def haversine_np(lat1, lon1, lat2, lon2):
    import numpy as np

    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * gr.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def export(job_dir, torch, policy, data, emb, x_all, config):
    policy = policy.cpu().eval()
    onnx_path = os.path.join(job_dir, "policy.onnx")
    tmp = onnx_path + ".tmp"
    dummy = torch.zeros(1, emb.shape[1])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            policy,
            dummy,
            tmp,
            input_names=["embedding"],
            output_names=["chain_logits"],
            dynamic_axes={"embedding": {0: "batch"}, "chain_logits": {0: "batch"}},
            opset_version=13,
        )
    os.replace(tmp, onnx_path)
    meta = {
        "recipe": "cor-policy",
        "input": "embedding",
        "output": "chain_logits",
        "dims": int(emb.shape[1]),
        "encoder": data.get("encoder"),
        "temperature": float(config["temperature"]),
        "countries": data["countries"],
        "regions": data["regions"],
        "cities": data["cities"],
    }
    with open(os.path.join(job_dir, "policy.json"), "w", encoding="utf8") as f:
        json.dump(meta, f)
    # The top chain PyTorch gives for every photo: the main process checks the ONNX
    # session against it.
    with torch.no_grad():
        logits = policy(x_all.cpu())
    check = {"image_ids": data["image_ids"], "top": logits.argmax(dim=1).tolist(), "first_logits": logits[0].tolist()}
    with open(os.path.join(job_dir, "export_check.json"), "w", encoding="utf8") as f:
        json.dump(check, f)
    emit("artifact", kind="onnx", path=onnx_path)


if __name__ == "__main__":
    sys.exit(main())
