"""Chinese names written in pinyin are found in Chinese text."""

from rag.text.romanised import romanised_names


def test_a_pinyin_word_finds_the_chinese_name_it_spells() -> None:
    text = "乡镇：板榄镇，新种任务：600亩。四川裕能建成全球最大的基地,略阳县"
    assert romanised_names({"banlan", "yuneng", "lueyang"}, text) == ["板榄", "裕能", "略阳"]


def test_no_words_or_no_match_find_nothing() -> None:
    assert romanised_names(set(), "板榄镇") == []
    assert romanised_names({"harbin"}, "哈尔滨市") == []  # ha-er-bin is not harbin
