# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The label ids of every mask (network output, training labels, dataset folders) and their names.

One place: the generator, the augmentations, the losses, the metrics, the dataset format and the
weights file must agree on them, and a mask written by one is read by the others.
"""

SKY, SEA, OTHER = 0, 1, 2
IGNORE = 255  # a label pixel no loss or metric counts (unlabelled, or unsure)
CLASS_NAMES = ("sky", "sea", "other")  # by id
VALID_LABELS = frozenset({SKY, SEA, OTHER, IGNORE})
HorizonPoints = tuple[float, float, float, float]  # a horizon line (x0, y0, x1, y1), pixels, sky left of 0 -> 1
