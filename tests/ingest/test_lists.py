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


def test_a_labels_numbered_values_each_carry_the_label() -> None:
    from rag.ingest.lists import numbered_fields_under_their_label

    text = "监督电话:1.农业农村局:0398-7872655\n2.县财政局:0398-7862268\n电子邮箱:1.农业农村局:a@163.com\n2.县财政局:b@163.com\n3.另起一段"
    assert numbered_fields_under_their_label(text).split("\n") == [
        "监督电话:1.农业农村局:0398-7872655",
        "监督电话:2.县财政局:0398-7862268",
        "电子邮箱:1.农业农村局:a@163.com",
        "电子邮箱:2.县财政局:b@163.com",
        "电子邮箱:3.另起一段",
    ]
    unnumbered = "监督电话:0398-7872655\n2.县财政局:0398-7862268"  # no 1. after the label: no list
    assert numbered_fields_under_their_label(unnumbered) == unnumbered


def test_a_bare_number_under_a_field_or_heading_takes_its_label() -> None:
    from rag.ingest.lists import bare_contacts_under_their_label

    field = "监督电话:12317\n0973-8752868\n公告期:2023年6月9日"
    assert bare_contacts_under_their_label(field).split("\n")[1] == "监督电话:0973-8752868"
    heading = "三、监督电话\n0972-8610459\n海东市扶贫开发局"
    assert bare_contacts_under_their_label(heading).split("\n")[1] == "监督电话:0972-8610459"
    figure = "投资:500万元\n1259"  # a figure's field is no telephone number's label
    assert bare_contacts_under_their_label(figure) == figure


def test_numbered_items_are_joined_to_the_field_line_under_them() -> None:
    from rag.ingest.lists import numbered_items_with_their_fields

    text = "1.甲村饮水工程\n投资:500万元 实施单位:县水利局\n2.乙村机井工程(二期)\n投资:208万元 实施单位:县水利局\n说明。"
    assert numbered_items_with_their_fields(text).split("\n") == [
        "1.甲村饮水工程 投资:500万元 实施单位:县水利局。",
        "2.乙村机井工程(二期) 投资:208万元 实施单位:县水利局。",
        "说明。",
    ]
    single = "1.总体要求\n目标:全面完成"  # one numbered line over a field may be a heading
    assert numbered_items_with_their_fields(single) == single


def test_a_numbered_name_lists_entries_name_their_list() -> None:
    from rag.ingest.lists import numbered_names_under_their_list

    text = "附件2\n拟推荐2021年美丽乡村名单\n1.甲市乙县丙镇丁村\n2.戊市己县庚镇辛村\n3.壬市癸县子镇丑村\n某某厅"
    lines = numbered_names_under_their_list(text).split("\n")
    assert lines[2] == "拟推荐2021年美丽乡村名单：1.甲市乙县丙镇丁村。"
    assert lines[-1] == "某某厅" and lines[1] == "拟推荐2021年美丽乡村名单"
    short = "某名单\n1.甲村\n2.乙村\n说明。"  # two entries are no 名单 to rewrite
    assert numbered_names_under_their_list(short) == short
