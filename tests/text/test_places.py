"""English place names that read alike for two places are resolved by the documents at hand."""

import pytest

from rag.text.places import Gazetteer, place_key, prefer_places


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer()


def test_an_ambiguous_english_name_keeps_its_alternatives(gazetteer: Gazetteer) -> None:
    [mention] = gazetteer.find("How much grain did Pujiang County store?")
    names = {mention.place.name, *(p.name for p in mention.alternatives)}
    assert {"浦江县", "蒲江县"} <= names


@pytest.mark.parametrize("indexed", ["浦江县", "蒲江县"])
def test_the_reading_the_documents_know_is_chosen(gazetteer: Gazetteer, indexed: str) -> None:
    mentions = gazetteer.find("How much grain did Pujiang County store?")
    [resolved] = prefer_places(mentions, lambda place: place.name == indexed)
    assert resolved.place.name == indexed
    assert indexed not in {p.name for p in resolved.alternatives}


def test_a_reading_of_another_level_is_an_alternative_the_documents_can_choose(gazetteer: Gazetteer) -> None:
    """Jianyang reads as a city by a heteronym and as the county-level 简阳市: the higher level is
    the first choice, and the documents at hand still choose the county."""
    [mention] = gazetteer.find("What was Jianyang's estimated GDP for 2022?")
    names = {p.name for p in mention.alternatives}
    assert "简阳市" in names and mention.place.name != "简阳市"
    [resolved] = prefer_places([mention], lambda place: place.name == "简阳市")
    assert resolved.place.name == "简阳市"


def test_an_unambiguous_or_unknown_name_is_left_alone(gazetteer: Gazetteer) -> None:
    mentions = gazetteer.find("What did Lueyang County build?")
    assert prefer_places(mentions, lambda place: False) == mentions
    assert mentions[0].place.name == "略阳县" and mentions[0].alternatives == ()


def test_a_one_character_county_is_found_by_its_english_name(gazetteer: Gazetteer) -> None:
    found = [(m.surface, m.place.name) for m in gazetteer.find("When did Qin County issue the notice?")]
    assert found == [("Qin County", "沁县")]
    assert [m.place.name for m in gazetteer.find("Qinxian County")] == ["沁县"]
    assert all(m.place.name != "沁县" for m in gazetteer.find("the Qin dynasty")), "only with its ending"


def test_a_recorded_place_key_reads_back_as_the_same_place(gazetteer: Gazetteer) -> None:
    [mention] = [m for m in gazetteer.find("哈尔滨市大工匠") if m.reliable]
    key = place_key(mention.place)
    assert key == mention.place.code and gazetteer.by_key(key) == mention.place
    assert place_key(None) == "" and gazetteer.by_key("") is None


def test_a_document_stating_only_its_province_up_front_is_about_the_one_county_it_names_in_full(
    gazetteer: Gazetteer,
) -> None:
    from rag.schema import Document

    text = "根据《江苏省征兵工作条例》,对标准进行调整。\n2024年吴江区城镇居民人均可支配收入为86702元。\n"
    notice = Document(doc_id="n.txt", title="关于调整优待金标准的通知", text=text)
    assert gazetteer.document_place(notice).name == "吴江区"  # type: ignore[union-attr]
    two = Document(doc_id="t.txt", title="关于调整优待金标准的通知", text=text + "昆山市参照执行。\n")
    assert gazetteer.document_place(two).name == "江苏"  # type: ignore[union-attr]
    elsewhere = Document(doc_id="e.txt", title="关于调整优待金标准的通知", text=text.replace("江苏省", "山东省"))
    assert gazetteer.document_place(elsewhere).name == "山东"  # type: ignore[union-attr]  # 吴江区 is not in 山东


def test_a_report_naming_its_county_only_by_the_short_form_is_about_that_county(gazetteer: Gazetteer) -> None:
    from rag.schema import Document

    body = "各位代表:\n过去一年,贵州发展势头良好。黎平发展史上极不平凡。赋予黎平全新发展定位。黎平人民团结奋斗。\n"
    report = Document(doc_id="r.txt", title="政府工作报告", text=body)
    assert gazetteer.document_place(report).name == "黎平县"  # type: ignore[union-attr]
    # named twice only, it may be a company's name: the document stays the province's
    twice = Document(doc_id="t.txt", title="政府工作报告", text=body.replace("黎平人民", "全县人民"))
    assert gazetteer.document_place(twice).name == "贵州"  # type: ignore[union-attr]


@pytest.mark.parametrize(("english", "name"), [("Pingdingshan", "平顶山"), ("Shan County", "单县")])
def test_the_usual_reading_of_a_heteronym_names_the_place(gazetteer: Gazetteer, english: str, name: str) -> None:
    """平 is read ping (its rarer readings are beng and bing) and 单 in 单县 shan: the usual reading
    is among a place's English names, not only the alphabetically first rare ones."""
    mentions = gazetteer.find(f"How much did {english} allocate?")
    assert [m.surface for m in mentions] == [english]
    assert name in {mentions[0].place.name, *(p.name for p in mentions[0].alternatives)}


def test_an_untitled_county_notice_is_about_the_one_county_it_names(gazetteer: Gazetteer) -> None:
    from rag.schema import Document

    opening = "为切实抓好2023年全县烟叶工作,特提出如下意见:\n" + "稳定烟区布局,落实保护措施,配套政策扶持。" * 20 + "\n"
    body = opening + "按照《姚安县人民政府办公室关于做好烟叶工作的通知》执行。\n"  # named past the opening
    notice = Document(doc_id="y.txt", title="", text=body)
    assert gazetteer.document_place(notice).name == "姚安县"  # type: ignore[union-attr]
    unclaimed = Document(doc_id="u.txt", title="", text=body.replace("全县", "各地"))
    assert gazetteer.document_place(unclaimed) is None, "without 全县 the county it cites is not its own"


def test_a_county_notice_opening_with_its_citys_document_is_about_the_county(gazetteer: Gazetteer) -> None:
    from rag.schema import Document

    opening = "根据《关于下达2025年补助资金预算的通知》(巴彦淖尔市财政局),下达我县补助资金6927万元。\n"
    body = opening + "资金用于产业发展和基础设施建设项目。" * 20 + "\n五原县财政局\n"  # signed past the opening
    notice = Document(doc_id="w.txt", title="", text=body)
    assert gazetteer.document_place(notice).name == "五原县"  # type: ignore[union-attr]
    city_voice = Document(doc_id="c.txt", title="", text=body.replace("我县", "我市"))
    assert gazetteer.document_place(city_voice).name == "巴彦淖尔"  # type: ignore[union-attr]


def test_the_signing_body_places_a_notice_whose_opening_names_only_its_province(gazetteer: Gazetteer) -> None:
    """「根据《河南省…制度》…」 opens a notice that 商丘市财政局 signs: it is 商丘's; a provincial bureau's
    notice sent to a county's bureau stays the province's."""
    from rag.schema import Document, DocumentMeta

    text = "根据《河南省扶贫资金项目公告公示制度》有关规定,现将水利发展资金分配情况公示如下:\n睢县421万元,宁陵县376万元。\n"
    notice = Document(doc_id="s.txt", title="", text=text, meta=DocumentMeta(issuer="商丘市财政局 商丘市水利局"))
    assert gazetteer.document_place(notice).name == "商丘"  # type: ignore[union-attr]
    unsigned = Document(doc_id="u.txt", title="", text=text)
    assert gazetteer.document_place(unsigned).name == "河南"  # type: ignore[union-attr]
    sent = "各市、州、直管市、神农架林区教育局:\n现将竞赛获奖结果通知如下。\n"
    provincial = Document(doc_id="h.txt", title="湖北省教育厅关于公布竞赛获奖结果的通知", text=sent,
                          meta=DocumentMeta(issuer="湖北省教育厅"))
    assert gazetteer.document_place(provincial).name == "湖北"  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "name"), [
    ("How many invention patents did Ma'anshan have in 2018?", "马鞍山"),
    ("What was Xi'an's GDP?", "西安"),
    ("Ma’anshan city", "马鞍山"),
])
def test_a_pinyin_name_is_found_with_its_syllable_apostrophe(gazetteer: Gazetteer, text: str, name: str) -> None:
    assert [m.place.name for m in gazetteer.find(text)] == [name]


def test_a_banner_named_by_direction_is_not_its_namesake(gazetteer: Gazetteer) -> None:
    """Hangjin Rear Banner is 杭锦后旗, a banner of another city than 杭锦旗 (Hangjin Banner)."""
    [rear] = gazetteer.find("What was the GDP of Hangjin Rear Banner in 2021?")
    assert rear.place.name == "杭锦后旗" and rear.surface == "Hangjin Rear Banner"
    [plain] = gazetteer.find("What was the GDP of Hangjin Banner in 2021?")
    assert plain.place.name == "杭锦旗"
