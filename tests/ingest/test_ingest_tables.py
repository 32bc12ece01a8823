"""Tables as row sentences: header units lent to bare numbers, pipe tables in plain text."""

from __future__ import annotations

from pathlib import Path

from rag.ingest.loading import load_document
from rag.ingest.tables import cell_tables_as_rows, header_unit, pipe_tables_as_rows, row_sentences, spaced_tables_as_rows


def test_a_header_unit_is_a_unit_only_when_a_figure_can_carry_it() -> None:
    assert header_unit("新种任务(亩)") == ("新种任务", "亩")
    assert header_unit("补助金额（万元）") == ("补助金额", "万元")
    assert header_unit("标准(单位：元/亩)") == ("标准", "元/亩")
    assert header_unit("名称(简称)") == ("名称(简称)", "")
    assert header_unit("备注") == ("备注", "")
    # a header counting a counter lends it too
    assert header_unit("现有贫困户数") == ("现有贫困户数", "户")
    assert header_unit("人 数") == ("人 数", "人")
    assert header_unit("数") == ("数", "")


def test_bare_numbers_take_their_columns_unit_and_other_cells_keep_the_full_header() -> None:
    lines = row_sentences([["乡镇", "新种任务(亩)", "备注(说明)"], ["甲镇", "2150", "含公司任务1500亩"], ["乙镇", "约六百", ""]])
    assert lines == [
        "乡镇：甲镇，新种任务：2150亩，备注(说明)：含公司任务1500亩。",
        "乡镇：乙镇，新种任务(亩)：约六百。",
    ]


def test_pipe_tables_in_text_become_row_sentences_and_other_lines_stay() -> None:
    text = "附件\n任务分解表\n乡镇 | 新种任务(亩) | 备注 |\n|---|---|---|\n全县合计 | 7000 | |\n甲镇 | 250\n说明：a|b 不是表。"
    assert pipe_tables_as_rows(text).split("\n") == [
        "附件", "任务分解表", "乡镇：全县合计，新种任务：7000亩。", "乡镇：甲镇，新种任务：250亩。", "说明：a|b 不是表。",
    ]
    assert pipe_tables_as_rows("没有表格。\n一行 | 只有一个分隔。") == "没有表格。\n一行 | 只有一个分隔。"


def test_a_text_files_pipe_table_is_loaded_as_rows(tmp_path: Path) -> None:
    path = tmp_path / "tasks.txt"
    path.write_text("某县任务分解表\n乡镇 | 任务(亩) |\n甲镇 | 300 |\n乙镇 | 450 |\n", encoding="utf-8")
    text = load_document(path).text
    assert "乡镇：乙镇，任务：450亩。" in text and "|" not in text


def test_a_metadata_form_of_label_value_cells_is_written_as_its_fields() -> None:
    text = "索引号: | 00001434-9/2018-00006 | 发布机构: | 区民政局 |\n发文日期: | 2018年01月09日 | 主题分类: | 社会救助 |\n正文。"
    assert pipe_tables_as_rows(text).split("\n") == [
        "索引号：00001434-9/2018-00006，发布机构：区民政局。", "发文日期：2018年01月09日，主题分类：社会救助。", "正文。",
    ]


def test_a_tables_unit_line_gives_its_bare_amounts_their_unit() -> None:
    text = "救灾补助资金指标分配表\n单位:万元\n乡 镇 | 金 额 | 序号 |\n杨兴乡 | 2 | 1 |\n合计 | 10 | 2 |"
    lines = pipe_tables_as_rows(text).split("\n")
    # letter-spaced headers are closed up; the first column (the row's name) and a 序号 column
    # take no unit
    assert lines[2] == "乡镇：杨兴乡，金额：2万元，序号：1。"
    assert lines[3] == "乡镇：合计，金额：10万元，序号：2。"


def test_a_caption_row_stating_the_unit_sets_it_and_a_columns_own_unit_wins() -> None:
    rows = [["（单位：亩）"], ["乡镇", "面积", "户数", "补助(元)"], ["甲乡", "30", "12", "600"]]
    assert row_sentences(rows)[-1] == "乡镇：甲乡，面积：30亩，户数：12户，补助：600元。"
    # without a unit line the bare numbers stay bare
    assert row_sentences([["乡镇", "面积"], ["甲乡", "30"]]) == ["乡镇：甲乡，面积：30。"]


def test_a_table_stored_one_cell_per_line_becomes_row_sentences() -> None:
    text = (
        "附件:补贴资金分配表\n镇别\n新发展面积(亩)\n补贴金额(元)\n"
        "甲镇\n1920\n192000\n乙镇\n783.9\n78390\n合计\n2703.9\n270390\n"
        "二〇〇八年五月二十日\n"
    )
    rows = cell_tables_as_rows(text).splitlines()
    assert "镇别：甲镇，新发展面积：1920亩，补贴金额：192000元。" in rows
    assert "镇别：合计，新发展面积：2703.9亩，补贴金额：270390元。" in rows
    assert rows[0] == "附件:补贴资金分配表" and rows[-1] == "二〇〇八年五月二十日", "lines around the table stay"
    one_row = "镇别\n面积(亩)\n甲镇\n1920\n"
    assert cell_tables_as_rows(one_row) == one_row, "a single row is no table"
    prose = "一、资金来源\n江苏省追加资金4000万元。\n二、资金结构\n"
    assert cell_tables_as_rows(prose) == prose


def test_a_bulletin_table_pasted_as_spaced_lines_becomes_row_sentences() -> None:
    text = (
        "表2:2022年主要农产品产量\n产品名称 产量(吨) 比上年增长%\n"
        "粮 食 199008.5 6.3\n#夏粮 89005.4 0.5\n烟 叶 5297.4 -1.4\n"
        "产品名称 产 量 比上年增长%\n肉类总产量(吨) 22426.3 -22.4\n猪年末存栏(万头) 14.2 12.4\n"
        "全年粮食总产量19.9万吨,比上年增长6.3%。\n"
    )
    rows = spaced_tables_as_rows(text).splitlines()
    assert "产品名称：烟叶，产量：5297.4吨，比上年增长：-1.4%。" in rows, "a spaced-out name is one name"
    assert "产品名称：夏粮，产量：89005.4吨，比上年增长：0.5%。" in rows, "# marks a part, not its name"
    assert "产品名称：猪年末存栏，产量：14.2万头，比上年增长：12.4%。" in rows, "a row's own unit, and 产 量 is one cell"
    assert rows[-1] == "全年粮食总产量19.9万吨,比上年增长6.3%。"
    index = "项 目 指数\n总指数 101.3\n鲜菜 92.9\n104.5\n鲜果 117.1\n"
    assert "项目：鲜果，指数：117.1。" in spaced_tables_as_rows(index).splitlines(), "a row that lost its name is skipped over"
    prose = "2023年 全县 经济 平稳\n一、综合 12 13\n"
    assert spaced_tables_as_rows(prose) == prose


def test_a_numbered_list_table_stored_one_cell_per_line_becomes_rows() -> None:
    text = "一、民间文学(共计3项)\n序号\n项目编号\n项目名称\n申报单位\n93\nⅠ-12\n甲山传说\n某市文化馆\n94\nⅠ-13\n神奇的树\n某县文化馆\n二、传统音乐"
    rows = cell_tables_as_rows(text).splitlines()
    assert rows[1] == "序号：93，项目编号：Ⅰ-12，项目名称：甲山传说，申报单位：某市文化馆。"
    assert rows[-1] == "二、传统音乐"
    skipped = text.replace("\n94\n", "\n96\n")  # numbers that do not count up are no serial column
    assert cell_tables_as_rows(skipped) == skipped
