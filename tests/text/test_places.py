"""English place names that read alike for two places are resolved by the documents at hand."""

import pytest

from rag.text.places import Gazetteer, prefer_places


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


def test_an_unambiguous_or_unknown_name_is_left_alone(gazetteer: Gazetteer) -> None:
    mentions = gazetteer.find("What did Lueyang County build?")
    assert prefer_places(mentions, lambda place: False) == mentions
    assert mentions[0].place.name == "略阳县" and mentions[0].alternatives == ()


def test_a_place_outside_the_documents_province_in_its_opening_is_not_its_place(gazetteer: Gazetteer) -> None:
    """A report that opens with where someone went (武汉) is still about the province it keeps naming."""
    from rag.schema import Document

    text = (
        "深化改革 赋能职工成长\n6月13日，某公司技术中心主任张某来到位于武汉的企业挂职。\n"
        + "河北省推进改革。河北省总工会牵头。河北各地积极响应。" * 3
    )
    place = gazetteer.document_place(Document("d.txt", "深化改革 赋能职工成长", text))
    assert place is not None and place.name == "河北"
    county = "略阳县人民政府工作报告\n略阳县第十八届人民代表大会\n陕西省汉中市略阳县。" + "陕西省发展。" * 3
    inside = gazetteer.document_place(Document("c.txt", "政府工作报告", county))
    assert inside is not None and inside.name == "略阳县", "a place inside the province still decides"
