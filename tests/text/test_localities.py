"""Towns, townships and sub-districts read from their shape (rag.text.localities)."""

from __future__ import annotations

import pytest

from rag.text.localities import localities_in


@pytest.mark.parametrize(
    ("text", "towns"),
    [
        ("嘉定区真新街道当月发了多少补贴？", ["真新街道"]),
        ("江桥镇和徐行镇哪个多？", ["江桥镇", "徐行镇"]),
        ("请问徐行镇有多少人？", ["徐行镇"]),  # the verb before the name is not part of it
        ("杨芳林乡郭家岭村", ["杨芳林乡"]),
        ("乡镇：泗顶镇，新种任务：450亩。", ["泗顶镇"]),
    ],
)
def test_town_names_are_read_from_their_suffix(text: str, towns: list[str]) -> None:
    assert localities_in(text) == towns


@pytest.mark.parametrize(
    "text",
    ["城镇居民人均可支配收入", "各乡镇要抓好落实", "推进特色小镇建设", "美丽乡村建设", "贫困乡全部摘帽", "全镇共有", "该镇镇长"],
)
def test_generic_words_are_no_towns(text: str) -> None:
    assert localities_in(text) == []


def test_a_town_never_overlaps_the_larger_place_before_it() -> None:
    # 「嘉定徐行镇」: 嘉定 is the district (a span the gazetteer found), the town is 徐行镇
    assert localities_in("嘉定徐行镇", taken=[(0, 2)]) == ["徐行镇"]
