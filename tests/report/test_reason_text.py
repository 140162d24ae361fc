"""Band reasons in Chinese: every sentence the engine writes is rewritten, ids kept."""

from __future__ import annotations

import re

import pytest

from incentive.report.reason_text import band_reason

CASES = [
    ("top 20% in the whole population: band A (3 of 16 seats)", "全体 前 20%：A 档（16 个名额中的 3 个）"),
    ("bottom 10% in region 华东: band C (2 of 16 seats)", "region 华东 末 10%：C 档（16 个名额中的 2 个）"),
    ("next 70% in (pooled: 华南, 西南): band B (5 of 7 seats)", "（合并组：华南, 西南） 其后 70%：B 档（7 个名额中的 5 个）"),
    ("top 20% in the whole population: band A (3 of 16 seats); 2 people tied across a cutoff, all kept in band A",
     "全体 前 20%：A 档（16 个名额中的 3 个）；2 人在分档线上并列，均保留在 A 档"),
    ("forced to band C by a veto", "被 一票否决 强制定为 C 档"),
    ("forced to band C by 合规否决", "被 合规否决 强制定为 C 档"),
    ("not eligible: 试用期", "不参与排名：试用期"),
    ("group too small (3 < min_group 5), exempt: no band in the whole population",
     "组人数过少（3 < min_group 5），豁免：全体 不定档"),
    ("guard of band A (attainment >= 1) not met, moved down to band B, in the whole population",
     "不满足 A 档的条件（attainment >= 1），下调至 B 档，全体"),
]


@pytest.mark.parametrize("english, chinese", CASES)
def test_each_engine_sentence_reads_in_chinese(english, chinese):
    assert band_reason(english, "zh") == chinese


@pytest.mark.parametrize("english, _", CASES)
def test_english_is_unchanged(english, _):
    assert band_reason(english, "en") == english


def test_no_english_prose_is_left_where_the_population_is_whole():
    text = band_reason("bottom 10% in the whole population: band C (1 of 9 seats)", "zh")
    assert not re.search(r"\b(the|whole|population|in|of|seats)\b", text), text
