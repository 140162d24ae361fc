"""manifest.json: every output's sha256, canonical JSON, tamper detection."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

from incentive.output.manifest import (
    MANIFEST_NAME,
    build_manifest,
    check_manifest,
    file_entry,
    sha256_file,
    write_manifest,
)

META = {"engine_version": "0.1.0", "policy": {"id": "sales-rep", "version": "2026.1", "sha256": "ab" * 32},
        "period": "2026-Q3", "counts": {"people": 2}, "totals": {"total": Decimal("1234.50")}, "title": "销售"}


@pytest.fixture
def out(tmp_path):
    (tmp_path / "results.csv").write_bytes(b"a,b\n1,2\n")
    (tmp_path / "trace").mkdir()
    (tmp_path / "trace" / "E1.json").write_bytes(b"{}")
    return tmp_path


def test_build_write_and_check(out):
    manifest = build_manifest(out, meta=META)
    assert list(manifest["files"]) == ["results.csv", "trace/E1.json"]
    assert manifest["files"]["results.csv"] == {"sha256": hashlib.sha256(b"a,b\n1,2\n").hexdigest(), "size": 8}
    path = write_manifest(out, manifest)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and "销售" in text and '"1234.50"' in text
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert check_manifest(out) == []
    rebuilt = build_manifest(out, meta=META)
    assert MANIFEST_NAME not in rebuilt["files"]


def test_a_changed_byte_is_detected(out):
    write_manifest(out, build_manifest(out, meta=META))
    data = bytearray((out / "results.csv").read_bytes())
    data[2] ^= 0x01
    (out / "results.csv").write_bytes(bytes(data))
    assert check_manifest(out) == ["results.csv"]


def test_missing_and_extra_files_are_detected(out):
    write_manifest(out, build_manifest(out, meta=META))
    (out / "trace" / "E1.json").unlink()
    (out / "extra.csv").write_text("x")
    assert check_manifest(out) == ["extra.csv", "trace/E1.json"]


def test_unreadable_manifest_is_reported(out):
    assert check_manifest(out) == [MANIFEST_NAME]
    (out / MANIFEST_NAME).write_text("{not json")
    assert check_manifest(out) == [MANIFEST_NAME]


def test_reserved_meta_keys_are_refused(out):
    with pytest.raises(ValueError, match="reserved"):
        build_manifest(out, meta={"files": {}})


def test_sha256_file(tmp_path):
    path = tmp_path / "big.bin"
    data = bytes(range(256)) * 10_000
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()


def test_entries_known_from_writing_are_used_and_the_rest_hashed(out):
    """A close hashes each file as it writes it; the manifest must agree with hashing afterwards."""
    known = {"results.csv": file_entry(out / "results.csv", b"a,b\n1,2\n")}
    assert build_manifest(out, meta=META, known=known) == build_manifest(out, meta=META)


def test_a_known_entry_for_a_file_that_is_not_there_is_refused(out):
    with pytest.raises(ValueError, match="ghost.csv"):
        build_manifest(out, meta=META, known={"ghost.csv": {"sha256": "00" * 32, "size": 0}})
