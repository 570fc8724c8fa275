# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""seasky-bag process against a hostile world: bad frames, signals, its own input as output, odd outputs.

Real bags written with rosbags, the real CLI (in-process, or as a subprocess for signals), a model
trained for real: nothing is mocked.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rclpy")
pytest.importorskip("rosbags")

from sensor_msgs.msg import CompressedImage, Image  # noqa: E402

from seasky_ros import bag as bagtool  # noqa: E402
from seasky_ros.bag_io import BagReader, BagWriter, deserialize  # noqa: E402
from seasky_ros.interface import OUTPUT_TOPICS  # noqa: E402
from seasky_ros.ros_image import numpy_to_compressed  # noqa: E402
from seasky_ros.synthetic import render_sequence  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TOPIC = "/camera/image_raw"
MASKS = OUTPUT_TOPICS["mask"]
SEED = 5


def frame(height: int = 64, width: int = 80) -> np.ndarray:
    return next(iter(render_sequence(1, 10.0, SEED, height=height, width=width))).image


def image_msg(array: np.ndarray, sec: int) -> Image:
    msg = Image(height=array.shape[0], width=array.shape[1], encoding="mono16", step=array.strides[0],
                data=array.tobytes())
    msg.header.stamp.sec = sec
    return msg


def write_bag(path: Path, msgs: list, topic: str = TOPIC) -> Path:
    with BagWriter(path, "sqlite3") as writer:
        for i, msg in enumerate(msgs):
            writer.write(topic, i * 10**8, msg)
    return path


def mask_stamps(path: Path) -> list[int]:
    with BagReader(path) as reader:
        return [deserialize(data, Image).header.stamp.sec for _, _, _, data in reader.messages([MASKS])]


def process(*args: str) -> int:
    return bagtool.main(["process", *map(str, args), "--image-topic", TOPIC, "--no-progress"])


def test_a_frame_the_network_cannot_use_is_skipped_and_counted(tmp_path, trained_weights, capsys):
    """A 1 x 80 frame is valid as a message; the node skips it, and so does process."""
    good = frame()
    thin = good[:1].copy()
    path = write_bag(tmp_path / "in", [image_msg(good, 0), image_msg(thin, 1), image_msg(good, 2)])
    out = tmp_path / "out"
    assert process(path, out, "--weights", trained_weights, "--csv", tmp_path / "h.csv") == 0
    captured = capsys.readouterr()
    assert "1 frame(s) skipped" in captured.err and "2 frames segmented" in captured.out
    assert "1 unusable" in captured.out and "Traceback" not in captured.err
    assert mask_stamps(out) == [0, 2]
    with open(tmp_path / "h.csv") as f:
        assert [row["stamp"].split(".")[0] for row in csv.DictReader(f)] == ["0", "2"]


def test_a_compressed_bomb_is_skipped_before_decoding(tmp_path, trained_weights, capsys):
    good = frame()
    big = np.zeros((600, 800), np.uint8)  # a few hundred bytes of PNG declaring 480000 pixels
    msgs = [numpy_to_compressed(good, "png"), numpy_to_compressed(big, "png"), numpy_to_compressed(good, "png")]
    for i, msg in enumerate(msgs):
        msg.header.stamp.sec = i
    path = write_bag(tmp_path / "in", msgs, TOPIC + "/compressed")
    out = tmp_path / "out"
    assert bagtool.main(["process", str(path), str(out), "--image-topic", TOPIC, "--compressed", "--weights",
                         str(trained_weights), "--max-frame-pixels", "100000", "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "1 frame(s) skipped" in err and "800x600" in err and "100000-pixel limit" in err
    with BagReader(out) as reader:
        assert [deserialize(d, Image).header.stamp.sec for _, _, _, d in reader.messages([MASKS])] == [0, 2]
        assert reader.count(TOPIC + "/compressed") == 3
    assert isinstance(msgs[1], CompressedImage)


def test_the_input_is_never_the_output(tmp_path, trained_weights, capsys):
    path = write_bag(tmp_path / "in", [image_msg(frame(), i) for i in range(2)])
    before = sorted((p.name, p.stat().st_size) for p in path.iterdir())
    for out in (path, path / "inner", tmp_path):
        assert process(path, out, "--weights", trained_weights, "--overwrite") == 1
        err = capsys.readouterr().err
        assert "refusing" in err and str(path) in err and len(err.strip().splitlines()) == 1, err
    for option in ("--csv", "--video"):
        assert process(path, tmp_path / "out", "--weights", trained_weights, option, path / "x.mp4") == 1
        assert "inside the input" in capsys.readouterr().err
    assert sorted((p.name, p.stat().st_size) for p in path.iterdir()) == before
    with BagReader(path) as reader:
        assert reader.count(TOPIC) == 2
    assert not (path / "inner").exists()


def test_video_of_a_bag_whose_resolution_changes_has_every_frame(tmp_path, trained_weights, capsys):
    import cv2

    good = frame()
    small = cv2.resize(good, (60, 48), interpolation=cv2.INTER_AREA)
    path = write_bag(tmp_path / "in", [image_msg(good, 0), image_msg(small, 1), image_msg(good, 2),
                                       image_msg(small, 3)])
    video = tmp_path / "overlay.mp4"
    assert process(path, tmp_path / "out", "--weights", trained_weights, "--video", video) == 0
    out = capsys.readouterr().out
    assert f"wrote {video}" in out and "2 of 4 frames resized" in out
    capture = cv2.VideoCapture(str(video))
    sizes = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        sizes.append(image.shape[:2])
    assert sizes == [(64, 80)] * 4


def test_an_unwritable_csv_or_video_fails_before_the_run(tmp_path, trained_weights, capsys):
    path = write_bag(tmp_path / "in", [image_msg(frame(), 0)])
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    for option in ("--csv", "--video"):
        out = tmp_path / f"out{option}"
        assert process(path, out, "--weights", trained_weights, option, blocker / "x.csv") == 1
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and str(blocker) in err and "Traceback" not in err, err
        assert not out.exists()
    assert process(path, tmp_path / "o", "--weights", trained_weights, "--csv", tmp_path) == 1
    assert "is a directory" in capsys.readouterr().err


def long_bag(path: Path, frames: int) -> Path:
    image = frame(128, 160)
    return write_bag(path, [image_msg(image, i) for i in range(frames)])


def test_sigterm_leaves_a_valid_partial_bag_csv_and_video(tmp_path, trained_weights):
    """What systemd, docker and ``timeout`` send: the outputs are finished and marked partial, like Ctrl-C."""
    frames = 600
    source = long_bag(tmp_path / "in", frames)
    out, table, video = tmp_path / "out", tmp_path / "h.csv", tmp_path / "v.mp4"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p))
    cmd = [sys.executable, "-m", "seasky_ros.bag", "process", str(source), str(out), "--image-topic", TOPIC,
           "--weights", str(trained_weights), "--csv", str(table), "--video", str(video)]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = ""
        while not any(int(n) >= 5 for n in re.findall(rf"(\d+)/{frames}", seen)):  # frames are flowing
            chunk = os.read(proc.stderr.fileno(), 4096).decode(errors="replace")  # the progress bar
            assert chunk, seen
            seen += chunk
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = seen + stderr.decode(errors="replace")
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err and "SIGTERM" in err and "partial" in err
    with BagReader(out) as reader:  # metadata.yaml written: a bag that opens
        done = reader.count(MASKS)
        mark = reader.custom_data.get("seasky.partial", "")
    assert 0 < done < frames
    assert "SIGTERM" in mark and f"{done} of {frames}" in mark, mark
    assert f"partial:  {mark}" in bagtool.info(out)
    with open(table) as f:
        assert len(list(csv.DictReader(f))) == done
    assert video.is_file() and not [p.name for p in tmp_path.iterdir() if "partial" in p.name]
    short = write_bag(tmp_path / "short", [image_msg(frame(), i) for i in range(3)])
    assert process(short, out, "--weights", trained_weights, "--overwrite") == 0
    assert mask_stamps(out) == [0, 1, 2]
