# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``python -m seasky_ros.synthetic``: the same as ``seasky-synth``."""

from .cli import main

raise SystemExit(main())
