# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""rosbag2 files (sqlite3 or mcap) read and written with the ``rosbags`` library.

The ROS ``rosbag2`` tools are not needed: messages travel as CDR bytes, serialised and
deserialised by ``rclpy.serialization``, so offline processing runs exactly the message
conversion code the live node runs. This module only knows about bags, never about images.

Failures of the storage layer (a truncated mcap, a damaged sqlite database, a missing
metadata file) all become ``BagError`` with the bag's path in the message, so command-line
tools can print one clear line instead of a traceback.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

STORAGES = ("sqlite3", "mcap")
IMAGE = "sensor_msgs/msg/Image"
COMPRESSED = "sensor_msgs/msg/CompressedImage"
CAMERA_INFO = "sensor_msgs/msg/CameraInfo"
IMU = "sensor_msgs/msg/Imu"
POLYGON = "geometry_msgs/msg/PolygonStamped"
BAG_VERSION = 9  # what rosbag2 in Jazzy and Kilted writes


class BagError(RuntimeError):
    """A bag that cannot be opened, read or written; the message names the file."""


@lru_cache(maxsize=1)
def typestore():
    """Message definitions of ROS 2 Kilted (identical for the types used here in Humble/Jazzy)."""
    from rosbags.typesys import Stores, get_typestore

    return get_typestore(Stores.ROS2_KILTED)


def msgtype_of(msg_or_class: Any) -> str:
    """``sensor_msgs/msg/Image`` for an rclpy message instance or class."""
    cls = msg_or_class if isinstance(msg_or_class, type) else type(msg_or_class)
    package = cls.__module__.split(".", 1)[0]
    return f"{package}/msg/{cls.__name__}"


def message_class(msgtype: str) -> type:
    """The rclpy message class for ``pkg/msg/Name`` (raises BagError when not installed)."""
    import importlib

    try:
        package, kind, name = msgtype.split("/")
        return getattr(importlib.import_module(f"{package}.{kind}"), name)
    except (ValueError, ImportError, AttributeError) as exc:
        raise BagError(f"message type {msgtype} is not available in this Python environment ({exc})") from exc


def serialize(msg: Any) -> bytes:
    from rclpy.serialization import serialize_message

    return serialize_message(msg)


def deserialize(data: bytes | memoryview, msg_class: type) -> Any:
    """CDR bytes -> rclpy message; damaged bytes raise BagError."""
    from rclpy.serialization import deserialize_message

    try:
        return deserialize_message(bytes(data), msg_class)
    except Exception as exc:
        raise BagError(f"a {msgtype_of(msg_class)} message cannot be deserialized ({_describe(exc)})") from exc


def stamp_ns(stamp) -> int:
    """builtin_interfaces/Time -> integer nanoseconds."""
    return int(stamp.sec) * 10**9 + int(stamp.nanosec)


def set_stamp(stamp, nanoseconds: int) -> None:
    stamp.sec, stamp.nanosec = divmod(int(nanoseconds), 10**9)


def storage_of(path: Path) -> str:
    """The storage plugin of an existing bag (directory with metadata.yaml, .mcap or .db3 file)."""
    path = Path(path)
    if path.is_dir():
        for name in os.listdir(path):
            if name.endswith(".mcap"):
                return "mcap"
            if name.endswith(".db3"):
                return "sqlite3"
        raise BagError(f"{path}: no .mcap or .db3 file inside")
    return "mcap" if path.suffix == ".mcap" else "sqlite3"


@dataclass(frozen=True)
class TopicSummary:
    name: str
    msgtype: str
    count: int


class BagReader:
    """Iterates over a bag's messages in time order, turning storage failures into ``BagError``.

    Use as a context manager. ``messages`` yields ``(topic, msgtype, timestamp_ns, raw)``.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._reader = None
        self.messages_read = 0

    def __enter__(self) -> BagReader:
        from rosbags.rosbag2 import Reader

        if not self.path.exists():
            raise BagError(f"{self.path}: no such bag")
        try:
            self._reader = Reader(self.path)
            self._reader.open()
        except Exception as exc:
            self._reader = None
            raise BagError(f"{self.path}: cannot open bag ({_describe(exc)})") from exc
        return self

    def __exit__(self, *exc_info) -> None:
        reader, self._reader = self._reader, None
        if reader is not None and reader.is_open:
            with suppress(Exception):  # a damaged file may also fail to close; the read error says why
                reader.close()

    @property
    def topics(self) -> list[TopicSummary]:
        return [
            TopicSummary(name, info.msgtype or "?", info.msgcount)
            for name, info in sorted(self._open().topics.items())
        ]

    @property
    def start_ns(self) -> int:
        return self._open().start_time

    @property
    def duration_ns(self) -> int:
        reader = self._open()
        return max(0, reader.duration - 1) if reader.message_count else 0

    @property
    def custom_data(self) -> dict[str, str]:
        """rosbag2's ``custom_data`` of metadata.yaml (e.g. ``seasky.partial`` on an interrupted output)."""
        return dict(self._open().storage.metadata.custom or {})

    def definition(self, topic: str) -> tuple[str, str] | None:
        """(message definition text, RIHS01 hash) of a topic as stored in the bag, if it stores one."""
        for connection in self._open().connections:
            if connection.topic == topic and connection.msgdef.data:
                return connection.msgdef.data, connection.digest
        return None

    def count(self, topic: str) -> int:
        return sum(t.count for t in self.topics if t.name == topic)

    def msgtype(self, topic: str) -> str | None:
        return next((t.msgtype for t in self.topics if t.name == topic), None)

    def messages(self, topics: Iterable[str] | None = None) -> Iterator[tuple[str, str, int, bytes]]:
        reader = self._open()
        wanted = None if topics is None else set(topics)
        connections = [c for c in reader.connections if wanted is None or c.topic in wanted]
        if not connections:
            return
        stream = reader.messages(connections=connections)
        while True:
            try:
                connection, timestamp, data = next(stream)
            except StopIteration:
                return
            except Exception as exc:
                raise BagError(
                    f"{self.path}: bag is damaged or truncated after {self.messages_read} readable "
                    f"messages ({_describe(exc)})"
                ) from exc
            self.messages_read += 1
            yield connection.topic, connection.msgtype, timestamp, data

    def _open(self):
        if self._reader is None:
            raise BagError(f"{self.path}: bag is not open")
        return self._reader


class BagWriter:
    """Writes rclpy messages (or raw CDR bytes) to a new rosbag2; always finalised on close.

    ``atomic=True`` writes into a hidden sibling directory and renames it into place only when
    closed without an error, so an interrupted run never leaves half a bag under ``path``.
    Otherwise the bag is written in place and ``close`` (also on errors) finalises whatever
    was written, leaving a valid, readable bag.
    """

    def __init__(
        self, path: str | os.PathLike, storage: str = "sqlite3", *, atomic: bool = False, overwrite: bool = False
    ) -> None:
        if storage not in STORAGES:
            raise BagError(f"unknown storage '{storage}' (use {' or '.join(STORAGES)})")
        self.path = Path(path)
        self.storage = storage
        self.atomic = atomic
        self.overwrite = overwrite
        self.counts: dict[str, int] = {}
        self._connections: dict[str, Any] = {}
        self._writer = None
        self._tmpdir: Path | None = None

    def __enter__(self) -> BagWriter:
        self.open()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(failed=exc_type is not None)

    def open(self) -> None:
        from rosbags.rosbag2 import StoragePlugin, Writer

        if self.path.exists():
            if not self.overwrite:
                raise BagError(f"{self.path}: exists already (choose another name or remove it)")
            if not _removable(self.path):
                raise BagError(f"{self.path}: exists and is not a rosbag2 directory; not replacing it")
            if not self.atomic:
                remove_bag(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        target = self.path
        if self.atomic:
            self._tmpdir = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".partial", dir=self.path.parent))
            target = self._tmpdir / self.path.name
        plugin = StoragePlugin.MCAP if self.storage == "mcap" else StoragePlugin.SQLITE3
        try:
            self._writer = Writer(target, version=BAG_VERSION, storage_plugin=plugin)
            self._writer.open()
        except Exception as exc:
            self._discard_tmp()
            raise BagError(f"{self.path}: cannot create bag ({_describe(exc)})") from exc

    def add_topic(self, topic: str, msgtype: str, definition: tuple[str, str] | None = None) -> None:
        """Register a topic; adding the same topic again is a no-op.

        Types are described from the ROS 2 typestore; ``definition`` (message definition text,
        RIHS01 hash), e.g. from ``BagReader.definition``, covers types it does not know.
        """
        if topic in self._connections:
            return
        writer = self._open()
        store = typestore()
        if msgtype in store.fielddefs or not definition or not definition[0]:
            connection = writer.add_connection(topic, msgtype, typestore=store)
        else:
            connection = writer.add_connection(topic, msgtype, msgdef=definition[0], rihs01=definition[1])
        self._connections[topic] = connection
        self.counts[topic] = 0

    def write(self, topic: str, timestamp_ns: int, msg: Any) -> None:
        """Write an rclpy message (serialised here) or raw CDR bytes on ``topic``."""
        if isinstance(msg, (bytes, bytearray, memoryview)):
            data = bytes(msg)
            if topic not in self._connections:
                raise BagError(f"{self.path}: topic {topic} was not added before writing raw bytes")
        else:
            self.add_topic(topic, msgtype_of(msg))
            data = serialize(msg)
        self._open().write(self._connections[topic], int(timestamp_ns), data)
        self.counts[topic] += 1

    def set_custom_data(self, key: str, value: str) -> None:
        """A key/value pair in the bag's metadata.yaml (rosbag2 ``custom_data``), written on close."""
        self._open().set_custom_data(key, value)

    def close(self, failed: bool = False) -> None:
        """Finalise the bag. For an atomic writer, ``failed`` discards it instead of publishing it."""
        writer, self._writer = self._writer, None
        if writer is None:
            return
        if self.atomic and failed:
            try:
                writer.close()
            finally:
                self._discard_tmp()
            return
        writer.close()
        if self.atomic and self._tmpdir is not None:
            if self.path.exists():
                remove_bag(self.path)
            os.replace(self._tmpdir / self.path.name, self.path)
            self._discard_tmp()

    def _open(self):
        if self._writer is None:
            raise BagError(f"{self.path}: bag is not open for writing")
        return self._writer

    def _discard_tmp(self) -> None:
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None


_STORAGE_FILES = (".db3", ".db3-wal", ".db3-shm", ".db3-journal", ".mcap")


def _removable(path: Path) -> bool:
    """A bag directory (has metadata.yaml), the storage files a killed writer left, or an empty
    directory: safe to replace."""
    if not path.is_dir():
        return False
    if (path / "metadata.yaml").is_file():
        return True
    return all(p.is_file() and p.name.endswith(_STORAGE_FILES) for p in path.iterdir())


def check_distinct(in_path: str | os.PathLike, out_path: str | os.PathLike) -> None:
    """BagError unless writing (and replacing) ``out_path`` leaves the bag ``in_path`` untouched."""
    source, target = Path(in_path).resolve(), Path(out_path).resolve()
    if source == target:
        relation = "is"
    elif source in target.parents:
        relation = "is inside"
    elif target in source.parents:
        relation = "contains"
    else:
        return
    raise BagError(f"refusing to write {out_path}: it {relation} the input {in_path}")


def remove_bag(path: Path) -> None:
    """Delete an existing bag directory; refuses anything that does not look like a bag."""
    path = Path(path)
    if not _removable(path):
        raise BagError(f"{path}: exists and is not a rosbag2 directory; not removing it")
    shutil.rmtree(path)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
