# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The horizon at any roll: the mask turned by quarter turns so the sky is up, the upright search, the line turned back.

Why this way: the upright search (``seasky_ros.horizon``) reads the sky->sea boundary column by
column and holds lines up to about 45 deg either way; any roll is a quarter turn (or two) away
from that. Turning the mask and the image by quarter turns is exact (no resampling) and cheap,
and leaves the upright search, its measured rules and the waterline search beside it as they
are. An upright frame costs only the choice of the turn (about 0.1 ms at 640x512): no copy; a turned
one a copy of its mask (the image is read through a turned view, strips of it at a time).
``seasky_ros.horizon.find_horizon`` is the way in.
"""

from __future__ import annotations

import numpy as np

from .horizon import (
    DEFAULT_SETTINGS,
    REASON_FEW_VALID,
    REASON_NO_SKY_BEYOND,
    SOURCE_SKY_SEA,
    Horizon,
    HorizonSearch,
    HorizonSettings,
    _find_upright,
    sea_below,
)
from .horizon_line import line_through


def sky_up_turns(labels: np.ndarray, sky: int = 0, sea: int = 1,
                 settings: HorizonSettings = DEFAULT_SETTINGS) -> tuple[int, ...]:
    """Quarter turns (``np.rot90``'s k) that bring the mask's sky up, the likeliest first.

    Counts the sky->sea steps in each of the four directions on a coarse grid (about 128
    cells across): for a horizon at roll r, the steps with the sky above outnumber the others
    while |r| < 45 deg, the ones with the sky on the right from 45 to 135 deg, and so on. Local
    steps, not where the sky and the sea lie on the whole, so a coast or a hull beside the sea
    does not sway it. A neighbouring turn is offered next when the line lies nearly between two
    (its steps at least ``second_turn_share`` of the first's: about 27 deg or more from the
    first's upright), and the upright turn when it has that many too, for the search to try when
    the first finds nothing. A mask with about as much sea over sky as sky over sea (patches that
    a network trained on upright frames makes; a camera upside down shows hardly any sky over
    sea) is searched the usual way up first.
    """
    step = max(1, min(labels.shape) // 128)
    coarse = labels[::step, ::step]
    is_sky, is_sea = coarse == sky, coarse == sea
    counts = np.array([
        np.count_nonzero(is_sky[:-1] & is_sea[1:]),  # sky above the sea: as it is
        np.count_nonzero(is_sea[:, :-1] & is_sky[:, 1:]),  # sky right of the sea: a quarter turn left
        np.count_nonzero(is_sea[:-1] & is_sky[1:]),  # sky below: half a turn
        np.count_nonzero(is_sky[:, :-1] & is_sea[:, 1:]),  # sky left of the sea: a quarter turn right
    ])
    first = int(np.argmax(counts))  # ties: the upright turn
    if counts[first] == 0:
        return (0,)
    enough = settings.second_turn_share * counts[first]
    neighbour = max(((first + 1) % 4, (first + 3) % 4), key=lambda k: counts[k])
    turns = [first] + [k for k in (neighbour, 0) if k != first and counts[k] >= enough]
    if first == 2 and 0 in turns:  # as much sky over sea as under it: the usual way up first
        turns.remove(0)
        turns.insert(0, 0)
    return tuple(dict.fromkeys(turns))


def _open_sky(labels: np.ndarray, line: Horizon, sky: int, other: int, settings: HorizonSettings) -> bool:
    """Whether the band on the sky side of a line found in a turned mask is sky (``sea_below`` mirrored).

    Networks trained on upright frames leave thin strips of "sky" between the sea and the own
    bow at the bottom of a frame; upside down, such a strip has sea "below" it and would make a
    horizon, and on a blank frame a network may put a strip of sky along a side border. A real
    horizon has open sky beyond it as it has open sea below it; a line with no room beyond it for
    that band (within ``sea_below_rel`` of the border) is not taken from a turned mask.
    """
    height = labels.shape[0]
    flipped = labels[::-1]
    a = -line.slope
    b = height - 1.0 - float(line.y_at(0.0))
    share = sea_below(flipped, a, b, sea=sky, other=other, settings=settings)
    return share is not None and share >= settings.min_sea_below  # no room to see open sky: none seen


def turn_back(line: Horizon, k: int, width: int, height: int) -> Horizon:
    """A line found in ``np.rot90(mask, k)`` as the line in the W x H mask itself (the sky stays on its side)."""
    def back(x: float, y: float) -> tuple[float, float]:
        if k == 1:
            return width - 1.0 - y, x
        if k == 2:
            return width - 1.0 - x, height - 1.0 - y
        return y, height - 1.0 - x

    (x0, y0), (x1, y1) = back(line.x0, line.y0), back(line.x1, line.y1)
    return line_through(x0, y0, x1 - x0, y1 - y0, width, height, confidence=line.confidence,
                        inlier_share=line.inlier_share, support=line.support, edge=line.edge, source=line.source)


def search_turned(
    labels: np.ndarray,
    image: np.ndarray | None,
    *,
    sky: int,
    sea: int,
    other: int,
    ignore: int,
    min_support: float,
    refine: bool,
    invalid_pixels: int,
    settings: HorizonSettings = DEFAULT_SETTINGS,
) -> HorizonSearch:
    """``find_horizon`` past its argument checks: the turns of ``sky_up_turns`` in order, the first line found."""
    height, width = labels.shape
    first: HorizonSearch | None = None
    for k in sky_up_turns(labels, sky, sea, settings):
        turned = labels if k == 0 else np.ascontiguousarray(np.rot90(labels, k))
        turned_image = image if k == 0 or image is None else np.rot90(image, k)  # a view: only strips of it are read
        search = _find_upright(turned, turned_image, sky=sky, sea=sea, other=other, ignore=ignore,
                               min_support=min_support, refine=refine, invalid_pixels=invalid_pixels,
                               settings=settings)
        if (search.horizon is not None and k != 0 and search.horizon.source == SOURCE_SKY_SEA
                and not _open_sky(turned, search.horizon, sky, other, settings)):
            search = HorizonSearch(None, REASON_NO_SKY_BEYOND)
        if search.horizon is not None:
            return search if k == 0 else HorizonSearch(turn_back(search.horizon, k, width, height))
        first = first or search
        if search.reason == REASON_FEW_VALID:  # the frame's, whichever way it is turned
            break
    return first
