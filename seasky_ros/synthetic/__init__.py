# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Synthetic long-wave infrared maritime scenes with exact labels: the default training data.

Labelled real IR sea footage is scarce, and hand-drawn horizons are never better than a pixel
or two. A renderer gives unlimited frames whose mask and horizon line are exact by construction,
and lets us cover what real datasets rarely do: tilted and out-of-view horizons, both
polarities, raw 14-bit counts as well as 8-bit AGC'd video, and very low sea/sky contrast.

The model is phenomenological but physically motivated, in "temperature" units (kelvin relative
to the sky just above the horizon):

* Geometry: a pinhole camera (focal length from the horizontal field of view) at a height above
  a flat sea, with pitch and roll. The horizon of a plane seen through a pinhole is a straight
  line, so the ground-truth line is exact. Everything is drawn on a *roll-corrected canvas*
  (rows parallel to the horizon, so per-elevation profiles are 1-D arrays and broadcast), and
  one affine warp rotates the canvas into the image.
* Sky: cold at the zenith, warming towards the horizon (longer air path), with soft-edged
  clouds from a periodic noise tile projected onto a cloud deck (so they flatten into bands
  towards the horizon).
* Sea: emission of the water mixed with reflected sky; the reflectance of water rises steeply at
  grazing angles, so far away the sea looks like the sky near the horizon and close by like the
  water itself. Waves are anisotropic noise tiles projected onto the sea plane (crests along
  the horizon, finer near it by perspective; a smooth warp of the plane hides the tile period,
  which would otherwise show as a lattice converging to the horizon), plus bright breaking-wave
  bands (as thick as their breaking face, like the surf lines of real coastal footage), sun
  glint and rippled reflections of vessels and coasts.
* Haze: a soft band around the horizon that pulls sea and sky towards the same value; combined
  with the sea/sky contrast parameter this ranges from an obvious to an almost invisible horizon,
  with the sea either brighter or darker than the sky above it, as in real footage.
* Other (label 2): coasts on the horizon (hills, flat shores, city skylines with lit or cold
  windows), bridges, vessels (shaded hulls, deckhouses, windows, hot funnels), and sometimes
  the own bow at the bottom of the frame, all attenuated towards the haze value with distance.
  About one scene in five is a *harbour*: a low camera close to a waterfront of buildings or
  trees that rise far above the horizon, near boats, often a bridge overhead and a large own
  bow in view; real harbour footage (MassMIND) is mostly such structure, open-sea clips none. An object fainter than
  ``min_visible_k`` against the haze is left out altogether: a label for something the image
  does not show would teach the network to guess.
* Sensor: optical blur, vignetting, column fixed-pattern noise, temporal noise, dead and hot
  pixels; 14-bit counts with an offset in uint16 (white-hot or black-hot), or 8-bit AGC video.

All randomness about the scene lives in ``SceneParams`` (its ``content_seed`` drives the noise
tiles and object shapes), so one scene can be re-rendered with another camera attitude: that is
how ``render_sequence`` makes a ship rolling in a swell. Only temporal sensor noise comes from
the ``rng`` passed to ``render_scene``.

Camera intrinsics of a frame of size W x H: ``fx = fy = (W/2) / tan(hfov/2)``, ``cx = (W-1)/2``,
``cy = (H-1)/2`` (pixel centres at integer coordinates, y down). Labels follow
``seasky_ros.horizon``'s convention: a pixel is sea when its area reaches below the line
(``row + 0.5 > y``), so the first sea row of a column is the one containing the line; the
horizon is None when that leaves no sky or no sea in the frame.

The package, read top to bottom: ``scene`` (parameters), ``content`` (noise and shapes from the
content seed), ``canvas`` (geometry), ``draw`` (the passes), ``sensor``, ``render`` (frames,
sequences, dataset folders) and ``cli`` (``seasky-synth``).
"""

from .canvas import horizon_line
from .cli import main
from .render import generate_frame, render_scene, render_sequence, write_dataset_folder
from .scene import DEFAULT_HARBOUR_SHARE, OTHER, SEA, SKY, HorizonPoints, SceneParams, SyntheticFrame, Vessel

__all__ = [
    "DEFAULT_HARBOUR_SHARE", "OTHER", "SEA", "SKY", "HorizonPoints", "SceneParams", "SyntheticFrame", "Vessel",
    "generate_frame", "horizon_line", "main", "render_scene", "render_sequence", "write_dataset_folder",
]
