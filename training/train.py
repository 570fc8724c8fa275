# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-train``: train the sky/sea/other U-Net on synthetic scenes and labelled IR folders.

The same command runs on a laptop CPU, one GPU (mixed precision) or many (``torchrun
--nproc_per_node=N -m seasky_training.train ...``: DistributedDataParallel). Every epoch writes a
checkpoint that ``--resume`` continues exactly (model, optimiser, scheduler, epoch, best
score); the best epoch by validation mean IoU is exported as a weights file carrying its
metadata. Files are written to a temporary name and renamed, so an interrupted run never
leaves a corrupt checkpoint or weights file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import math
import os
import random
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import ConcatDataset, DataLoader, Dataset

from seasky_ros.dataset_folder import CLASS_MAP_PRESETS, DatasetFolder, parse_class_map
from seasky_ros.labels import SEA, SKY
from seasky_ros.metrics import ConfusionMatrix
from seasky_ros.model import UNet, UNetConfig
from seasky_ros.preprocess import Normalization
from seasky_ros.synthetic import DEFAULT_HARBOUR_SHARE
from seasky_ros.weights import atomic_torch_save, build_meta, load_weights, save_weights

from .augment import AugmentConfig
from .check import check_folder
from .interrupts import sigint_deferred
from .losses import segmentation_loss
from .named_weights import resolve_named
from .recipe import parse_with_recipe
from .samples import SPLITS, EpochKeyed, EpochSampler, FolderSamples, SyntheticSamples, gap_split, time_split

BOUNDARY_CLASSES = {"all": None, "sky-sea": (SKY, SEA)}
"""--boundary-classes: the classes whose boundaries the weighted cross-entropy weighs (None: all)."""

CHECKPOINT_NAME = "checkpoint_last.pt"
WEIGHTS_NAME = "best.pt"
EPOCH_WEIGHTS_NAME = "epoch_{epoch:03d}.pt"
LOG_NAME = "metrics.csv"
RUN_LOG_NAME = "run.log"
# settings that do not change what a run computes: they may differ between a run and its resumption
RUN_ONLY_SETTINGS = frozenset({"out", "resume", "stop_after", "workers", "device", "no_progress", "weights_out",
                               "keep_epochs", "recipe"})
PLOT_NAME = "curves.png"
# where a weights file's history and limits are written up (recorded in its provenance)
MODEL_CARD = "docs/MODEL_CARD.md"


@dataclass
class Distributed:
    """Where this process sits in a torchrun job (world size 1 without torchrun)."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world > 1



def parse_size(text: str) -> tuple[int, int]:
    """'160x208' -> (160, 208): height x width."""
    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"size must look like HEIGHTxWIDTH, got '{text}'") from exc
    if h < 16 or w < 16:
        raise argparse.ArgumentTypeError(f"size must be at least 16x16, got '{text}'")
    return h, w


def parse_share(text: str) -> float:
    """A share in [0, 1]."""
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got '{text}'") from exc
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got '{text}'")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="seasky-train",
        description="Train the sky/sea/other U-Net. Data: any mix of synthetic scenes (--synthetic N) "
        "and dataset folders (--data DIR, with masks/).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    data = p.add_argument_group("data")
    data.add_argument("--synthetic", type=int, default=2000, help="synthetic scenes per epoch (0 = none)")
    data.add_argument("--synthetic-seed", type=int, default=1, help="seed of the synthetic scenes")
    data.add_argument("--harbour-share", type=float, default=DEFAULT_HARBOUR_SHARE,
                      help="share of the synthetic scenes that are harbours (near buildings, boats, bridges)")
    data.add_argument("--data", type=Path, action="append", default=[], help="dataset folder (repeatable)")
    data.add_argument("--class-map", default=None,
                      help="label mapping for --data folders: 'massmind' or '0:0,1:1,3:2,...'")
    data.add_argument("--repeat", type=int, default=1, help="times each real frame is seen per epoch")
    data.add_argument("--paste-share", type=parse_share, default=0.0,
                      help="share of real training samples with synthetic land, buildings, vessels, bridges or "
                      "own hull pasted on (labelled other; seasky_training.paste)")
    data.add_argument("--train-only", type=Path, action="append", default=[],
                      help="dataset folder used whole for training, never split (repeatable; e.g. labelled "
                      "frames of a clip whose held-out frames live in another folder)")
    data.add_argument("--val", type=Path, action="append", default=[], help="validation folder (repeatable)")
    data.add_argument("--val-fraction", type=float, default=0.0,
                      help="hold out this time-ordered tail of every --data folder for validation (--split tail)")
    data.add_argument("--split", choices=SPLITS, default="tail",
                      help="how each --data folder (time-ordered) is split: 'tail' holds out --val-fraction at "
                      "the end; 'gap' trains on the first half and validates on the last third (best.pt is "
                      "chosen on frames minutes away from any training frame)")
    data.add_argument("--val-synthetic", type=int, default=0, help="held-out synthetic validation scenes")
    data.add_argument("--no-augment", action="store_true", help="turn training augmentations off")
    data.add_argument("--roll-share", type=parse_share, default=0.0,
                      help="share of training samples rolled by any angle on the full circle (upside down "
                      "included; pixels from outside the frame are ignored), instead of a small roll")

    model = p.add_argument_group("model")
    model.add_argument("--input-size", type=parse_size, default=(160, 208), help="network input HxW")
    model.add_argument("--base", type=int, default=16, help="channels of the first U-Net level")
    model.add_argument("--depth", type=int, default=4, help="number of down-sampling steps")
    model.add_argument("--transposed", action="store_true", help="transposed-conv upsampling (else bilinear)")
    model.add_argument("--init", type=Path, default=None,
                       help="start from these weights (fine-tuning); 'shipped' = the shipped float32 weights")

    opt = p.add_argument_group("optimisation")
    opt.add_argument("--epochs", type=int, default=20)
    opt.add_argument("--batch-size", type=int, default=16)
    opt.add_argument("--lr", type=float, default=1e-4, help="Adam learning rate")
    opt.add_argument("--weight-decay", type=float, default=0.0)
    opt.add_argument("--dice-weight", type=float, default=1.0, help="weight of the Dice term beside CE")
    opt.add_argument("--boundary-weight", type=float, default=0.0,
                     help="extra cross-entropy weight of pixels near a class boundary (0: off)")
    opt.add_argument("--boundary-radius", type=int, default=3, help="px (network input) counted as near a boundary")
    opt.add_argument("--boundary-classes", choices=sorted(BOUNDARY_CLASSES), default="all",
                     help="which boundaries --boundary-weight weighs: between any classes, or sky and sea alone")
    opt.add_argument("--soft-labels", action="store_true",
                     help="train against each network pixel's class shares of the full-resolution mask (where "
                     "within a pixel a boundary runs) instead of the class at its centre")
    opt.add_argument("--steps-per-epoch", type=int, default=0, help="cap batches per epoch (0 = all)")
    opt.add_argument("--seed", type=int, default=0)

    run = p.add_argument_group("run")
    run.add_argument("--recipe", type=Path, default=None,
                     help="YAML file of these options (e.g. config/train_shipped.yaml); options given here "
                     "override it; it is recorded in the weights' metadata")
    run.add_argument("--out", type=Path, default=None, help="run folder (default runs/<time>)")
    run.add_argument("--weights-out", type=Path, default=None, help="also copy the best weights here")
    run.add_argument("--keep-epochs", action="store_true",
                     help="also write every epoch's weights (epoch_NNN.pt), to choose one by your own checks")
    run.add_argument("--resume", default=None, help="checkpoint to continue from, or 'auto' (OUT's last)")
    run.add_argument("--stop-after", type=int, default=0,
                     help="stop after this epoch, the schedule still that of --epochs (a run in sessions: "
                     "continue with --resume auto); 0 = run to the end")
    run.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    run.add_argument("--amp", choices=["auto", "on", "off"], default="auto", help="mixed precision (CUDA)")
    run.add_argument("--workers", type=int, default=max(1, min(4, (os.cpu_count() or 2) - 1)))
    run.add_argument("--no-progress", action="store_true", help="no progress bars")
    return p


def git_revision() -> str:
    """The repository revision the run used, for the provenance in the weights file."""
    try:
        here = Path(__file__).resolve().parent
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def setup_distributed(device_arg: str) -> tuple[Distributed, torch.device]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    dist = Distributed(int(os.environ.get("RANK", "0")), world, int(os.environ.get("LOCAL_RANK", "0")))
    want_cuda = device_arg.startswith("cuda") or (device_arg == "auto" and torch.cuda.is_available())
    if want_cuda and not torch.cuda.is_available():
        raise SystemExit(f"seasky-train: device '{device_arg}' requested but CUDA is not available")
    if dist.enabled:
        torch.distributed.init_process_group("nccl" if want_cuda else "gloo")
    if want_cuda:
        index = dist.local_rank if dist.enabled or ":" not in device_arg else int(device_arg.split(":")[1])
        torch.cuda.set_device(index)
        return dist, torch.device("cuda", index)
    return dist, torch.device("cpu")


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def check_data(args) -> list[str]:
    """seasky-check on every folder the run reads (masks required): the report lines, empty when all is well.

    Run before the first epoch so a bad label, a frame without a mask or a stray horizon.csv row is
    named together with every other problem, instead of as a traceback in the middle of an epoch.
    """
    class_map = None
    if args.class_map:
        class_map = CLASS_MAP_PRESETS.get(args.class_map) or parse_class_map(args.class_map)
    lines: list[str] = []
    for root in [*args.data, *args.train_only, *args.val]:
        report = check_folder(root, class_map, require_masks=True)
        if not report.ok:
            lines.append(report.summary())
            lines += [f"  {problem.kind:13s} {problem}" for problem in report.problems]
    return lines


def build_datasets(args, norm: Normalization) -> tuple[Dataset, Dataset | None, list[dict]]:
    """Training and validation datasets, and a description of the data for the provenance."""
    class_map = None
    if args.class_map:
        class_map = CLASS_MAP_PRESETS.get(args.class_map) or parse_class_map(args.class_map)
    aug = None if args.no_augment else AugmentConfig(p_full_roll=args.roll_share)
    train_parts: list[Dataset] = []
    val_parts: list[Dataset] = []
    described: list[dict] = []
    if args.synthetic > 0:
        train_parts.append(SyntheticSamples(args.synthetic, args.synthetic_seed, args.input_size, norm, aug,
                                            harbour_share=args.harbour_share, soft_labels=args.soft_labels))
        described.append({"source": "synthetic", "scenes_per_epoch": args.synthetic, "seed": args.synthetic_seed,
                          "harbour_share": args.harbour_share})
    for root in args.data:
        folder = DatasetFolder(root, class_map=class_map)
        train_idx, val_idx = gap_split(len(folder)) if args.split == "gap" else time_split(len(folder),
                                                                                           args.val_fraction)
        train_parts.append(FolderSamples(folder, args.input_size, norm, aug, train_idx, args.repeat, args.seed,
                                         paste_share=args.paste_share, soft_labels=args.soft_labels))
        if val_idx:
            val_parts.append(FolderSamples(folder, args.input_size, norm, None, val_idx))
        described.append({"source": str(root), "split": args.split, "train_frames": len(train_idx),
                          "val_frames": len(val_idx), "repeat": args.repeat, "paste_share": args.paste_share,
                          "first_val_stem": folder.stems[val_idx[0]] if val_idx else None})
    for root in args.train_only:
        folder = DatasetFolder(root, class_map=class_map)
        train_parts.append(FolderSamples(folder, args.input_size, norm, aug, None, args.repeat, args.seed,
                                         paste_share=args.paste_share, soft_labels=args.soft_labels))
        described.append({"source": str(root), "split": "none", "train_frames": len(folder), "val_frames": 0,
                          "repeat": args.repeat, "paste_share": args.paste_share})
    for root in args.val:
        val_parts.append(FolderSamples(DatasetFolder(root, class_map=class_map), args.input_size, norm))
        described.append({"source": str(root), "use": "validation"})
    if args.val_synthetic > 0:
        val_parts.append(SyntheticSamples(args.val_synthetic, args.synthetic_seed + 7919, args.input_size, norm,
                                          None, fresh_each_epoch=False, harbour_share=args.harbour_share))
        described.append({"source": "synthetic", "use": "validation", "scenes": args.val_synthetic})
    if not train_parts:
        raise SystemExit("seasky-train: no training data (give --synthetic N, --data DIR or --train-only DIR)")
    return ConcatDataset(train_parts), (ConcatDataset(val_parts) if val_parts else None), described


@torch.no_grad()
def validate(model: torch.nn.Module, loader: DataLoader, device: torch.device, num_classes: int) -> dict:
    """Loss and IoU per class over the validation set, at the network's input size."""
    model.eval()
    cm = ConfusionMatrix(num_classes)
    loss_sum, batches = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        loss_sum += float(segmentation_loss(logits, y))
        batches += 1
        cm.update(y.cpu().numpy(), logits.argmax(1).cpu().numpy())
    iou = cm.iou()
    return {"val_loss": loss_sum / max(batches, 1), "val_miou": cm.mean_iou(),
            **{f"val_iou_{i}": float(v) for i, v in enumerate(iou)}}


def batch_digests(x: torch.Tensor, y: torch.Tensor) -> list[bytes]:
    """One short hash per training sample (input and labels).

    Sorted and hashed together they give the epoch's ``data_digest`` in metrics.csv: what the
    network was shown, independent of order, so a log shows whether epochs really differed and
    whether a resumed run saw what an uninterrupted one would have (under torchrun: rank 0's share).
    """
    xs, ys = x.numpy(), y.numpy()
    return [hashlib.blake2b(xs[i].tobytes() + ys[i].tobytes(), digest_size=8).digest() for i in range(len(xs))]


def write_plot(history: list[dict], path: Path) -> None:
    """Loss and validation IoU per epoch as a PNG (written whole or not at all)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [r["epoch"] for r in history]
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
    ax[0].plot(epochs, [r.get("train_loss", math.nan) for r in history], label="train")
    if any("val_loss" in r for r in history):
        ax[0].plot(epochs, [r.get("val_loss", math.nan) for r in history], label="validation")
        ax[1].plot(epochs, [r.get("val_miou", math.nan) for r in history], color="tab:green")
    ax[0].set(xlabel="epoch", ylabel="loss (CE + Dice)", yscale="log")
    ax[0].legend()
    ax[1].set(xlabel="epoch", ylabel="validation mean IoU")
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=90)
    plt.close(fig)
    os.replace(tmp, path)


def write_log(history: list[dict], path: Path) -> None:
    keys: list[str] = []
    for row in history:
        keys += [k for k in row if k not in keys]
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=keys)
        writer.writeheader()
        writer.writerows(history)
    os.replace(tmp, path)


class RunLog:
    """What the run prints, also appended to OUT/run.log, so the run's story stays beside its weights.

    Only the main process of a torchrun job speaks (``path`` None elsewhere).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def __call__(self, text: str) -> None:
        if self.path is None:
            return
        print(text, flush=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(text + "\n")


def describe_data(described: list[dict], train_samples: int, batches: int) -> list[str]:
    """The loaded data, one line per source, for the start of the run log."""
    lines = [f"data: {train_samples} training samples per epoch, {batches} batches"]
    for part in described:
        lines.append("  " + ", ".join(f"{k} {v}" for k, v in part.items() if v is not None))
    return lines


def changed_settings(saved: dict, args: argparse.Namespace) -> list[str]:
    """Settings that differ between the checkpoint's run and this one (those that change what it computes)."""
    now = vars(args)
    return [f"{k} {saved[k]!s} -> {now[k]!s}" for k in sorted(now)  # options newer than the checkpoint: skipped
            if k in saved and k not in RUN_ONLY_SETTINGS and str(saved[k]) != str(now[k])]


def epoch_line(row: dict, epochs: int, improved: bool) -> str:
    """'epoch 3/20  train_loss=0.1234  lr=3.00e-04 ...': the learning rate in scientific notation."""
    parts = [f"{k}={v:.2e}" if k == "lr" else f"{k}={v:.4f}" for k, v in row.items() if isinstance(v, float)]
    return f"epoch {row['epoch']}/{epochs}  {'  '.join(parts)}{'  *best' if improved else ''}"


def find_resume(args) -> Path | None:
    if not args.resume:
        return None
    path = args.out / CHECKPOINT_NAME if args.resume == "auto" else Path(args.resume)
    if args.resume == "auto" and not path.is_file():
        return None
    if not path.is_file():
        raise SystemExit(f"seasky-train: checkpoint to resume not found: {path}")
    return path


def train(argv: list[str] | None = None) -> Path:
    """Run training; returns the path of the best weights file."""
    parser = build_parser()
    args, recipe = parse_with_recipe(parser, argv)
    if not 0.0 <= args.harbour_share <= 1.0:
        parser.error("--harbour-share must be between 0 and 1")
    if args.split == "gap" and args.val_fraction:
        parser.error("--split gap fixes the validation frames itself; drop --val-fraction")
    dist, device = setup_distributed(args.device)
    if args.out is None:
        args.out = Path("runs") / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    args.out.mkdir(parents=True, exist_ok=True)
    say = RunLog(args.out / RUN_LOG_NAME if dist.main else None)
    seed_everything(args.seed + dist.rank)
    norm = Normalization()
    config = UNetConfig(in_channels=1, num_classes=3, base=args.base, depth=args.depth,
                        bilinear=not args.transposed)
    model = UNet(config)
    args.init = resolve_named(args.init)
    if args.init:
        init_model, init_meta = load_weights(args.init)
        if UNetConfig.from_dict(init_meta["arch"]) != config:
            raise SystemExit(f"seasky-train: {args.init} has architecture {init_meta['arch']}, "
                             f"not {config.to_dict()}; pass matching --base/--depth")
        model.load_state_dict(init_model.state_dict())
    model.to(device)
    use_amp = device.type == "cuda" and args.amp != "off"
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(args.epochs, 1),
                                                           eta_min=args.lr * 0.05)
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    start_epoch, best_score, best_epoch, history = 0, -math.inf, None, []
    command = "seasky-train " + shlex.join(argv if argv is not None else sys.argv[1:])
    revision = git_revision()  # the code this run loaded; asked once, not every epoch
    say(f"seasky-train {dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')}: {command}")
    say(f"code {revision}, torch {torch.__version__}, device {device}, seed {args.seed}")
    if recipe is not None:
        say(f"recipe {args.recipe}: {recipe}")
    problems = check_data(args)
    if problems:
        for line in problems:
            say(line)
        raise SystemExit("seasky-train: the data has problems (above; seasky-check DIR lists the same); "
                         "nothing was trained")

    resume = find_resume(args)
    if resume:
        ckpt = torch.load(resume, map_location="cpu", weights_only=False)
        if ckpt["arch"] != config.to_dict():
            raise SystemExit(f"seasky-train: {resume} was trained with {ckpt['arch']}, not {config.to_dict()}")
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        scheduler.load_state_dict(ckpt["scheduler"])
        scaler.load_state_dict(ckpt["scaler"])
        start_epoch, best_score, history = ckpt["epoch"] + 1, ckpt["best_score"], ckpt["history"]
        best_epoch = ckpt.get("best_epoch")
        torch.set_rng_state(ckpt["torch_rng"])
        np.random.set_state(ckpt["numpy_rng"])
        random.setstate(ckpt["python_rng"])
        say(f"seasky-train: resumed from {resume} at epoch {start_epoch + 1}")
        changed = changed_settings(ckpt.get("args", {}), args)
        if changed:
            say("seasky-train: WARNING: resumed with other settings than the checkpoint's run: " + "; ".join(changed))

    net = model
    if dist.enabled:
        if device.type == "cuda":
            net = torch.nn.SyncBatchNorm.convert_sync_batchnorm(net)
        device_ids = [device.index] if device.type == "cuda" else None
        net = torch.nn.parallel.DistributedDataParallel(net, device_ids=device_ids)

    train_set, val_set, described = build_datasets(args, norm)
    loader_kw = {"batch_size": args.batch_size, "num_workers": args.workers,
                 "pin_memory": device.type == "cuda", "persistent_workers": args.workers > 0}
    # the epoch travels with every index, so workers render each epoch's own scenes and pastes
    sampler = EpochSampler(len(train_set), args.seed, rank=dist.rank, world=dist.world)
    train_loader = DataLoader(EpochKeyed(train_set), sampler=sampler, drop_last=True,
                              generator=torch.Generator().manual_seed(args.seed), **loader_kw)
    val_loader = DataLoader(val_set, shuffle=False, **loader_kw) if val_set is not None else None
    weights_path = args.out / WEIGHTS_NAME
    for line in describe_data(described, len(train_set), len(train_loader)):
        say(line)

    if args.init and not history and val_loader is not None and dist.main:
        # epoch 0: the starting weights' score, so the curves and the log show what training changed
        history.append({"epoch": 0, **validate(model, val_loader, device, config.num_classes)})
        say(epoch_line(history[0], args.epochs, False) + "  (the --init weights, before training)")

    from tqdm import tqdm

    last = min(args.epochs, args.stop_after) if args.stop_after > 0 else args.epochs
    for epoch in range(start_epoch, last):
        sampler.set_epoch(epoch)
        net.train()
        total, steps = 0.0, 0
        seen: list[bytes] = []
        limit = args.steps_per_epoch or len(train_loader)
        bar = tqdm(total=min(limit, len(train_loader)), desc=f"epoch {epoch + 1}/{args.epochs}",
                   disable=args.no_progress or not dist.main, leave=False)
        for x, y in train_loader:
            seen += batch_digests(x, y)
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            with torch.autocast(device.type, dtype=torch.float16, enabled=use_amp):
                loss = segmentation_loss(net(x), y, args.dice_weight, args.boundary_weight, args.boundary_radius,
                                         BOUNDARY_CLASSES[args.boundary_classes])
            if not torch.isfinite(loss):
                raise SystemExit(f"seasky-train: loss became {float(loss)} at epoch {epoch + 1}; "
                                 "lower --lr or check the data")
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            total += loss.item()
            steps += 1
            bar.update(1)
            bar.set_postfix(loss=f"{total / steps:.4f}")
            if steps >= limit:
                break
        bar.close()
        lr = optimizer.param_groups[0]["lr"]  # the rate this epoch trained with
        scheduler.step()
        row = {"epoch": epoch + 1, "train_loss": total / max(steps, 1), "lr": lr,
               "data_digest": hashlib.blake2b(b"".join(sorted(seen)), digest_size=8).hexdigest()}
        if val_loader is not None and dist.main:
            row.update(validate(model, val_loader, device, config.num_classes))
        history.append(row)
        if not dist.main:
            continue
        score = row.get("val_miou", -row["train_loss"])
        improved = score > best_score
        meta = build_meta(
            config, args.input_size, norm,
            provenance={"command": command, "data": described, "epoch": epoch + 1,
                        "model_card": MODEL_CARD, "git_revision": revision, "torch": str(torch.__version__),
                        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                        **({"recipe": {"path": str(args.recipe), "settings": recipe}} if recipe else {})},
            metrics={k: v for k, v in row.items() if k not in ("lr", "data_digest")},
        )
        with sigint_deferred():  # a Ctrl-C lands after the epoch's files, not inside them
            if improved:
                best_score, best_epoch = score, epoch + 1
                save_weights(weights_path, model, meta)
                if args.weights_out:
                    save_weights(args.weights_out, model, meta)
            if args.keep_epochs:
                save_weights(args.out / EPOCH_WEIGHTS_NAME.format(epoch=epoch + 1), model, meta)
            atomic_torch_save({
                "arch": config.to_dict(), "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "scaler": scaler.state_dict(), "epoch": epoch,
                "best_score": best_score, "best_epoch": best_epoch, "history": history,
                "torch_rng": torch.get_rng_state(), "numpy_rng": np.random.get_state(), "python_rng": random.getstate(),
                "args": vars(args),
            }, args.out / CHECKPOINT_NAME)
            write_log(history, args.out / LOG_NAME)
            write_plot(history, args.out / PLOT_NAME)
        say(epoch_line(row, args.epochs, improved))
    if last < args.epochs:
        say(f"seasky-train: stopped after epoch {last} of {args.epochs} (--stop-after); "
            "continue with --resume auto")
    elif best_epoch is not None:
        score_name, value = ("val_miou", best_score) if val_loader is not None else ("train_loss", -best_score)
        say(f"seasky-train: best epoch {best_epoch} of {args.epochs} ({score_name} {value:.4f}), in {weights_path}")
        start = history[0] if history and history[0]["epoch"] == 0 else None
        if start is not None and start["val_miou"] >= best_score:
            say(f"seasky-train: WARNING: no epoch beat the --init weights (val_miou {start['val_miou']:.4f}); "
                "keep those")
    if dist.enabled:
        torch.distributed.destroy_process_group()
    return weights_path


def main(argv: list[str] | None = None) -> int:
    try:
        train(argv)  # its log names the best weights
    except KeyboardInterrupt:
        print("\nseasky-train: interrupted; resume with --resume auto (same --out)", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
