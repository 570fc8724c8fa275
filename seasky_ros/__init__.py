# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
