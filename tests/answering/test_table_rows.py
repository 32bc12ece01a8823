"""Superlatives over a table's rows, compared in code."""

from __future__ import annotations

from pathlib import Path

from rag.answering.table_rows import row_name, asked_extreme, extreme_row, parse_row
from rag.engine import Engine
from tests.conftest import index_texts


def test_which_row_is_largest_or_smallest_is_asked_with_a_which_word_and_a_superlative() -> None:
    assert asked_extreme("新种任务最多的是哪个乡镇？") == "max"
    assert asked_extreme("Which town had the fewest recipients?") == "min"
    assert asked_extreme("新种任务最多是多少亩？") is None  # no 哪: a figure, not a row
    assert asked_extreme("长安镇新种多少亩？") is None


def test_rows_are_parsed_totals_left_out_and_the_extreme_row_found() -> None:
    sentences = [
        "乡镇：全县合计，新种任务：7000亩。",
        "乡镇：长安镇，新种任务：2150亩，备注：其中公司任务1500亩。",
        "乡镇：板榄镇，新种任务：600亩。",
        "乡镇：大将镇，新种任务：650亩。",
    ]
    rows = [row for s in sentences if (row := parse_row(s)) is not None]
    assert [row.key for row in rows] == ["长安镇", "板榄镇", "大将镇"]
    assert extreme_row(rows, "新种任务", "max").key == "长安镇"  # type: ignore[union-attr]
    assert extreme_row(rows, "新种任务", "min").key == "板榄镇"  # type: ignore[union-attr]
    assert parse_row("这是一句普通的话，没有表格。") is None
    tie = [parse_row("乡镇：甲镇，任务：5亩。"), parse_row("乡镇：乙镇，任务：5亩。")]
    assert extreme_row([r for r in tie if r], "任务", "max") is None  # a tie names no one


def test_the_engine_answers_which_row_is_largest_from_a_text_table(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {
        "tasks.txt": "某县2023年金桔生产任务分解表\n乡镇 | 新种任务(亩) |\n全县合计 | 3400 |\n长安镇 | 2150 |\n"
        "板榄镇 | 600 |\n大将镇 | 650 |\n",
    })
    answer = fresh_engine.ask("某县2023年金桔新种任务最多的是哪个乡镇？")
    assert answer.short_answer == "长安镇" and "2150亩" in answer.answer, answer.answer
    assert answer.citations and answer.citations[0].doc == "tasks.txt"


def test_a_rows_name_is_its_first_cell_that_is_not_a_number() -> None:
    row = parse_row("序号：8，乡镇(街道)：榜头镇，现有贫困户数：650户，资金安排额：71万元。")
    assert row is not None and row_name(row) == "榜头镇"
    spaced = parse_row("街镇名称：真新 街道，人数：259人。")
    assert spaced is not None and row_name(spaced) == "真新街道"


def test_a_list_of_names_with_figures_is_read_and_its_extreme_found() -> None:
    from rag.answering.table_rows import extreme_item, listed_items

    items = listed_items("补助标准:甲区1162万元、乙区3294万元、丙区147万元、丁灌区管理局150万元")
    assert [(item.name, item.quantity.text) for item in items][:2] == [("甲区", "1162万元"), ("乙区", "3294万元")]
    assert extreme_item(items, "max").name == "乙区"  # type: ignore[union-attr]
    assert extreme_item(items, "min").name == "丙区"  # type: ignore[union-attr]
    assert listed_items("甲区1162万元、乙区3294万元") == [], "two items are a pair, not a list to rank"
    assert listed_items("甲区1162万元、乙区增长8%、丙区147万元") == [], "figures of different kinds"
    tie = listed_items("甲区348万元、乙区348万元、丙区147万元")
    assert extreme_item(tie, "max") is None


def test_the_engine_answers_which_listed_name_got_most(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {
        "fund.txt": "某市财政局关于下达2021年水利发展资金的公告\n补助对象:甲区、乙区、丙区\n"
                    "补助标准:甲区1162万元、乙区3294万元、丙区147万元\n",
    })
    most = fresh_engine.ask("某市2021年水利发展资金中分到金额最多的是哪个区？")
    assert most.short_answer == "乙区" and most.citations[0].doc == "fund.txt"
