"""Write small EVTX files for the Defender tests and benchmark (no Python EVTX writer exists).

The layout follows the published EVTX format (libyal "Windows XML Event Log (EVTX)" and the
``evtx`` crate that reads it): a 4096-byte file header (``ElfFile\\0``), 64 KiB chunks
(``ElfChnk\\0``, 512-byte header with the common-string and template tables left empty), and
event records (``**\\0\\0``, size, record id, FILETIME written, Binary XML, size again), with the
header and record CRC32 checksums filled in. The Binary XML of each record spells out its
elements with inline names and values (no templates, no substitutions): the ``Event/System`` and
``Event/EventData/Data[@Name]`` tree Windows writes for the
``Microsoft-Windows-Windows Defender/Operational`` channel, System values typed as Windows types
them (EventID, Version, Level, Task, Opcode, EventRecordID, ProcessID and ThreadID as unsigned
integers, Keywords as a 64-bit hex integer, SystemTime as a FILETIME: the ``evtx`` crate renders
numbers and an ISO time), EventData values as UTF-16 strings. ``typed=False`` writes every value
as text instead (a file written by other tools).

``write_evtx(path, events)`` writes ``DefenderEvent``s; ``corrupt_record(path, n)`` damages the
Binary XML of the n-th record (1-based) so a reader must report it and go on.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

CHUNK_SIZE = 65536
CHUNK_HEADER = 512
FILE_HEADER = 4096
PROVIDER = "Microsoft-Windows-Windows Defender"
PROVIDER_GUID = "{11cd958a-c507-4ef3-b3f2-5fd9dfbd2c78}"
CHANNEL = "Microsoft-Windows-Windows Defender/Operational"
_FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)
_UINT8, _UINT16, _UINT32, _UINT64, _FILETIME, _HEX64 = 0x04, 0x06, 0x08, 0x0A, 0x11, 0x15
"""Binary XML value types."""


@dataclass
class DefenderEvent:
    """One Operational-channel event: System values and the EventData items in order."""

    event_id: int
    time: dt.datetime
    computer: str
    record_id: int
    level: int = 4
    data: list[tuple[str, str]] = field(default_factory=list)
    user_sid: str = "S-1-5-18"
    provider: str = PROVIDER
    channel: str = CHANNEL


def _name_hash(name: str) -> int:
    value = 0
    for char in name:
        value = (value * 65599 + ord(char)) & 0xFFFFFFFF
    return value & 0xFFFF


class _BinXml:
    """Binary XML of one record; ``base`` is where it starts in the chunk (names are inline)."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.out = bytearray(b"\x0f\x01\x01\x00")  # fragment header, version 1.1

    def _name(self, name: str) -> None:
        offset = self.base + len(self.out) + 4
        encoded = name.encode("utf-16-le")
        self.out += struct.pack("<IIHH", offset, 0, _name_hash(name), len(name)) + encoded + b"\x00\x00"

    def _text(self, text: str | tuple[int, bytes]) -> None:
        """A value: a string, or a (value type, little-endian bytes) pair."""
        if isinstance(text, tuple):
            self.out += b"\x05" + bytes([text[0]]) + text[1]
        else:
            self.out += b"\x05\x01" + struct.pack("<H", len(text)) + text.encode("utf-16-le")

    def element(
        self, name: str, attributes: dict[str, str] | None = None, text: str | None = None, children=()
    ):
        start = len(self.out)
        self.out += (b"\x41" if attributes else b"\x01") + struct.pack("<I", 0)
        self._name(name)
        if attributes:
            list_start = len(self.out)
            self.out += b"\x00\x00\x00\x00"
            items = list(attributes.items())
            for index, (key, value) in enumerate(items):
                self.out += b"\x46" if index < len(items) - 1 else b"\x06"
                self._name(key)
                self._text(value)
            struct.pack_into("<I", self.out, list_start, len(self.out) - list_start - 4)
        if text is None and not children:
            self.out += b"\x03"
        else:
            self.out += b"\x02"
            if text:
                self._text(text)
            for child in children:
                child(self)
            self.out += b"\x04"
        struct.pack_into("<I", self.out, start + 1, len(self.out) - start - 5)

    def finish(self) -> bytes:
        return bytes(self.out + b"\x00")


def _el(name: str, attributes: dict[str, str] | None = None, text: str | None = None, children=()):
    return lambda xml: xml.element(name, attributes, text, children)


def _filetime(time: dt.datetime) -> int:
    delta = time - _FILETIME_EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def _record(event: DefenderEvent, offset: int, typed: bool) -> bytes:
    def value(kind: int, size: int, number: int, text: str) -> str | tuple[int, bytes]:
        return (kind, number.to_bytes(size, "little")) if typed else text

    system_time = event.time.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    system = _el(
        "System",
        children=[
            _el("Provider", {"Name": event.provider, "Guid": PROVIDER_GUID}),
            _el("EventID", text=value(_UINT16, 2, event.event_id, str(event.event_id))),
            _el("Version", text=value(_UINT8, 1, 0, "0")),
            _el("Level", text=value(_UINT8, 1, event.level, str(event.level))),
            _el("Task", text=value(_UINT16, 2, 0, "0")),
            _el("Opcode", text=value(_UINT8, 1, 0, "0")),
            _el("Keywords", text=value(_HEX64, 8, 1 << 63, "0x8000000000000000")),
            _el("TimeCreated", {"SystemTime": value(_FILETIME, 8, _filetime(event.time), system_time)}),
            _el("EventRecordID", text=value(_UINT64, 8, event.record_id, str(event.record_id))),
            _el("Correlation"),
            _el(
                "Execution",
                {"ProcessID": value(_UINT32, 4, 3712, "3712"), "ThreadID": value(_UINT32, 4, 5120, "5120")},
            ),
            _el("Channel", text=event.channel),
            _el("Computer", text=event.computer),
            _el("Security", {"UserID": event.user_sid}),
        ],
    )
    data = _el("EventData", children=[_el("Data", {"Name": n}, text=v or None) for n, v in event.data])
    xml = _BinXml(offset + 24)
    xml.element(
        "Event", {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"}, children=[system, data]
    )
    body = xml.finish()
    size = (24 + len(body) + 4 + 7) // 8 * 8
    header = struct.pack("<IIQQ", 0x2A2A, size, event.record_id, _filetime(event.time))
    return header + body + b"\x00" * (size - 28 - len(body)) + struct.pack("<I", size)


def _chunk(records: list[bytes], first: int, last: int, last_offset: int) -> bytes:
    data = b"".join(records)
    chunk = bytearray(CHUNK_SIZE)
    chunk[CHUNK_HEADER : CHUNK_HEADER + len(data)] = data
    free = CHUNK_HEADER + len(data)
    struct.pack_into("<8sQQQQIII", chunk, 0, b"ElfChnk\x00", first, last, first, last, 128, last_offset, free)
    struct.pack_into("<I", chunk, 52, zlib.crc32(chunk[CHUNK_HEADER:free]))
    struct.pack_into("<I", chunk, 124, zlib.crc32(bytes(chunk[:120]) + bytes(chunk[128:CHUNK_HEADER])))
    return bytes(chunk)


def write_evtx(path: Path, events: Iterable[DefenderEvent], *, typed: bool = True) -> int:
    """Write ``events`` (record ids as given) to an EVTX file; return the number of chunks."""
    chunks: list[bytes] = []
    records: list[bytes] = []
    offset = CHUNK_HEADER
    first = last = last_offset = 0
    next_id = 1
    for event in events:
        record = _record(event, offset, typed)
        if offset + len(record) > CHUNK_SIZE:
            chunks.append(_chunk(records, first, last, last_offset))
            records, offset = [], CHUNK_HEADER
            record = _record(event, offset, typed)
        if not records:
            first = event.record_id
        records.append(record)
        last, last_offset, next_id = event.record_id, offset, event.record_id + 1
        offset += len(record)
    if records:
        chunks.append(_chunk(records, first, last, last_offset))
    header = bytearray(FILE_HEADER)
    struct.pack_into(
        "<8sQQQIHHHH", header, 0, b"ElfFile\x00", 0, len(chunks) - 1, next_id, 128, 1, 3, 4096, len(chunks)
    )
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
    path.write_bytes(bytes(header) + b"".join(chunks))
    return len(chunks)


def corrupt_record(path: Path, number: int) -> None:
    """Overwrite the Binary XML of the ``number``-th record (1-based) with invalid tokens."""
    blob = bytearray(path.read_bytes())
    seen = 0
    position = FILE_HEADER + CHUNK_HEADER
    while position < len(blob):
        if blob[position : position + 4] != b"\x2a\x2a\x00\x00":
            position = (
                (position - FILE_HEADER) // CHUNK_SIZE * CHUNK_SIZE + CHUNK_SIZE + FILE_HEADER + CHUNK_HEADER
            )
            continue
        seen += 1
        size = struct.unpack_from("<I", blob, position + 4)[0]
        if seen == number:
            blob[position + 28 : position + 40] = b"\xff" * 12
            path.write_bytes(bytes(blob))
            return
        position += size
    raise ValueError(f"{path} has fewer than {number} records")
