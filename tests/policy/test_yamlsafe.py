"""The safe YAML loader: YAML 1.2 scalars, positions, and refusal of hostile input."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.errors import PolicyLoadError, Pos
from incentive.policy.yaml_doc import LoadedDoc
from incentive.policy.yamlsafe import MAX_BYTES, load_yaml


def load(text: str | bytes) -> LoadedDoc:
    return load_yaml(text, "p.yaml")


def refused(text: str | bytes) -> tuple[str, int, int, str]:
    with pytest.raises(PolicyLoadError) as info:
        load(text)
    (finding,) = info.value.findings
    assert finding.file == "p.yaml" and finding.level == "error"
    return finding.code, finding.line, finding.col, finding.message


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        ("true", True), ("True", True), ("TRUE", True),
        ("false", False), ("False", False), ("FALSE", False),
        ("null", None), ("Null", None), ("NULL", None), ("~", None), ("", None),
        ("on", "on"), ("off", "off"), ("yes", "yes"), ("no", "no"), ("NO", "NO"), ("Y", "Y"), ("n", "n"),
        ("2026-01-01", "2026-01-01"), ("12:30", "12:30"), ("1_000", "1_000"), ("0b101", "0b101"),
        ("42", 42), ("-7", -7), ("+3", 3), ("0o17", 15), ("0x1F", 31), ("007", 7),
        ("0.1", Decimal("0.1")), ("1.50", Decimal("1.50")), ("-.5", Decimal("-0.5")), ("1e3", Decimal("1E+3")),
        ("1.", Decimal("1")), ("1,000", "1,000"), ("¥100", "¥100"), ("0.1.2", "0.1.2"),
    ],
)
def test_plain_scalars_follow_yaml_1_2_core_schema(plain: str, expected: object) -> None:
    value = load(f"k: {plain}\n").data["k"]
    assert value == expected and type(value) is type(expected)


def test_numbers_are_exact_decimals_never_float() -> None:
    data = load("a: 0.1\nb: 0.2\nc: 12345678901234567890.123456789\n").data
    assert data["a"] + data["b"] == Decimal("0.3")
    assert data["c"] == Decimal("12345678901234567890.123456789")
    assert not any(isinstance(v, float) for v in data.values())


def test_inf_and_nan_load_as_non_finite_decimals_for_the_schema_to_reject() -> None:
    data = load("a: .inf\nb: -.Inf\nc: .NaN\n").data
    assert data["a"] == Decimal("Infinity") and data["b"] == Decimal("-Infinity") and data["c"].is_nan()


def test_quoted_and_block_scalars_are_always_text() -> None:
    data = load("a: 'true'\nb: \"42\"\nc: !!str 0.5\nd: |\n  1\ne: >\n  no\n").data
    assert data == {"a": "true", "b": "42", "c": "0.5", "d": "1\n", "e": "no\n"}


def test_mapping_keys_are_text_as_written() -> None:
    data = load("on: 1\nno: 2\n1: 3\nnull: 4\ntrue: 5\n").data
    assert list(data) == ["on", "no", "1", "null", "true"]


def test_positions_of_values_and_keys_are_one_based() -> None:
    doc = load("policy: p\nkpis:\n  sales: {weight: 40, value: 'attainment'}\nlist:\n  - a\n  - [b, c]\n")
    assert doc.positions[()] == Pos(1, 1)
    assert doc.positions[("policy",)] == Pos(1, 9)
    assert doc.key_positions[("policy",)] == Pos(1, 1)
    assert doc.key_positions[("kpis", "sales")] == Pos(3, 3)
    assert doc.positions[("kpis", "sales")] == Pos(3, 10)
    assert doc.positions[("kpis", "sales", "weight")] == Pos(3, 19)
    assert doc.positions[("kpis", "sales", "value")] == Pos(3, 30)
    assert doc.text_positions[("kpis", "sales", "value")] == Pos(3, 31)  # after the quote
    assert doc.positions[("list", 0)] == Pos(5, 5)
    assert doc.positions[("list", 1, 1)] == Pos(6, 9)
    assert doc.pos(("list", 7, "nowhere")) == Pos(4, 1) or doc.pos(("list", 7)) == doc.positions[("list",)]


def test_text_position_of_a_block_scalar_is_its_first_content_character() -> None:
    doc = load("when: |\n\n    band == 'A'\n    and x\nnext: 1\n")
    assert doc.text_positions[("when",)] == Pos(3, 5)


def test_columns_count_characters_not_bytes() -> None:
    doc = load("标签: {中文: 销售额, x: 1}\n")
    assert doc.positions[("标签", "x")] == Pos(1, 18)


def test_empty_document_is_none() -> None:
    for text in ("", "# only a comment\n", "---\n"):
        doc = load(text)
        assert doc.data is None and doc.findings == []


def test_duplicate_keys_are_reported_at_the_second_key_and_loading_continues() -> None:
    doc = load("kpis:\n  sales: {weight: 40}\n  sales: {weight: 60}\nother: 1\nother: 2\n")
    assert doc.data == {"kpis": {"sales": {"weight": 60}}, "other": 2}
    first, second = doc.findings
    assert (first.code, first.line, first.col) == ("yaml-duplicate-key", 3, 3)
    assert "'sales'" in first.message and "line 2" in first.message
    assert (second.line, second.col) == (5, 1) and "line 4" in second.message
    # the replaced subtree's positions are the ones of the winning value
    assert doc.positions[("kpis", "sales", "weight")] == Pos(3, 19)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: [1, &y 2]\n",
        "base: &b {x: 1}\nother:\n  <<: *b\n",
    ],
)
def test_anchors_and_aliases_are_refused(text: str) -> None:
    code, line, _, message = refused(text)
    assert code == "yaml-alias"
    assert "not allowed" in message


def test_merge_key_is_refused_even_without_alias() -> None:
    assert refused("a:\n  <<: {x: 1}\n")[:3] == ("yaml-alias", 2, 3)


def test_quoted_merge_key_is_just_text() -> None:
    assert load("'<<': 1\n").data == {"<<": 1}


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

MERGE_BOMB = """\
a: &a {x0: 1, x1: 1, x2: 1, x3: 1, x4: 1, x5: 1, x6: 1, x7: 1, x8: 1, x9: 1}
b: &b {<<: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]}
c: &c {<<: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]}
d: &d {<<: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]}
e: &e {<<: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]}
"""


@pytest.mark.parametrize("bomb", [BILLION_LAUGHS, MERGE_BOMB], ids=["billion-laughs", "merge-key-bomb"])
def test_yaml_bombs_are_refused_quickly(bomb: str) -> None:
    assert len(bomb.encode()) <= 600
    start = time.perf_counter()
    code, line, col, _ = refused(bomb)
    assert time.perf_counter() - start < 1.0
    assert (code, line, col) == ("yaml-alias", 1, 4)


def test_documents_over_one_mebibyte_are_refused_before_parsing() -> None:
    huge = b"a: [" + b"1, " * (MAX_BYTES // 3) + b"1]\n"
    start = time.perf_counter()
    assert refused(huge)[0] == "yaml-too-large"
    assert refused(huge.decode())[0] == "yaml-too-large"
    assert time.perf_counter() - start < 1.0


def test_nesting_deeper_than_64_is_refused() -> None:
    assert load("[" * 64 + "]" * 64).data is not None
    code, line, col, message = refused("[" * 65 + "]" * 65)
    assert (code, line, col) == ("yaml-too-deep", 1, 65) and "64" in message
    block = "".join(" " * i + f"k{i}:\n" for i in range(70))
    assert refused(block)[0] == "yaml-too-deep"


def test_more_than_100000_nodes_is_refused() -> None:
    assert refused("[" + "0," * 100_001 + "0]")[0] == "yaml-too-large"


def test_a_second_document_is_refused() -> None:
    assert refused("a: 1\n---\nb: 2\n")[:3] == ("yaml-syntax", 2, 1)


def test_invalid_utf8_is_located_by_line_and_column() -> None:
    code, line, col, message = refused("policy: p\nname: 销售".encode() + b"\xff\n")
    assert (code, line, col) == ("yaml-encoding", 2, 9)
    assert "offset 22" in message and "UTF-8" in message


def test_gbk_and_utf16_files_get_a_hint() -> None:
    assert "GB18030" in refused("名称: 销售额\n".encode("gbk"))[3]
    assert "UTF-16" in refused("a: 1\n".encode("utf-16"))[3]


def test_utf8_bom_is_accepted() -> None:
    assert load(b"\xef\xbb\xbfa: 1\n").data == {"a": 1}


def test_syntax_errors_point_at_the_problem_one_based() -> None:
    code, line, col, message = refused("a: 1\nb: [1, 2\nc: 3\n")
    assert code == "yaml-syntax" and line == 3 and col == 2
    assert message
    assert refused("a: 1\n\tb: 2\n")[:2] == ("yaml-syntax", 2)


def test_control_characters_and_unknown_tags_are_refused() -> None:
    assert refused("a: b\x07\n")[:3] == ("yaml-syntax", 1, 5)
    code, _, _, message = refused("a: !!python/object/apply:os.system [ls]\n")
    assert code == "yaml-syntax" and "!!python/object/apply:os.system" in message
    assert refused("a: !!int 3\n")[0] == "yaml-syntax"
    assert refused("? [a, b]\n: 1\n")[0] == "yaml-syntax"


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_arbitrary_input_loads_or_gives_findings(data: str | bytes) -> None:
    try:
        doc = load_yaml(data, "fuzz.yaml")
    except PolicyLoadError as exc:
        assert exc.findings and all(f.line >= 1 and f.col >= 1 for f in exc.findings)
        return
    assert () in doc.positions
    _assert_plain(doc.data)


YAMLISH = st.lists(
    st.sampled_from(list("ab1.-:[]{},'\"&*!|>#?<~ \n\t") + ["true", "null", ".inf", "- ", ": ", "\n  ", "<<"]),
    max_size=60,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(YAMLISH)
def test_yaml_shaped_noise_loads_or_gives_findings(text: str) -> None:
    try:
        doc = load_yaml(text, "fuzz.yaml")
    except PolicyLoadError as exc:
        assert all(f.code.startswith("yaml-") for f in exc.findings)
        return
    _assert_plain(doc.data)
    for path in doc.positions:
        assert doc.positions[path].line >= 1


def _assert_plain(value: object) -> None:
    if isinstance(value, dict):
        assert all(isinstance(k, str) for k in value)
        for v in value.values():
            _assert_plain(v)
    elif isinstance(value, list):
        for v in value:
            _assert_plain(v)
    else:
        assert value is None or isinstance(value, (str, int, bool, Decimal))
