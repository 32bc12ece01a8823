"""The national administrative-division table (``rag/text/divisions.py``)."""

from __future__ import annotations

from rag.text.divisions import DivisionTable, parse_location_lines, read_jionlp_divisions

LINES = [
    "甲省\t110000\t甲",
    "\t乙市\t110100\t乙",
    "\t\t丙县\t110101\t丙丙",
    "\t\t和平区\t110102\t和平",
    "\t\t\t某镇",
    "丁市\t120000\t丁市",
    "\t丁市\t120000\t丁市",
    "\t\t戊区\t120101\t戊",
]


def test_parse_builds_three_levels_and_folds_municipalities() -> None:
    divisions = parse_location_lines(LINES)
    assert [(d.name, d.level) for d in divisions] == [
        ("甲省", "province"), ("乙市", "city"), ("丙县", "county"), ("和平区", "county"),
        ("丁市", "province"), ("戊区", "county"),
    ]
    table = DivisionTable(divisions)
    county = table.lookup("丙县")[0]
    assert [a.name for a in table.ancestors(county)] == ["乙市", "甲省"]
    assert table.lookup("戊区")[0].parent == "120000"  # hangs off the municipality itself


def test_district_short_forms_and_common_words_are_not_places() -> None:
    table = DivisionTable(parse_location_lines(LINES), is_common_word=lambda word: word == "丙丙")
    assert table.lookup("和平") == []  # a district is found by its full name only
    assert table.lookup("丙丙") == []  # the county's short form is a common word here
    assert table.lookup("丙县")


def test_the_full_national_list_knows_counties_far_from_the_sample_corpus() -> None:
    table = DivisionTable(read_jionlp_divisions())
    assert len(table.divisions) > 3000
    county = table.lookup("略阳")[0]
    assert county.level == "county" and county.name == "略阳县"
    assert [a.name for a in table.ancestors(county)] == ["汉中市", "陕西省"]


def test_a_division_listed_as_its_own_parent_ends_the_chain() -> None:
    """The national list has pseudo-entries (市直辖行政区划 of 东莞) whose parent code is their own:
    the ancestors of a place under them must end, not loop."""
    table = DivisionTable(read_jionlp_divisions())
    looping = [d for d in table.divisions if d.parent == d.code]
    assert looping, "the list still has such entries"
    for division in looping[:5]:
        assert len(table.ancestors(division)) < 5
    dongguan = table.by_code["441900"]
    assert dongguan.name == "东莞市", "a repeated code keeps its real division"
    assert [a.name for a in table.ancestors(dongguan)] == ["广东省"]


def test_an_autonomous_county_is_also_named_by_its_short_form_and_ending() -> None:
    lines = ["贵州省\t520000\t贵州", "\t铜仁市\t520600\t铜仁", "\t\t玉屏侗族自治县\t520622\t玉屏"]
    table = DivisionTable(parse_location_lines(lines))
    county = table.divisions[-1]
    assert "玉屏县" in table.forms_of(county) and "玉屏" in table.forms_of(county)
    assert [d.name for d in table.lookup("玉屏县")] == ["玉屏侗族自治县"]


def test_a_redesignated_county_is_still_found_by_its_former_name() -> None:
    """密云区 was 密云县 until 2015: a document of 2004 says 密云县. A former name another division
    bears now (朝阳县, a county of 辽宁) stays that division's."""
    from rag.text.places import Gazetteer

    gazetteer = Gazetteer()
    assert [m.place.name for m in gazetteer.find("密云县人民政府")] == ["密云区"]
    assert [m.place.name for m in gazetteer.find("朝阳县")] == ["朝阳县"]
