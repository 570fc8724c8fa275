# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""A plain U-Net for sky / sea / other segmentation of infrared frames.

Read it top to bottom: two 3x3 convolutions make a block, the encoder halves the resolution
`depth` times, the decoder doubles it back and concatenates the encoder's features of the
same scale (the skip connections), and a 1x1 convolution gives one logit per class.

The seed network was `UNet(base=64, depth=4)` at full resolution (~6 s a frame on 2 CPU
cores); the default here is a lite configuration run at a reduced input size so that a 30 Hz
640x512 camera is kept up with on a laptop CPU.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class UNetConfig:
    """Architecture parameters; stored in every weights file so it rebuilds itself."""

    in_channels: int = 1
    num_classes: int = 3
    base: int = 16
    depth: int = 4
    bilinear: bool = True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> UNetConfig:
        known = {k: values[k] for k in cls.__dataclass_fields__ if k in values}
        return cls(**known)


SEED_CONFIG = UNetConfig(in_channels=1, num_classes=3, base=64, depth=4, bilinear=False)
"""The original student network's shape, kept constructible for speed comparisons."""


class DoubleConv(nn.Module):
    """(3x3 conv, BatchNorm, ReLU) twice: the U-Net's basic block."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(x)


class Down(nn.Module):
    """Halve the resolution, then a DoubleConv."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.pool = nn.MaxPool2d(2)
        self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(self.pool(x))


class Up(nn.Module):
    """Double the resolution, join the skip connection, then a DoubleConv.

    Inputs whose size is not a multiple of 2**depth leave the upsampled map one pixel short
    of the skip; it is padded to match so any input size works.
    """

    def __init__(self, in_channels: int, skip_channels: int, out_channels: int, bilinear: bool) -> None:
        super().__init__()
        if bilinear:
            self.up = nn.Sequential(
                nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
                nn.Conv2d(in_channels, in_channels // 2, 1, bias=False),
            )
        else:
            self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, 2, stride=2)
        self.conv = DoubleConv(in_channels // 2 + skip_channels, out_channels)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = self.up(x)
        dy = skip.shape[-2] - x.shape[-2]
        dx = skip.shape[-1] - x.shape[-1]
        if dy or dx:
            x = F.pad(x, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
        return self.conv(torch.cat([skip, x], dim=1))


class UNet(nn.Module):
    """Encoder-decoder with skip connections; returns per-class logits at the input size."""

    def __init__(self, config: UNetConfig = UNetConfig()) -> None:
        super().__init__()
        if config.depth < 1 or config.base < 1:
            raise ValueError(f"U-Net needs depth >= 1 and base >= 1, got {config}")
        self.config = config
        widths = [config.base * 2**i for i in range(config.depth + 1)]
        self.inc = DoubleConv(config.in_channels, widths[0])
        self.downs = nn.ModuleList(Down(widths[i], widths[i + 1]) for i in range(config.depth))
        self.ups = nn.ModuleList(
            Up(widths[i + 1], widths[i], widths[i], config.bilinear) for i in reversed(range(config.depth))
        )
        self.outc = nn.Conv2d(widths[0], config.num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = [self.inc(x)]
        for down in self.downs:
            skips.append(down(skips[-1]))
        x = skips.pop()
        for up in self.ups:
            x = up(x, skips.pop())
        return self.outc(x)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters, for reports and the benchmark table."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
