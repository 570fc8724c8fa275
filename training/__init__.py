# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Offline training and evaluation; installed as ``seasky_training`` (setup.py maps this folder), a name that
cannot collide with another ``training`` package. It imports the ``seasky_ros`` core only."""
