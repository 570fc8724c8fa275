# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Training pairs (network input, label map) from synthetic scenes and dataset folders.

Both sources end in ``training_pair``, which resizes and normalises with the very functions
inference uses (``seasky_ros.preprocess``), so train and run time see identical inputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset, Sampler

from seasky_ros.dataset_folder import DatasetFolder
from seasky_ros.labels import CLASS_NAMES
from seasky_ros.preprocess import Normalization, fill_nonfinite, network_input, resize_gray, to_gray
from seasky_ros.synthetic import DEFAULT_HARBOUR_SHARE, generate_frame

from .augment import AugmentConfig, augment
from .paste import PasteConfig, paste_objects

DEFAULT_RENDER_SIZES = ((288, 384), (256, 320), (320, 400))


def training_pair(
    gray: np.ndarray, mask: np.ndarray, input_size_hw: tuple[int, int], norm: Normalization, soft: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """Full-resolution gray image + mask -> (1, H, W) float input and (H, W) int64 labels.

    With ``soft`` the labels are ``soft_targets`` instead: (C, H, W) float class shares.
    """
    h, w = input_size_hw
    x = network_input(resize_gray(gray, input_size_hw), norm)
    if soft:
        return torch.from_numpy(x[None].copy()), torch.from_numpy(soft_targets(mask, input_size_hw))
    # INTER_NEAREST_EXACT samples at pixel centres; plain INTER_NEAREST shifts the labels by up to a
    # source pixel (measured: +1.1 px horizon bias at 288 -> 160 rows), which the network would learn
    y = cv2.resize(mask, (w, h), interpolation=cv2.INTER_NEAREST_EXACT)
    return torch.from_numpy(x[None].copy()), torch.from_numpy(y.astype(np.int64))


def soft_targets(mask: np.ndarray, size_hw: tuple[int, int], min_valid: float = 0.5) -> np.ndarray:
    """(C, H, W) float32: each network pixel's share of every class in the full-resolution ``mask``.

    Why: at 160 rows a network pixel spans about three rows of a 512-row frame, and the class at
    its centre says only which side of the horizon that centre lies on; the shares say where
    within the pixel the boundary runs, which the network can learn and the horizon fit reads back
    from the upsampled logits. Shares are of the labelled (not ``IGNORE``) area; a pixel that is
    less than ``min_valid`` labelled is all zeros (ignored by ``segmentation_loss``).
    """
    h, w = size_hw
    planes = [cv2.resize((mask == c).astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
              for c in range(len(CLASS_NAMES))]
    shares = np.stack(planes)
    labelled = shares.sum(axis=0)
    keep = labelled >= min_valid
    shares *= np.where(keep, 1.0 / np.maximum(labelled, 1e-6), 0.0)[None]
    return shares.astype(np.float32)


class SyntheticSamples(Dataset):
    """``count`` synthetic scenes; with ``fresh_each_epoch`` every epoch renders new ones.

    Scene seeds are a pure function of (seed, epoch, index), so a resumed run sees exactly
    the data the interrupted one would have seen.
    """

    def __init__(
        self,
        count: int,
        seed: int,
        input_size_hw: tuple[int, int],
        norm: Normalization,
        augment_cfg: AugmentConfig | None = None,
        render_sizes: Sequence[tuple[int, int]] = DEFAULT_RENDER_SIZES,
        fresh_each_epoch: bool = True,
        harbour_share: float = DEFAULT_HARBOUR_SHARE,
        soft_labels: bool = False,
    ) -> None:
        self.count = int(count)
        self.soft_labels = soft_labels
        self.harbour_share = float(harbour_share)
        self.seed = int(seed)
        self.input_size = input_size_hw
        self.norm = norm
        self.augment_cfg = augment_cfg
        self.render_sizes = tuple(render_sizes)
        self.fresh_each_epoch = fresh_each_epoch
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return self.count

    def scene_seed(self, index: int) -> int:
        epoch = self.epoch if self.fresh_each_epoch else 0
        return (self.seed * 1_000_003 + epoch * 10_007 * max(self.count, 1) + index) % (2**63)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        scene_seed = self.scene_seed(index)
        h, w = self.render_sizes[scene_seed % len(self.render_sizes)]
        frame = generate_frame(scene_seed, height=h, width=w, harbour_share=self.harbour_share)
        gray = to_gray(frame.image, frame.encoding)
        mask = frame.mask
        if self.augment_cfg is not None:
            rng = np.random.default_rng(scene_seed ^ 0x5EA5)
            gray, mask, _ = augment(gray, mask, frame.horizon, rng, self.augment_cfg)
        return training_pair(gray, mask, self.input_size, self.norm, self.soft_labels)


class FolderSamples(Dataset):
    """Labelled frames of a dataset folder, each seen ``repeat`` times an epoch (oversampling).

    With ``paste_share`` > 0 that share of the samples gets synthetic land, buildings, vessels,
    bridges or own hull pasted on (``seasky_training.paste``) before the augmentations.
    """

    def __init__(
        self,
        folder: DatasetFolder,
        input_size_hw: tuple[int, int],
        norm: Normalization,
        augment_cfg: AugmentConfig | None = None,
        indices: Sequence[int] | None = None,
        repeat: int = 1,
        seed: int = 0,
        paste_share: float = 0.0,
        paste_cfg: PasteConfig | None = None,
        soft_labels: bool = False,
    ) -> None:
        if not 0.0 <= paste_share <= 1.0:
            raise ValueError(f"paste share must be in [0, 1], got {paste_share}")
        self.folder = folder
        self.paste_share = float(paste_share)
        self.soft_labels = soft_labels
        self.paste_cfg = paste_cfg or PasteConfig()
        self.input_size = input_size_hw
        self.norm = norm
        self.augment_cfg = augment_cfg
        self.indices = list(range(len(folder)) if indices is None else indices)
        self.repeat = max(1, int(repeat))
        self.seed = int(seed)
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.indices) * self.repeat

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        item = self.folder[self.indices[index % len(self.indices)]]
        if item.mask is None:
            raise ValueError(f"{self.folder.root}: frame '{item.stem}' has no mask; training needs masks")
        gray, _ = fill_nonfinite(to_gray(item.image))
        mask = item.mask
        if self.paste_share > 0.0:
            rng = np.random.default_rng([self.seed, self.epoch, index, 0x9A57E])
            if rng.random() < self.paste_share:
                limits = (0.0, float(np.iinfo(item.image.dtype).max)) if item.image.dtype.kind == "u" else None
                gray, mask = paste_objects(gray, mask, rng, self.paste_cfg, limits)
        if self.augment_cfg is not None:
            rng = np.random.default_rng([self.seed, self.epoch, index])
            gray, mask, _ = augment(gray, mask, item.horizon, rng, self.augment_cfg)
        return training_pair(gray, mask, self.input_size, self.norm, self.soft_labels)


def set_epoch(dataset: Dataset, epoch: int) -> None:
    """Tell every part of a (concatenated) dataset which epoch it renders."""
    for part in getattr(dataset, "datasets", [dataset]):
        if hasattr(part, "set_epoch"):
            part.set_epoch(epoch)


class EpochKeyed(Dataset):
    """A dataset indexed by ``(epoch, index)`` keys, as ``EpochSampler`` yields them.

    Data-loader workers (persistent ones above all) render samples on their own copy of the
    dataset, made when they start; an epoch set on the main process's copy never reaches them.
    Carrying the epoch in every key makes each sample a function of (seed, epoch, index)
    wherever and in whichever worker it is rendered.
    """

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, key: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
        epoch, index = key
        set_epoch(self.dataset, epoch)
        return self.dataset[index]


class EpochSampler(Sampler):
    """The order of one epoch as ``(epoch, index)`` keys, a pure function of (seed, epoch).

    Shuffled with a generator seeded from (seed, epoch) alone, so a resumed run draws the
    same order as an uninterrupted one, however the data loader's own generator was used.
    With ``world`` > 1 (torchrun) each rank takes every ``world``-th key of the same order,
    the order padded by repetition to a multiple of ``world``, as ``DistributedSampler`` does.
    """

    def __init__(self, length: int, seed: int, shuffle: bool = True, rank: int = 0, world: int = 1) -> None:
        self.length = int(length)
        self.seed = int(seed)
        self.shuffle = shuffle
        self.rank = int(rank)
        self.world = max(1, int(world))
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return math.ceil(self.length / self.world)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        if self.shuffle:
            generator = torch.Generator().manual_seed(self.seed * 100_003 + self.epoch)
            order = torch.randperm(self.length, generator=generator).tolist()
        else:
            order = list(range(self.length))
        total = len(self) * self.world
        order += (order * math.ceil(total / max(len(order), 1)))[: total - len(order)]
        for index in order[self.rank:total:self.world]:
            yield self.epoch, index


# --split gap (seasky-train and seasky-eval): train on the first half of a time-ordered folder, score
# from two thirds on. The sixth between keeps the scored frames minutes away from any training
# frame: the adjacent tail of a clip reads far better than later frames of the same camera.
GAP_TRAIN_END = 1 / 2
GAP_SCORE_START = 2 / 3
SPLITS = ("tail", "gap")


def gap_split(count: int) -> tuple[list[int], list[int]]:
    """Indices of a time-ordered folder: the first half for training, the last third for scoring."""
    cut = int(round(count * GAP_TRAIN_END))
    start = max(cut, int(round(count * GAP_SCORE_START)))
    return list(range(cut)), list(range(start, count))


def time_split(count: int, val_fraction: float) -> tuple[list[int], list[int]]:
    """Split indices of a time-ordered folder into an early training part and a later validation tail.

    A random split of video frames leaks near-duplicates into validation; a tail does not.
    """
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"validation fraction must be in [0, 1), got {val_fraction}")
    n_val = int(round(count * val_fraction))
    cut = count - n_val
    return list(range(cut)), list(range(cut, count))
