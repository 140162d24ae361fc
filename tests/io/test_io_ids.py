"""D15: employee ids that differ only in how they look (full-width, zero-width, bidi, BOM, NFKC) are refused."""

from __future__ import annotations


import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from io_support import one, write_csv
from incentive.errors import DataInvalid
from incentive.io import read_period_data
from incentive.io.ids import INVISIBLE, escaped, py_skeleton, skeleton

POLICY = one("money")
ASCII_ID = st.text(alphabet="ABCEZ0123456789-_", min_size=1, max_size=8).filter(lambda s: s.strip() == s)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def look_alikes(draw) -> tuple[str, str]:
    """An id and a different id that prints the same (or is equal under NFKC)."""
    base = draw(ASCII_ID)
    kind = draw(st.sampled_from(["fullwidth", "invisible", "bom", "nfkc"]))
    if kind == "fullwidth":
        at = draw(st.integers(0, len(base) - 1))
        return base, base[:at] + _fullwidth(base[at]) + base[at + 1:]
    if kind == "bom":
        return base, "\ufeff" + base
    if kind == "invisible":
        at = draw(st.integers(0, len(base)))
        return base, base[:at] + draw(st.sampled_from(list(INVISIBLE))) + base[at:]
    composed = base + "\u00c5"  # Å; the Angstrom sign and A + combining ring are NFKC-equal to it
    return composed, base + draw(st.sampled_from(["\u212b", "A\u030a"]))


@settings(max_examples=60, deadline=None)
@given(pair=look_alikes(), others=st.lists(ASCII_ID, max_size=5, unique=True), twin_first=st.booleans())
def test_a_look_alike_of_another_id_is_refused_naming_both_rows(tmp_path_factory, pair, others, twin_first):
    first, second = pair[::-1] if twin_first else pair
    assert first != second and py_skeleton(first) == py_skeleton(second)
    middle = [i for i in others if py_skeleton(i) != py_skeleton(first)]
    rows = [[first, "1"], *([i, "1"] for i in middle), [second, "1"]]
    path = write_csv(tmp_path_factory.mktemp("ids") / "d.csv", ["employee_id", "x"], rows)
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, POLICY)
    problems = info.value.problems
    assert len(problems) == 1, str(info.value)
    p = problems[0]
    assert p.row == len(rows) + 1 and p.value == second
    assert f"{escaped(second)} looks the same as {escaped(first)} in row 2" in p.expected
    assert escaped(first) != escaped(second)  # the message shows the difference


#: characters this Python's Unicode database knows: polars normalizes with a newer Unicode version, which
#: also maps characters assigned since (U+1E030, Unicode 15: a modifier Cyrillic a); NFKC of an assigned
#: character never changes between versions (Unicode's normalization stability policy)
KNOWN = st.characters(exclude_categories=("Cn", "Cs"))  # Cs: lone surrogates are no text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=KNOWN, max_size=6), min_size=1, max_size=8))
def test_the_column_skeleton_agrees_with_the_python_one(texts):
    got = pl.DataFrame({"i": texts}).select(skeleton(pl.col("i"))).to_series().to_list()
    assert got == [py_skeleton(t) for t in texts]


@settings(max_examples=50, deadline=None)
@given(st.lists(ASCII_ID, min_size=2, max_size=30, unique=True))
def test_distinct_ids_that_look_distinct_pass(ids):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(Path(tmp) / "d.csv", ["employee_id", "x"], [[i, "1"] for i in [*ids, "张三", "李四"]])
        assert read_period_data(path, POLICY).frame.height == len(ids) + 2


def test_the_named_examples(tmp_path):
    path = write_csv(tmp_path / "d.csv", ["employee_id", "x"],
                     [["E1", "1"], ["E\u200b1", "2"], ["E１", "3"], ["\ufeffE1", "4"], ["E\u202e1", "5"], ["E2", "6"]])
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, POLICY)
    lines = str(info.value).splitlines()
    assert [ln.split(": value")[0] for ln in lines] == [f"{path}:{r}: column 'employee_id'" for r in (3, 4, 5, 6)]
    assert "'E\\uff11' looks the same as 'E1' in row 2" in lines[1]
    assert "'E\\u202e1' looks the same as 'E1' in row 2" in lines[3]
