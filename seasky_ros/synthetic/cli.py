# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-synth``: synthetic frames as a dataset folder."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .render import write_dataset_folder
from .scene import DEFAULT_HARBOUR_SHARE


def main(argv: Sequence[str] | None = None) -> int:
    """``seasky-synth OUT --count N --seed S``: write synthetic frames as a dataset folder."""
    parser = argparse.ArgumentParser(
        prog="seasky-synth",
        description="Render synthetic LWIR maritime frames with exact sky/sea/other masks and horizon lines "
        "into a dataset folder (images/, masks/, horizon.csv).",
    )
    parser.add_argument("out", type=Path, help="output dataset folder")
    parser.add_argument("--count", type=int, default=100, help="number of frames (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--height", type=int, default=512, help="frame height in pixels (default 512)")
    parser.add_argument("--width", type=int, default=640, help="frame width in pixels (default 640)")
    parser.add_argument("--harbour-share", type=float, default=DEFAULT_HARBOUR_SHARE,
                        help=f"share of harbour scenes, 0..1 (default {DEFAULT_HARBOUR_SHARE})")
    parser.add_argument("--no-hard-cases", action="store_true",
                        help="without cloud banks, extra glint and wakes: the scenes of the generator before them")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.count < 0 or args.height < 8 or args.width < 8:
        parser.error("need --count >= 0 and a frame of at least 8x8 pixels")
    if not 0.0 <= args.harbour_share <= 1.0:
        parser.error("--harbour-share must be between 0 and 1")
    write_dataset_folder(args.out, args.count, args.seed, args.height, args.width, progress=not args.no_progress,
                         harbour_share=args.harbour_share, hard_cases=not args.no_hard_cases)
    print(f"seasky-synth: wrote {args.count} frames to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
