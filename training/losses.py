# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The seed's loss, generalised to three classes: cross-entropy plus soft Dice.

Cross-entropy gives every pixel a gradient; Dice keeps small classes (a distant vessel, a thin
coast strip) from being drowned by the large sky and sea areas. Pixels labelled 255 count in
neither term. The target is either a label map (N, H, W) or class shares (N, C, H, W), the
``soft_targets`` of the training samples, whose all-zero pixels are ignored. Optionally the
cross-entropy weighs pixels near a class boundary more (``boundary_weights``), as the U-Net paper
weighs the borders between cells: the horizon is one row of a mask whose sky and sea are easy
everywhere else.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from seasky_ros.labels import IGNORE


def hard_labels(target: torch.Tensor) -> torch.Tensor:
    """A label map (N, H, W) of a target: itself, or the largest share of class shares (``IGNORE`` where none)."""
    if not target.is_floating_point():
        return target.long()
    labels = target.argmax(dim=1)
    return labels.masked_fill(target.sum(dim=1) <= 0, IGNORE)


def _shares(target: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(N, C, H, W) class shares of a target, all zero where it is ignored."""
    if target.is_floating_point():
        return target.float()
    valid = (target != IGNORE).unsqueeze(1).float()
    onehot = F.one_hot(target.clamp(max=num_classes - 1).long(), num_classes).permute(0, 3, 1, 2).float()
    return onehot * valid


def soft_dice_loss(logits: torch.Tensor, target: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """1 - mean Dice over the classes present in the batch (truth or prediction)."""
    onehot = _shares(target, logits.shape[1])
    valid = (onehot.sum(dim=1, keepdim=True) > 0).float()
    probs = logits.float().softmax(dim=1) * valid
    dims = (0, 2, 3)
    intersection = (probs * onehot).sum(dims)
    total = probs.sum(dims) + onehot.sum(dims)
    present = onehot.sum(dims) > 0
    dice = (2 * intersection + eps) / (total + eps)
    if not bool(present.any()):
        return logits.sum() * 0.0
    return 1.0 - dice[present].mean()


def boundary_weights(target: torch.Tensor, num_classes: int, radius: int, gain: float,
                     classes: tuple[int, ...] | None = None) -> torch.Tensor:
    """Per-pixel weights (N, H, W): 1 + ``gain`` within ``radius`` px of a boundary between two classes, else 1.

    A pixel is near a boundary when its (2 radius + 1)^2 window holds more than one of
    ``classes`` (default: all); ignored pixels (255) belong to no class, so the edge of an
    ignored area is no boundary. ``(SKY, SEA)`` weighs the horizon alone, not the outline of
    every vessel and coast.
    """
    onehot = F.one_hot(target.clamp(max=num_classes).long(), num_classes + 1)[..., :num_classes]
    if classes is not None:
        onehot = onehot[..., list(classes)]
    present = F.max_pool2d(onehot.permute(0, 3, 1, 2).float(), 2 * radius + 1, stride=1, padding=radius)
    near = present.sum(dim=1) > 1
    return 1.0 + gain * near.float()


def segmentation_loss(logits: torch.Tensor, target: torch.Tensor, dice_weight: float = 1.0,
                      boundary_gain: float = 0.0, boundary_radius: int = 3,
                      boundary_classes: tuple[int, ...] | None = None) -> torch.Tensor:
    """Cross-entropy (ignoring 255, weighted by ``boundary_weights`` when ``boundary_gain`` > 0) + Dice."""
    if target.is_floating_point():
        return _soft_cross_entropy(logits, target, boundary_gain, boundary_radius, boundary_classes) + \
            dice_weight * soft_dice_loss(logits, target)
    target = target.long()
    valid = target != IGNORE
    if not bool(valid.any()):
        ce = logits.sum() * 0.0
    elif boundary_gain > 0:
        weights = boundary_weights(target, logits.shape[1], boundary_radius, boundary_gain, boundary_classes)
        weights = weights * valid
        per_pixel = F.cross_entropy(logits.float(), target, ignore_index=IGNORE, reduction="none")
        ce = (per_pixel * weights).sum() / weights.sum()
    else:
        ce = F.cross_entropy(logits.float(), target, ignore_index=IGNORE)
    return ce + dice_weight * soft_dice_loss(logits, target)


def _soft_cross_entropy(logits: torch.Tensor, shares: torch.Tensor, boundary_gain: float, boundary_radius: int,
                        boundary_classes: tuple[int, ...] | None) -> torch.Tensor:
    """Cross-entropy against class shares, over the pixels that have any (weighted near boundaries if asked)."""
    valid = (shares.sum(dim=1) > 0).float()
    if not bool(valid.any()):
        return logits.sum() * 0.0
    per_pixel = -(shares.float() * F.log_softmax(logits.float(), dim=1)).sum(dim=1)
    weights = valid
    if boundary_gain > 0:
        weights = weights * boundary_weights(hard_labels(shares), logits.shape[1], boundary_radius, boundary_gain,
                                             boundary_classes)
    return (per_pixel * weights).sum() / weights.sum()
