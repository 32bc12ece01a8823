"""Counted lists of a 名单 page become one enumeration sentence per group (rag.ingest.lists)."""

from __future__ import annotations

from rag.ingest.lists import counted_lists_as_sentences


def test_a_group_and_as_many_item_lines_as_it_announces_become_one_sentence() -> None:
    text = "试点村名单\n咸安区(1个)\n马桥镇曾铺村\n赤壁市（2个）\n车埠镇鸡公山村\n官塘驿镇葛仙山村\n你家乡在其中吗?\n"
    assert counted_lists_as_sentences(text) == (
        "试点村名单\n咸安区(1个)：马桥镇曾铺村。\n赤壁市（2个）：车埠镇鸡公山村、官塘驿镇葛仙山村。\n你家乡在其中吗?\n"
    )


def test_a_group_whose_items_do_not_match_its_count_stays_as_it_is() -> None:
    short = "一等奖（3名）\n张三\n李四\n"  # three announced, two follow
    assert counted_lists_as_sentences(short) == short
    sentence = "获奖单位（2个）\n甲公司\n乙公司在本次评选中表现突出，获得表彰。\n"  # the second is a sentence
    assert counted_lists_as_sentences(sentence) == sentence


def test_chinese_numeral_counts_are_read() -> None:
    assert counted_lists_as_sentences("二等奖（两名）\n王五\n赵六") == "二等奖（两名）：王五、赵六。"


def test_a_list_grouped_by_place_lines_becomes_one_sentence_per_place() -> None:
    from rag.ingest.lists import place_grouped_lists_as_sentences

    text = "具体名单公布如下\n城区\n西上庄办事处牛山村\n阳城县\n北留镇杏王村\n西河乡郭河村\n联系电话:6995029"
    lines = place_grouped_lists_as_sentences(text).split("\n")
    assert lines[1:3] == ["城区：西上庄办事处牛山村。", "阳城县：北留镇杏王村、西河乡郭河村。"]
    assert lines[-1] == "联系电话:6995029"


def test_one_place_line_over_a_paragraph_is_no_list() -> None:
    from rag.ingest.lists import place_grouped_lists_as_sentences

    text = "阳城县\n北留镇杏王村\n全县共评出先进村十个"
    assert place_grouped_lists_as_sentences(text) == text
