"""Bilingual expansion of English questions into the Chinese terms the documents use."""

from rag.answering.question import QuestionAnalyzer
from rag.text.glossary import Glossary


def test_longest_phrase_wins_and_terms_are_unique() -> None:
    terms = Glossary().expand("How much did Harbin award each of its great craftsmen?")
    assert "大工匠" in terms and "奖励" in terms
    assert terms.count("大工匠") == 1
    assert "工匠" not in terms  # "great craftsmen" was matched whole, not "craftsmen"


def test_whole_words_only() -> None:
    assert Glossary().expand("unionised pilotless") == []


def test_english_questions_carry_expansions_chinese_do_not() -> None:
    analyzer = QuestionAnalyzer()
    english = analyzer.analyze("How many skill master studios has Heilongjiang built?")
    assert english.expansions[:1] == ["黑龙江"]  # places first
    assert "技能大师工作室" in english.expansions
    assert analyzer.analyze("黑龙江省建成多少个技能大师工作室？").expansions == []


def test_general_abbreviations_expand_for_any_question() -> None:
    from rag.text.glossary import Glossary

    abbreviations = Glossary.abbreviations()
    assert abbreviations.expand("2022年GDP是多少？") == ["地区生产总值", "生产总值"]
    assert "人民代表大会" in abbreviations.expand("在哪一天的人代会上作的？")
    assert abbreviations.expand("奖励多少钱？") == []


def test_general_english_terms_of_statistics_expand_any_english_question() -> None:
    terms = Glossary.general_terms()
    assert "人均地区生产总值" in terms.expand("What was the per capita GDP of the county in 2021?")
    assert terms.expand("What was the county's total fiscal revenue?")[0] == "财政总收入", "the longer phrase first"
    assert terms.expand("Who is the contact person?") == ["联系人"]
    assert terms.expand("Which county won more craftsman titles?") == []
    analysis = QuestionAnalyzer().analyze("What was the urbanization rate of the county in 2021?")
    assert "城镇化率" in analysis.expansions


def test_a_hyphenated_phrase_is_the_glossary_phrase() -> None:
    """"primary-industry value added" is "primary industry value added"."""
    spaced = QuestionAnalyzer().analyze("What was the primary industry value added of the banner?").expansions
    hyphenated = QuestionAnalyzer().analyze("What was the primary-industry value added of the banner?").expansions
    assert "第一产业" in spaced and hyphenated == spaced
