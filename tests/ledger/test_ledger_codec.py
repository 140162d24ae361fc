"""How the period data file is packed in the ledger: zstd now, zlib entries of
earlier versions still readable and verifiable, hostile blobs refused."""

from __future__ import annotations

import zlib

import pytest
import zstandard

from incentive.ledger import Ledger, codec
from incentive.ledger.staging import pack_data
from ledger_fixtures import close, make_record, results_frame

DATA = "employee_id,name,revenue\n".encode() + "".join(f"E{i:05d},员工{i},{i * 7}.50\n" for i in range(2000)).encode()


def test_round_trip_and_new_entries_say_zstd(ledger):
    assert codec.unpack(codec.pack(DATA), "zstd", len(DATA)) == DATA
    entry = close(ledger, make_record(data=DATA), results_frame())
    method = ledger._rows("SELECT data_compression FROM entries WHERE seq = ?", (entry.seq,))[0][0]
    assert method == "zstd"
    assert ledger.load_data(entry) == DATA
    assert ledger.verify_chain() == []


def test_zlib_entries_of_earlier_versions_still_load_and_verify(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite"
    monkeypatch.setattr(codec, "DEFAULT", "zlib")
    monkeypatch.setattr(codec, "pack", lambda data: zlib.compress(data, 1))
    with Ledger(path) as old:
        entry = close(old, make_record(data=DATA), results_frame())
    monkeypatch.undo()
    with Ledger(path, readonly=True) as led:
        assert led._rows("SELECT data_compression FROM entries")[0][0] == "zlib"
        assert led.load_data(entry) == DATA
        assert led.verify_chain() == []


@pytest.mark.parametrize("method", ["zstd", "zlib"])
def test_a_blob_expanding_beyond_its_recorded_size_is_refused(method):
    blob = codec.pack(DATA) if method == "zstd" else zlib.compress(DATA)
    with pytest.raises(codec.CodecError, match="expected at most 100|beyond their recorded size"):
        codec.unpack(blob, method, 100)


def test_zstd_frame_without_a_declared_size_is_refused_before_allocating():
    blob = zstandard.ZstdCompressor(write_content_size=False).compress(DATA)
    with pytest.raises(codec.CodecError, match="declares"):
        codec.unpack(blob, "zstd", len(DATA))


def test_damaged_and_unknown_blobs():
    with pytest.raises(codec.CodecError):
        codec.unpack(b"not compressed", "zstd", 10)
    with pytest.raises(codec.CodecError):
        codec.unpack(b"not compressed", "zlib", 10)
    with pytest.raises(codec.UnknownMethod, match="'lz4'"):
        codec.unpack(codec.pack(DATA), "lz4", len(DATA))


def test_pack_data_hashes_the_plain_and_the_packed_bytes():
    packed = pack_data(DATA)
    assert codec.unpack(packed.blob, "zstd", len(DATA)) == DATA
    assert packed.size == len(DATA) and packed.sha256 != packed.blob_sha256 and len(packed.blob) < len(DATA)


def test_data_packed_in_advance_is_stored_as_given(ledger):
    entry = close(ledger, make_record(data=DATA), results_frame(), packed_data=pack_data(DATA))
    assert ledger.load_data(entry) == DATA and ledger.verify_chain() == []


def test_data_packed_in_advance_must_be_the_record_s_data(ledger):
    with pytest.raises(ValueError, match="not the sha256 of data_bytes"):
        close(ledger, make_record(data=DATA), results_frame(), packed_data=pack_data(DATA + b"x"))
    assert ledger.entries() == []
