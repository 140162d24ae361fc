"""The parallel-deflate zip writer: a standard archive, the member intact, the same bytes every time."""

from __future__ import annotations

import io
import zipfile

from incentive.exports.zipstream import ZipStream


def archive(blocks: list[bytes], threads: int) -> bytes:
    buffer = io.BytesIO()
    book = ZipStream(buffer)
    book.write("a.xml", "<a>中文</a>".encode("utf-8"))
    book.write_blocks("big.xml", iter(blocks), threads=threads)
    book.write_blocks("empty.xml", iter([]))
    book.close()
    return buffer.getvalue()


def test_blocks_deflated_apart_read_back_as_one_member():
    blocks = [(f"<row r=\"{i}\">" + "x" * (i % 97) + "</row>").encode() * 500 for i in range(40)]
    data = archive(blocks, threads=4)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert book.testzip() is None  # every CRC matches
        assert book.namelist() == ["a.xml", "big.xml", "empty.xml"]
        assert book.read("big.xml") == b"".join(blocks)
        assert book.read("a.xml").decode("utf-8") == "<a>中文</a>" and book.read("empty.xml") == b""
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in book.infolist())


def test_the_same_members_give_the_same_bytes_whatever_the_threads():
    blocks = [bytes(range(256)) * 300, b"tail"]
    assert archive(blocks, threads=1) == archive(blocks, threads=3)
