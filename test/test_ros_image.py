# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Image message <-> numpy: encodings, row padding, byte order, compression, and clear errors."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from seasky_ros.frame_codec import (
    ENCODINGS,
    bytes_per_pixel,
    declared_size,
    decode_compressed,
    decode_raw,
    encode_compressed,
    encode_raw,
)
from seasky_ros.preprocess import FrameError

RNG = np.random.default_rng(7)


def sample(encoding: str, height: int = 5, width: int = 7) -> np.ndarray:
    dtype, channels = ENCODINGS[encoding]
    shape = (height, width) if channels == 1 else (height, width, channels)
    if dtype == np.float32:
        return RNG.normal(290.0, 5.0, shape).astype(np.float32)
    return RNG.integers(0, np.iinfo(dtype).max, shape, endpoint=True).astype(dtype)


def padded(image: np.ndarray, pad: int, big_endian: bool) -> tuple[bytes, int]:
    """Raw bytes as a driver with ``pad`` bytes of row padding and the given byte order sends them."""
    wire = image.astype(image.dtype.newbyteorder(">" if big_endian else "<"))
    rows = wire.reshape(image.shape[0], -1).view(np.uint8)
    step = rows.shape[1] + pad
    out = np.zeros((image.shape[0], step), dtype=np.uint8)
    out[:, : rows.shape[1]] = rows
    return out.tobytes(), step


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("pad", [0, 3, 8])
@pytest.mark.parametrize("big_endian", [False, True])
def test_decode_every_encoding_with_padding_and_byte_order(encoding, pad, big_endian):
    image = sample(encoding)
    data, step = padded(image, pad, big_endian)
    decoded = decode_raw(data, image.shape[0], image.shape[1], step, encoding, big_endian)
    assert decoded.dtype == image.dtype.newbyteorder("=")
    assert decoded.shape == image.shape
    np.testing.assert_array_equal(decoded, image)


@pytest.mark.parametrize("encoding", ["mono8", "bgr8", "mono16", "32FC1"])
def test_encode_decode_round_trip(encoding):
    image = sample(encoding, 12, 9)
    data, height, width, step, enc, big = encode_raw(image, encoding)
    assert (height, width, enc) == (12, 9, encoding)
    assert step == width * bytes_per_pixel(encoding)
    np.testing.assert_array_equal(decode_raw(data, height, width, step, enc, big), image)


def test_encode_infers_encoding():
    assert encode_raw(np.zeros((2, 3), np.uint16))[4] == "mono16"
    assert encode_raw(np.zeros((2, 3), np.float64))[4] == "32FC1"
    assert encode_raw(np.zeros((2, 3, 3), np.uint8))[4] == "bgr8"
    with pytest.raises(FrameError, match="cannot infer"):
        encode_raw(np.zeros((2, 3), np.int64))


def test_decode_is_a_view_when_possible():
    image = sample("mono16", 4, 6)
    data = bytearray(image.astype("<u2").tobytes())
    decoded = decode_raw(data, 4, 6, 12, "mono16", False)
    data[0] ^= 0xFF
    assert decoded[0, 0] != image[0, 0]  # no copy: a 640x512 frame costs nothing to convert


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"encoding": "yuv422"}, "unsupported encoding 'yuv422'"),
        ({"height": 0}, "zero-size"),
        ({"width": 0}, "zero-size"),
        ({"step": 10}, "step 10 is less than width 6"),
        ({"data": bytes(47)}, "truncated frame: 47 bytes"),
    ],
)
def test_clear_errors(kwargs, message):
    args = {"data": bytes(48), "height": 4, "width": 6, "step": 12, "encoding": "mono16", "is_bigendian": False}
    args.update(kwargs)
    with pytest.raises(FrameError, match=message):
        decode_raw(**args)


def test_extra_data_beyond_step_times_height_is_ignored():
    image = sample("mono8", 3, 4)
    decoded = decode_raw(image.tobytes() + b"\x00" * 5, 3, 4, 4, "mono8")
    np.testing.assert_array_equal(decoded, image)


@pytest.mark.parametrize(("image", "encoding"), [
    (sample("mono8", 20, 30), "mono8"),
    (sample("mono16", 20, 30), "mono16"),
    (sample("bgr8", 20, 30), "bgr8"),
])
def test_png_round_trip_is_lossless_incl_16_bit(image, encoding):
    decoded, enc = decode_compressed(encode_compressed(image, "png"), "png")
    assert enc == encoding
    np.testing.assert_array_equal(decoded, image)


def test_jpeg_round_trip():
    image = np.tile(np.linspace(0, 255, 64, dtype=np.uint8), (48, 1))
    decoded, enc = decode_compressed(encode_compressed(image, "jpg", quality=95), "jpeg")
    assert enc == "mono8" and decoded.shape == image.shape
    assert np.abs(decoded.astype(int) - image).mean() < 3
    with pytest.raises(FrameError, match="8-bit"):
        encode_compressed(sample("mono16"), "jpeg")


def test_compressed_errors():
    with pytest.raises(FrameError, match="empty"):
        decode_compressed(b"", "png")
    with pytest.raises(FrameError, match="cannot decode"):
        decode_compressed(b"not an image at all", "png")
    with pytest.raises(FrameError, match="unsupported compressed format"):
        encode_compressed(sample("mono8"), "webp")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width x height and holds a few bytes of (broken) data: a bomb's header."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    idat = zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + chunk + struct.pack(">I", len(idat)) + b"IDAT" + idat
            + struct.pack(">I", zlib.crc32(b"IDAT" + idat)))


def tiff_of(image: np.ndarray) -> bytes:
    import cv2

    ok, data = cv2.imencode(".tif", image)
    assert ok
    return data.tobytes()


def test_declared_size_is_read_from_the_header_without_decoding():
    gray = sample("mono8", 48, 64)
    assert declared_size(encode_compressed(gray, "png")) == (64, 48)
    assert declared_size(encode_compressed(gray, "jpeg")) == (64, 48)
    assert declared_size(encode_compressed(sample("mono16", 30, 20), "png")) == (20, 30)
    assert declared_size(tiff_of(gray)) == (64, 48)
    assert declared_size(png_header_only(20000, 30000)) == (20000, 30000)
    assert declared_size(b"GIF89a and so on") is None


def test_a_decompression_bomb_is_refused_from_its_header():
    """The size check happens before decoding: the bomb's header alone is enough to refuse it."""
    with pytest.raises(FrameError, match=r"20000x30000.*larger than the 1000000-pixel limit"):
        decode_compressed(png_header_only(20000, 30000), "png", max_pixels=1_000_000)
    frame = np.zeros((600, 800), np.uint8)  # 480000 px, a real PNG of a few hundred bytes
    for fmt in ("png", "jpeg"):
        data = encode_compressed(frame, fmt)
        with pytest.raises(FrameError, match=r"800x600 .*larger than the 100000-pixel limit"):
            decode_compressed(data, fmt, max_pixels=100_000)
        assert decode_compressed(data, fmt, max_pixels=480_000)[0].shape == (600, 800)
    with pytest.raises(FrameError, match="not PNG or JPEG"):
        decode_compressed(tiff_of(frame), "tiff")


def test_decoder_noise_goes_into_the_error_not_to_stderr(capfd):
    data = bytearray(encode_compressed(sample("mono8", 64, 64), "png"))
    data[60:80] = b"x" * 20  # damaged compressed data, intact header
    for _ in range(3):
        with pytest.raises(FrameError, match="cannot decode") as info:
            decode_compressed(bytes(data), "png")
        assert "\n" not in str(info.value)
    jpeg = encode_compressed(sample("mono8", 64, 64), "jpeg")
    with pytest.raises(FrameError, match="truncated.*premature end"):  # libjpeg would fill it with gray
        decode_compressed(jpeg[: len(jpeg) // 2] + b"\xff\xd9", "jpeg")
    captured = capfd.readouterr()
    assert "libpng" not in captured.err and "JPEG" not in captured.err and "WARN" not in captured.err, captured.err


def test_ros_messages_round_trip():
    pytest.importorskip("sensor_msgs.msg")
    from std_msgs.msg import Header

    from seasky_ros.ros_image import (
        compressed_to_numpy,
        image_to_numpy,
        message_to_numpy,
        numpy_to_compressed,
        numpy_to_image,
    )

    header = Header(frame_id="ir")
    header.stamp.sec, header.stamp.nanosec = 12, 345
    for encoding in ("mono8", "bgr8", "mono16", "32FC1"):
        image = sample(encoding, 16, 20)
        msg = numpy_to_image(image, encoding, header)
        assert (msg.height, msg.width, msg.encoding, msg.header.frame_id) == (16, 20, encoding, "ir")
        decoded, enc = image_to_numpy(msg)
        assert enc == encoding
        np.testing.assert_array_equal(decoded, image)
    image = sample("mono16", 16, 20)
    cmsg = numpy_to_compressed(image, "png", header)
    assert cmsg.format == "png" and cmsg.header.stamp.nanosec == 345
    np.testing.assert_array_equal(compressed_to_numpy(cmsg)[0], image)
    np.testing.assert_array_equal(message_to_numpy(cmsg)[0], image)


def test_ros_message_with_padding_and_big_endian():
    pytest.importorskip("sensor_msgs.msg")
    from sensor_msgs.msg import Image

    from seasky_ros.ros_image import image_to_numpy

    image = sample("mono16", 6, 5)
    data, step = padded(image, 6, big_endian=True)
    msg = Image(height=6, width=5, step=step, encoding="16UC1", is_bigendian=1, data=data)
    decoded, enc = image_to_numpy(msg)
    assert enc == "16UC1"
    np.testing.assert_array_equal(decoded, image)
    msg.data = data[:-1]
    with pytest.raises(FrameError, match="truncated"):
        image_to_numpy(msg)
