"""Domain packs: the user dictionary and glossary come from one configurable folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.settings import PACKS, Settings, packaged_packs, resolve_domain_pack
from rag.text.glossary import Glossary
from rag.text.tokenizing import ChineseTokenizer, resource_digests, shared_tokenizer

SENTENCE = "哈尔滨市大工匠每人奖励5万元，省总工会牵头"


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    """A pack of one's own: a tea-industry domain, unknown to jieba's dictionary."""
    folder = tmp_path / "tea"
    folder.mkdir()
    (folder / "userdict_zh.txt").write_text("# tea words\n茶旅融合 100 n\n", encoding="utf-8")
    (folder / "glossary_en_zh.tsv").write_text(
        "# English\tChinese\ntea tourism\t茶旅融合,茶旅游\n", encoding="utf-8"
    )
    return folder


def test_the_workforce_pack_is_packaged_and_the_default() -> None:
    assert "workforce" in packaged_packs()
    settings = Settings()
    assert settings.domain_pack == "workforce"
    assert str(settings.domain_pack_dir) == str(PACKS.joinpath("workforce"))
    assert settings.domain_pack_dir.joinpath("userdict_zh.txt").is_file()
    assert settings.domain_pack_dir.joinpath("glossary_en_zh.tsv").is_file()
    assert settings.domain_pack_dir.joinpath("README.md").is_file()


def test_pack_setting_accepts_a_name_a_folder_or_none(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(domain_pack=str(pack)).domain_pack_dir == pack
    assert Settings(domain_pack="none").domain_pack_dir is None
    assert Settings(domain_pack="NONE").domain_pack_dir is None
    monkeypatch.setenv("RAG_DOMAIN_PACK", "none")
    assert Settings().domain_pack_dir is None
    # a relative folder is resolved like the other settings paths
    assert resolve_domain_pack("tea", lambda p: pack.parent / p) == pack


def test_an_unknown_pack_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no packaged pack of that name.*workforce"):
        Settings(domain_pack="no-such-pack")
    with pytest.raises(ValidationError, match="no folder at"):
        Settings(domain_pack=str(tmp_path / "missing"))


def test_tokenizer_loads_the_user_dictionary_of_a_pack_folder(pack: Path) -> None:
    plain = ChineseTokenizer(None)
    assert "茶旅融合" not in plain.words("推进茶旅融合发展")
    tea = ChineseTokenizer(pack)
    assert "茶旅融合" in tea.words("推进茶旅融合发展")
    assert "大工匠" not in tea.words(SENTENCE)  # the workforce words are not loaded
    assert tea.stopwords == plain.stopwords  # stopwords are general, not part of a pack


def test_without_a_pack_no_user_dictionary_is_loaded() -> None:
    words = ChineseTokenizer(None).words(SENTENCE)
    assert "大工匠" not in words and "省总工会" not in words
    workforce = ChineseTokenizer(Settings().domain_pack_dir).words(SENTENCE)
    assert "大工匠" in workforce and "省总工会" in workforce


def test_shared_tokenizers_are_cached_per_pack(pack: Path) -> None:
    assert shared_tokenizer(pack) is shared_tokenizer(Path(str(pack)))
    assert shared_tokenizer(None) is shared_tokenizer(None)
    assert shared_tokenizer(None) is not shared_tokenizer(pack)
    assert shared_tokenizer(None).pack_dir is None
    default = shared_tokenizer()  # the pack the settings name: workforce
    assert default is shared_tokenizer(Settings().domain_pack_dir)
    assert "大工匠" in default.words(SENTENCE)


def test_glossary_reads_the_pack(pack: Path) -> None:
    glossary = Glossary(pack)
    assert len(glossary) == 1
    assert glossary.expand("How is Tea Tourism promoted?") == ["茶旅融合", "茶旅游"]
    assert glossary.expand("great craftsmen") == []


def test_no_pack_means_an_empty_glossary(tmp_path: Path) -> None:
    for empty in (Glossary(None), Glossary(tmp_path)):  # none, and a pack without a glossary
        assert len(empty) == 0
        assert empty.expand("How much did Harbin award each of its great craftsmen?") == []
        assert empty.expand("") == []


def test_digests_follow_the_pack_files(pack: Path) -> None:
    none, tea = resource_digests(None), resource_digests(pack)
    assert none["user_dictionary"] is None
    assert tea["user_dictionary"] and tea["stopwords"] == none["stopwords"]
    (pack / "userdict_zh.txt").write_text("茶旅融合 200 n\n", encoding="utf-8")
    assert resource_digests(pack)["user_dictionary"] != tea["user_dictionary"]
