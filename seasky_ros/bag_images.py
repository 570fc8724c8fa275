# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-bag from-images``: a folder of frames as a camera bag, so your own frames go through the node.

Files are taken in name order (time order for timestamped or numbered names), one frame every
1/RATE seconds, as sensor_msgs/Image in the chosen encoding, with CameraInfo from a ROS
calibration YAML (the ``camera_calibration`` format: ``image_width``, ``camera_matrix``, ...)
when one is given. The bag is written whole or not at all. ``seasky-bag process`` and
``seasky-bag play`` read it like a recording.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import cv2
import numpy as np

from .bag_io import CAMERA_INFO, IMAGE, STORAGES, BagError, BagWriter, set_stamp
from .bag_sample import SAMPLE_START_NS

FRAME_SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".pgm")
ENCODINGS = ("mono8", "mono16")
DEFAULT_TOPIC = "/camera/image_raw"


def frame_files(folder: Path) -> list[Path]:
    """The folder's image files in name order; BagError when there are none."""
    if not folder.is_dir():
        raise BagError(f"{folder}: not a directory")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in FRAME_SUFFIXES and not p.name.startswith("."))
    if not files:
        raise BagError(f"{folder}: no images ({', '.join(FRAME_SUFFIXES)})")
    return files


def read_frame(path: Path, encoding: str) -> np.ndarray:
    """One file as a 2-D array in ``encoding``: colour becomes gray, 8-bit becomes 16-bit exactly (x257).

    16-bit frames are refused as mono8: squeezing raw thermal counts into 8 bits is a choice of
    window that the camera, not this tool, should make.
    """
    image = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise BagError(f"{path}: not a readable image")
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = cv2.cvtColor(image, code) if image.shape[2] in (3, 4) else image[:, :, 0]
    if image.dtype == np.uint8:
        return image if encoding == "mono8" else image.astype(np.uint16) * 257
    if image.dtype == np.uint16:
        if encoding == "mono8":
            raise BagError(f"{path}: a 16-bit image; use --encoding mono16 (mono8 would throw its range away)")
        return image
    raise BagError(f"{path}: unsupported pixel type {image.dtype} (need 8 or 16 bit)")


def default_encoding(path: Path) -> str:
    """mono16 for a 16-bit first frame, else mono8."""
    image = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    return "mono16" if image is not None and image.dtype == np.uint16 else "mono8"


def camera_info_from_yaml(path: Path):
    """A sensor_msgs/CameraInfo (header left empty) from a ROS calibration YAML."""
    import yaml
    from sensor_msgs.msg import CameraInfo

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        msg = CameraInfo()
        msg.width, msg.height = int(data["image_width"]), int(data["image_height"])
        msg.k = [float(v) for v in data["camera_matrix"]["data"]]
        msg.distortion_model = str(data.get("distortion_model", "plumb_bob"))
        msg.d = [float(v) for v in (data.get("distortion_coefficients") or {}).get("data", [])]
        msg.r = [float(v) for v in (data.get("rectification_matrix") or {}).get("data", [1, 0, 0, 0, 1, 0, 0, 0, 1])]
        if data.get("projection_matrix"):
            msg.p = [float(v) for v in data["projection_matrix"]["data"]]
        else:
            k = msg.k
            msg.p = [k[0], k[1], k[2], 0.0, k[3], k[4], k[5], 0.0, k[6], k[7], k[8], 0.0]
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BagError(f"{path}: cannot read the camera calibration ({' '.join(str(exc).split())})") from exc
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        raise BagError(f"{path}: not a ROS camera calibration YAML (image_width, image_height, camera_matrix.data "
                       f"with 9 values...): {type(exc).__name__} {exc}") from exc
    return msg


def camera_info_topic_for(image_topic: str) -> str:
    """image_transport's convention: ``/ir/image_raw`` -> ``/ir/camera_info``."""
    return image_topic.rsplit("/", 1)[0] + "/camera_info" if "/" in image_topic.strip("/") else "/camera_info"


def from_images(folder: str | os.PathLike, out: str | os.PathLike, rate_hz: float, encoding: str | None = None,
                camera_info: str | os.PathLike | None = None, topic: str = DEFAULT_TOPIC,
                camera_info_topic: str | None = None, frame_id: str = "camera", storage: str = "sqlite3",
                start_ns: int = SAMPLE_START_NS, overwrite: bool = False) -> tuple[Path, int]:
    """Write the bag atomically; returns its path and the frame count. Every problem is a BagError."""
    if not rate_hz > 0:
        raise BagError(f"--rate must be > 0 Hz, got {rate_hz}")
    files = frame_files(Path(folder))
    encoding = encoding or default_encoding(files[0])
    if encoding not in ENCODINGS:
        raise BagError(f"encoding must be one of {', '.join(ENCODINGS)}, got '{encoding}'")
    info = camera_info_from_yaml(Path(camera_info)) if camera_info else None
    info_topic = camera_info_topic or camera_info_topic_for(topic)
    from std_msgs.msg import Header

    from .ros_image import numpy_to_image

    period_ns = round(1e9 / rate_hz)
    size = None
    with BagWriter(out, storage, atomic=True, overwrite=overwrite) as bag:
        bag.add_topic(topic, IMAGE)
        if info is not None:
            bag.add_topic(info_topic, CAMERA_INFO)
        for i, path in enumerate(files):
            image = read_frame(path, encoding)
            height, width = image.shape
            if size is None:
                size = (width, height)
                if info is not None and (info.width, info.height) != size:
                    raise BagError(f"{camera_info}: calibrated for {info.width}x{info.height}, the frames are "
                                   f"{width}x{height}")
            elif (width, height) != size:
                raise BagError(f"{path}: {width}x{height}, the frames before it are {size[0]}x{size[1]} "
                               "(one camera, one size)")
            t = start_ns + i * period_ns
            header = Header(frame_id=frame_id)
            set_stamp(header.stamp, t)
            if info is not None:
                info.header = header
                bag.write(info_topic, t, info)
            bag.write(topic, t, numpy_to_image(image, encoding, header))
    return Path(out), len(files)


def _cmd_from_images(args) -> int:
    out, frames = from_images(args.folder, args.out_bag, args.rate, args.encoding, args.camera_info, args.topic,
                              args.camera_info_topic, args.frame_id, args.storage, overwrite=args.overwrite)
    what = "Image" + (" + CameraInfo" if args.camera_info else "")
    print(f"seasky-bag: {frames} frames ({what}) from {args.folder} at {args.rate:g} Hz on {args.topic} -> {out}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The ``from-images`` sub-command of seasky-bag."""
    fi = sub.add_parser("from-images", help="a folder of frames as a camera bag (Image, optional CameraInfo)")
    fi.add_argument("folder", type=Path, help="the frames (png, tif, jpg, pgm), taken in name order")
    fi.add_argument("out_bag", type=Path)
    fi.add_argument("--rate", type=float, required=True, help="camera rate in Hz (one frame every 1/RATE s)")
    fi.add_argument("--encoding", choices=ENCODINGS, default=None,
                    help="default: mono16 for 16-bit frames, else mono8 (8-bit frames become mono16 x257)")
    fi.add_argument("--camera-info", type=Path, default=None, help="ROS calibration YAML (camera_calibration format)")
    fi.add_argument("--topic", default=DEFAULT_TOPIC, help="image topic")
    fi.add_argument("--camera-info-topic", default=None, help="default: camera_info beside the image topic")
    fi.add_argument("--frame-id", default="camera")
    fi.add_argument("--storage", choices=STORAGES, default="sqlite3")
    fi.add_argument("--overwrite", action="store_true")
    fi.set_defaults(func=_cmd_from_images)
