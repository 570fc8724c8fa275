# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The U-Net: output shapes for any input size, and the configurations we compare."""

import pytest
import torch

from seasky_ros.model import SEED_CONFIG, UNet, UNetConfig, count_parameters


@pytest.mark.parametrize("size", [(64, 80), (63, 81), (37, 50), (160, 208), (17, 29)])
@pytest.mark.parametrize("bilinear", [True, False])
def test_output_has_input_size_and_one_logit_per_class(size, bilinear):
    model = UNet(UNetConfig(base=4, depth=3, bilinear=bilinear)).eval()
    with torch.inference_mode():
        out = model(torch.randn(2, 1, *size))
    assert out.shape == (2, 3, *size)
    assert torch.isfinite(out).all()


def test_depth_and_width_change_the_network():
    small = count_parameters(UNet(UNetConfig(base=8, depth=3)))
    wider = count_parameters(UNet(UNetConfig(base=16, depth=3)))
    deeper = count_parameters(UNet(UNetConfig(base=8, depth=4)))
    assert wider > 3 * small
    assert deeper > small


def test_seed_configuration_is_constructible_and_much_larger_than_the_default():
    seed = UNet(SEED_CONFIG)
    lite = UNet(UNetConfig())
    assert SEED_CONFIG.base == 64 and SEED_CONFIG.depth == 4
    assert count_parameters(seed) > 10 * count_parameters(lite)


def test_config_round_trips_through_a_dict_and_rejects_nonsense():
    cfg = UNetConfig(in_channels=1, num_classes=3, base=12, depth=2, bilinear=False)
    assert UNetConfig.from_dict({**cfg.to_dict(), "unknown": 1}) == cfg
    with pytest.raises(ValueError):
        UNet(UNetConfig(depth=0))


def test_model_learns_a_trivial_split():
    """A few Adam steps on 'top half class 0, bottom half class 1' drive the loss down."""
    torch.manual_seed(0)
    model = UNet(UNetConfig(base=4, depth=2))
    x = torch.zeros(4, 1, 32, 32)
    x[:, :, 16:] = 1.0
    y = torch.zeros(4, 32, 32, dtype=torch.long)
    y[:, 16:] = 1
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(30):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.3 * losses[0]
