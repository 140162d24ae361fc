"""Pools for synthetic people and organisations: names, regions, categories.

A sales force in China is mostly Chinese names with some English ones
(foreign staff, or people who go by an English name in the CRM); surnames
follow their real frequency roughly (王, 李, 张 ... are common), so a
sample looks like a real export. Everything is drawn with numpy and joined
with polars, so a million names take well under a second.
"""

from __future__ import annotations

import numpy as np
import polars as pl

#: the most common Chinese surnames, most frequent first
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
                "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤") \
    + ["欧阳", "司马", "诸葛"]
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰辉鹏华飞玲晶婷雪琳慧颖斌宇浩凯健俊帆博文睿欣怡佳琪子轩涵梓晨阳然一诺思雨泽嘉")
FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
         "William", "Susan", "Richard", "Jessica", "Joseph", "Sarah", "Thomas", "Karen", "Daniel", "Emily",
         "Matthew", "Olivia", "Andrew", "Sophia", "Kevin", "Grace", "Brian", "Chloe", "Eric", "Amy", "Jason",
         "Lucy", "Peter", "Anna", "Tony", "Vivian", "Jack", "Cindy", "Leo", "Irene"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Anderson",
        "Thomas", "Moore", "Martin", "Lee", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green",
        "Baker", "Chen", "Wang", "Li", "Zhang", "Liu", "Wong", "Lim", "Tan", "Nguyen", "Kim", "Park", "Sato"]
REGIONS = ["华东", "华南", "华北", "华中", "西南", "西北", "东北"]
#: share of English names
ENGLISH = 0.15


def zipf_weights(n: int, s: float = 1.0) -> np.ndarray:
    """Weights proportional to 1 / rank**s: a few large groups, a long tail of small ones."""
    w = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** s
    return w / w.sum()


def _pick(pool: list[str], idx: np.ndarray) -> pl.Series:
    return pl.Series(pool, dtype=pl.String).gather(pl.Series(idx, dtype=pl.UInt32))


def person_names(rng: np.random.Generator, n: int) -> pl.Series:
    """Mixed Chinese (two or three characters) and English ("First Last") names."""
    surname = _pick(SURNAMES, rng.choice(len(SURNAMES), n, p=zipf_weights(len(SURNAMES), 0.7)))
    g1 = _pick(GIVEN, rng.integers(0, len(GIVEN), n))
    g2 = _pick(GIVEN, rng.integers(0, len(GIVEN), n))
    two_given = pl.Series(rng.random(n) < 0.7)
    first = _pick(FIRST, rng.integers(0, len(FIRST), n))
    last = _pick(LAST, rng.integers(0, len(LAST), n))
    english = pl.Series(rng.random(n) < ENGLISH)
    frame = pl.DataFrame({"s": surname, "g1": g1, "g2": g2, "two": two_given, "f": first, "l": last, "en": english})
    second = pl.when(pl.col("two")).then(pl.col("g2")).otherwise(pl.lit(""))
    chinese = pl.concat_str([pl.col("s"), pl.col("g1"), second])
    western = pl.concat_str([pl.col("f"), pl.lit(" "), pl.col("l")])
    return frame.select(pl.when(pl.col("en")).then(western).otherwise(chinese).alias("name")).to_series()
