# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The seed's loss, generalised to three classes: cross-entropy plus soft Dice.

Cross-entropy gives every pixel a gradient; Dice keeps small classes (a distant vessel, a thin
coast strip) from being drowned by the large sky and sea areas. Pixels labelled 255 count in
neither term.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from seasky_ros.labels import IGNORE


def soft_dice_loss(logits: torch.Tensor, target: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """1 - mean Dice over the classes present in the batch (truth or prediction)."""
    num_classes = logits.shape[1]
    valid = (target != IGNORE).unsqueeze(1).float()
    probs = logits.float().softmax(dim=1) * valid
    onehot = F.one_hot(target.clamp(max=num_classes - 1).long(), num_classes).permute(0, 3, 1, 2).float()
    onehot = onehot * valid
    dims = (0, 2, 3)
    intersection = (probs * onehot).sum(dims)
    total = probs.sum(dims) + onehot.sum(dims)
    present = onehot.sum(dims) > 0
    dice = (2 * intersection + eps) / (total + eps)
    if not bool(present.any()):
        return logits.sum() * 0.0
    return 1.0 - dice[present].mean()


def segmentation_loss(logits: torch.Tensor, target: torch.Tensor, dice_weight: float = 1.0) -> torch.Tensor:
    """Cross-entropy (ignoring 255) + ``dice_weight`` x soft Dice."""
    target = target.long()
    if bool((target != IGNORE).any()):
        ce = F.cross_entropy(logits.float(), target, ignore_index=IGNORE)
    else:
        ce = logits.sum() * 0.0
    return ce + dice_weight * soft_dice_loss(logits, target)
