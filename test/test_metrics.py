# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Evaluation metrics against cases worked out by hand."""

import math

import numpy as np
import pytest
import torch
from seasky_training.losses import boundary_weights, hard_labels, segmentation_loss, soft_dice_loss
from seasky_training.samples import soft_targets

from seasky_ros.metrics import ConfusionMatrix, HorizonTally, summarize


def test_iou_and_dice_by_hand():
    truth = np.array([[0, 0, 1, 1], [2, 2, 255, 1]], np.uint8)
    pred = np.array([[0, 1, 1, 1], [2, 0, 0, 1]], np.uint8)
    cm = ConfusionMatrix(3)
    cm.update(truth, pred)
    # sky: tp 1, truth 2, pred 2 (one at the ignored pixel does not count) -> IoU 1/3
    # sea: tp 3, truth 3, pred 4 -> IoU 3/4; other: tp 1, truth 2, pred 1 -> IoU 1/2
    np.testing.assert_allclose(cm.iou(), [1 / 3, 3 / 4, 1 / 2])
    np.testing.assert_allclose(cm.dice(), [2 / 4, 6 / 7, 2 / 3])
    assert cm.pixel_accuracy() == pytest.approx(5 / 7)


def test_confusion_accumulates_over_frames_not_averages():
    cm = ConfusionMatrix(3)
    cm.update(np.zeros((10, 10), np.uint8), np.zeros((10, 10), np.uint8))  # 100 sky right
    cm.update(np.ones((1, 2), np.uint8), np.array([[1, 0]], np.uint8))  # tiny frame half wrong
    assert cm.iou()[0] == pytest.approx(100 / 101)
    assert cm.iou()[1] == pytest.approx(1 / 2)
    assert math.isnan(cm.iou()[2])


def test_confusion_rejects_mismatched_sizes_and_labels():
    cm = ConfusionMatrix(3)
    with pytest.raises(ValueError, match="differ"):
        cm.update(np.zeros((2, 2), np.uint8), np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match="outside"):
        cm.update(np.full((2, 2), 7, np.uint8), np.zeros((2, 2), np.uint8))


def test_horizon_tally_by_hand():
    from seasky_ros.horizon import horizon_from_points

    width = height = 101  # image centre (50, 50)
    truth = horizon_from_points(0, 40, 100, 60, width=width, height=height)  # through the centre, angle atan(0.2)
    pred = horizon_from_points(0, 43, 100, 63, width=width, height=height)  # 3 px lower, same angle
    tilted = horizon_from_points(0, 50, 100, 50, width=width, height=height)  # same centre, level
    tally = HorizonTally()
    assert tally.update(truth, pred, width, height) == pytest.approx((3.0 / math.hypot(1, 0.2), 0.0), abs=1e-9)
    pos, ang = tally.update(truth, tilted, width, height)
    assert pos == pytest.approx(0.0, abs=1e-9)
    assert ang == pytest.approx(math.degrees(math.atan(0.2)), abs=1e-6)
    assert tally.update(truth, None, width, height) is None  # a miss
    assert tally.update(None, pred, width, height) is None  # a false detection
    assert tally.update(None, None, width, height) is None
    s = tally.summary()
    assert s["detection_rate"] == pytest.approx(2 / 3)
    assert s["false_detections"] == 1 and s["frames_without_horizon"] == 2
    assert s["position_px"]["median"] == pytest.approx(1.5 / math.hypot(1, 0.2))
    # any roll: the sky on the wrong side is 180 deg off; the position is taken at the truth's point nearest the centre
    upside_down = horizon_from_points(100, 60, 0, 40, width=width, height=height)
    assert HorizonTally().update(truth, upside_down, width, height) == pytest.approx((0.0, 180.0), abs=1e-9)
    side = horizon_from_points(30, 100, 30, 0, width=width, height=height)  # sky on the left, 20 px left of centre
    across = horizon_from_points(100, 45, 0, 55, width=width, height=height)  # upside down, nearly level
    assert HorizonTally().update(side, across, width, height)[0] == pytest.approx(20.0 * 10 / math.hypot(100, 10))
    assert HorizonTally().update(side, horizon_from_points(33, 100, 33, 0, width, height), width, height) == \
        pytest.approx((3.0, 0.0))


def test_summarize():
    s = summarize([1.0, 2.0, 3.0, 10.0])
    assert s["mean"] == 4.0 and s["median"] == 2.5 and s["max"] == 10.0 and s["count"] == 4
    assert math.isnan(summarize([])["median"])


def test_loss_is_small_for_right_and_large_for_wrong_predictions():
    target = torch.zeros(1, 8, 8, dtype=torch.long)
    target[:, 4:] = 1
    target[:, 0, 0] = 255
    right = torch.full((1, 3, 8, 8), -10.0)
    right[:, 0, :4] = 10.0
    right[:, 1, 4:] = 10.0
    wrong = right.flip(2)
    assert float(segmentation_loss(right, target)) < 0.01
    assert float(segmentation_loss(wrong, target)) > 5.0
    assert float(soft_dice_loss(right, target)) < 0.01


def test_loss_ignores_255_completely():
    logits = torch.randn(1, 3, 4, 4)
    target = torch.full((1, 4, 4), 255, dtype=torch.long)
    assert float(segmentation_loss(logits, target)) == 0.0


def test_boundary_weights_mark_a_band_around_class_boundaries_only():
    target = torch.zeros(1, 10, 12, dtype=torch.long)
    target[:, 5:] = 1  # sky over sea, the boundary between rows 4 and 5
    target[:, :, :2] = 255  # an ignored strip: its edge is no boundary
    weights = boundary_weights(target, 3, radius=2, gain=4.0)[0]
    assert weights[:, 6].tolist() == [1, 1, 1, 5, 5, 5, 5, 1, 1, 1]  # rows 3-6: within 2 px of both classes
    assert weights[0].tolist() == [1.0] * 12 and weights[9].tolist() == [1.0] * 12


def test_boundary_weighted_loss_counts_errors_at_the_boundary_more():
    """The same number of wrong pixels costs more on the boundary than far from it; gain 0 is plain CE."""
    target = torch.zeros(1, 12, 8, dtype=torch.long)
    target[:, 6:] = 1
    right = torch.zeros(1, 3, 12, 8)
    right[:, 0, :6] = 5.0
    right[:, 1, 6:] = 5.0
    at_boundary, far = right.clone(), right.clone()
    at_boundary[:, :, 6] = right[:, :, 5]  # row 6 called sky: wrong at the boundary
    far[:, :, 11] = right[:, :, 0]  # row 11 called sky: wrong as many pixels, far from it
    plain = (float(segmentation_loss(at_boundary, target)), float(segmentation_loss(far, target)))
    assert plain[0] == pytest.approx(plain[1])
    weighted = (float(segmentation_loss(at_boundary, target, 1.0, 4.0, 2)),
                float(segmentation_loss(far, target, 1.0, 4.0, 2)))
    assert weighted[0] > 1.5 * weighted[1]


def test_boundary_weights_of_sky_and_sea_leave_an_objects_outline_alone():
    target = torch.zeros(1, 10, 12, dtype=torch.long)
    target[:, 5:] = 1
    target[:, 1:3, 8:10] = 2  # "other" in the sky, away from the horizon
    every = boundary_weights(target, 3, radius=1, gain=4.0)[0]
    horizon = boundary_weights(target, 3, radius=1, gain=4.0, classes=(0, 1))[0]
    assert every[2, 8] == 5 and horizon[2, 8] == 1  # the object's outline: weighed only with every class
    assert horizon[:, 3].tolist() == [1, 1, 1, 1, 5, 5, 1, 1, 1, 1]  # the sky-sea boundary: weighed in both
    assert every[:, 3].tolist() == horizon[:, 3].tolist()


def test_soft_targets_are_each_pixels_class_shares():
    """A horizon between full-resolution rows 100 and 101 splits network row 50 (rows 100-101) half and half;
    a pixel that is mostly ignored is all zeros, one partly ignored gets the shares of its labelled area."""
    mask = np.zeros((320, 416), np.uint8)
    mask[101:] = 1
    mask[:, :3] = 255  # network column 0 (rows 0-1) is 3/4 ignored (0.75 > 0.5), column 1 is sky
    mask[200:, 10:12] = 2  # network column 5 below row 100: other
    shares = soft_targets(mask, (160, 208))
    assert shares.shape == (3, 160, 208) and shares.dtype == np.float32
    np.testing.assert_allclose(shares[:, 49:52, 50].T, [[1, 0, 0], [0.5, 0.5, 0], [0, 1, 0]])
    assert not shares[:, 10, 0].any()
    np.testing.assert_allclose(shares[:, 10, 1], [1, 0, 0])
    np.testing.assert_allclose(shares[:, 120, 5], [0, 0, 1])
    np.testing.assert_allclose(shares.sum(axis=0)[:, 1:], 1.0, atol=1e-6)


def test_loss_of_one_hot_shares_equals_the_loss_of_labels_and_shares_between_cost_less():
    """Class shares that are one-hot are the label map: the same loss, plain and boundary-weighted. A network
    pixel half sky, half sea is best predicted half and half, not as either class."""
    rng = np.random.default_rng(0)
    labels = torch.from_numpy(rng.integers(0, 3, size=(2, 12, 16))).long()
    labels[0, :2] = 255
    shares = torch.zeros(2, 3, 12, 16)
    for c in range(3):
        shares[:, c] = (labels == c).float()
    logits = torch.from_numpy(rng.normal(size=(2, 3, 12, 16)).astype(np.float32))
    for extra in ((), (1.0, 3.0, 1)):
        assert float(segmentation_loss(logits, shares, *extra)) == pytest.approx(
            float(segmentation_loss(logits, labels, *extra)), rel=1e-5)
    assert torch.equal(hard_labels(shares), labels)
    half = torch.zeros(1, 3, 4, 4)
    half[:, 0], half[:, 1] = 0.5, 0.5
    guesses = {name: torch.tensor(v, dtype=torch.float32).view(1, 3, 1, 1).expand(1, 3, 4, 4)
               for name, v in (("even", [3.0, 3.0, -3.0]), ("sky", [6.0, 0.0, -3.0]), ("sea", [0.0, 6.0, -3.0]))}
    loss = {name: float(segmentation_loss(g, half, dice_weight=0.0)) for name, g in guesses.items()}
    assert loss["even"] < loss["sky"] and loss["even"] < loss["sea"]
