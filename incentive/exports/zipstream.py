"""A zip file whose one large member is deflated on every core, for the XLSX writer.

``zipfile`` deflates a member on one thread; a million-row sheet is half a
gigabyte of XML, and deflating it alone took longer than building it. Here
the member arrives in blocks; each block is deflated on a thread of its own
(zlib releases the GIL) by a fresh compressor ending in a full flush, so the
blocks' outputs, concatenated in order, are one valid deflate stream -- the
way ``pigz`` does it -- and the CRC-32 is combined as the blocks are written.

The archive is plain: no encryption, no zip64 (a member over 4 GiB is
refused: no spreadsheet opens such a sheet), fixed timestamps, so the same
members give the same bytes.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO, Iterable

_LIMIT = 0xFFFFFFFF
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00
_LEVEL = 1


class MemberTooLarge(Exception):
    """A member or the archive would need zip64."""


def _deflate(block: bytes, last: bool) -> bytes:
    c = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    return c.compress(block) + c.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)


class ZipStream:
    """Write members in order to ``fh`` (a file opened for writing in binary mode)."""

    def __init__(self, fh: BinaryIO):
        self._fh = fh
        self._central: list[bytes] = []

    def write(self, name: str, data: bytes) -> None:
        """A small member, deflated at once."""
        self.write_blocks(name, [data])

    def write_blocks(self, name: str, blocks: Iterable[bytes], *, threads: int | None = None) -> None:
        """A member given as blocks (produced while earlier ones are deflated)."""
        fh = self._fh
        offset = fh.tell()
        encoded = name.encode("utf-8")
        fh.write(self._local_header(encoded, 0, 0, 0))
        crc, size, packed = 0, 0, 0
        workers = threads or max(1, min(8, os.cpu_count() or 1))
        pending: deque[tuple[bytes, Future[bytes]]] = deque()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            source = iter(blocks)
            block = next(source, None)
            while block is not None:
                following = next(source, None)
                pending.append((block, pool.submit(_deflate, block, following is None)))
                while len(pending) > workers or (following is None and pending):
                    raw, done = pending.popleft()
                    out = done.result()
                    crc = zlib.crc32(raw, crc)
                    size += len(raw)
                    packed += len(out)
                    fh.write(out)
                block = following
        if packed == 0:  # no block at all: an empty deflate stream
            out = _deflate(b"", True)
            packed = len(out)
            fh.write(out)
        if size > _LIMIT or packed > _LIMIT or fh.tell() > _LIMIT:
            raise MemberTooLarge(name)
        end = fh.tell()
        fh.seek(offset)
        fh.write(self._local_header(encoded, crc, packed, size))
        fh.seek(end)
        self._central.append(struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0x0800, 8, _DOS_TIME, _DOS_DATE,
                                         crc, packed, size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)

    @staticmethod
    def _local_header(name: bytes, crc: int, packed: int, size: int) -> bytes:
        return struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0x0800, 8, _DOS_TIME, _DOS_DATE, crc, packed, size,
                           len(name), 0) + name

    def close(self) -> None:
        """The central directory and its end record."""
        fh = self._fh
        start = fh.tell()
        for entry in self._central:
            fh.write(entry)
        length = fh.tell() - start
        if fh.tell() > _LIMIT:
            raise MemberTooLarge("the central directory")
        fh.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(self._central), len(self._central), length,
                             start, 0))
