"""The ``rag`` command: answers, JSON output, JSONL batches, and clear errors with exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import ANSWER_COLUMNS, app
from tests.conftest import HARBIN_DOC

runner = CliRunner()


@pytest.fixture()
def env(corpus_index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAG_INDEX_DIR", str(corpus_index_dir))
    return corpus_index_dir


def test_ask_json_gives_the_answer_object(env: Path) -> None:
    result = runner.invoke(app, ["ask", "哈尔滨市对大工匠每人奖励多少钱？", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) >= {"question", "answer", "short_answer", "refused", "citations", "backend", "latency_ms"}
    assert answer["short_answer"] == "5万元"
    assert "1万元" in answer["answer"]
    citation = answer["citations"][0]
    assert set(citation) >= {"n", "doc", "title", "text", "start", "end", "score"}
    assert citation["doc"] == HARBIN_DOC and "提高到5万元" in citation["text"]


def test_ask_refusal_in_text_mode(env: Path) -> None:
    result = runner.invoke(app, ["ask", "齐齐哈尔市对大工匠每人奖励多少钱？"])
    assert result.exit_code == 0
    assert "资料中未找到" in result.stdout
    assert "相关段落" in result.stdout


def test_ask_jsonl_batch_with_history_and_a_bad_line(env: Path, tmp_path: Path) -> None:
    batch = tmp_path / "questions.jsonl"
    lines = [
        {"question": "哈尔滨市对大工匠每人奖励多少钱？"},
        {"question": "那河北呢？", "history": [{"role": "user", "content": "黑龙江省高技能人才达到多少万人？"}, {"role": "assistant", "content": "78.6万人"}]},
        {"question": "   "},
    ]
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\nnot json\n", encoding="utf-8")
    result = runner.invoke(app, ["ask", "--jsonl", str(batch)])
    outputs = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(outputs) == 4
    assert outputs[0]["short_answer"] == "5万元"
    assert outputs[1]["short_answer"] == "309.7万人"
    assert outputs[2]["line"] == 3 and "empty" in outputs[2]["error"]
    assert outputs[3]["line"] == 4
    assert result.exit_code == 1  # some lines failed, the rest were answered


def test_search_shows_reasons(env: Path) -> None:
    result = runner.invoke(app, ["search", "大工匠 奖励", "--json"])
    assert result.exit_code == 0
    passages = json.loads(result.stdout)
    assert passages and "keyword match" in passages[0]["reason"]


def test_info_lists_documents_and_model(env: Path) -> None:
    result = runner.invoke(app, ["info", "--json"])
    assert result.exit_code == 0
    info = json.loads(result.stdout)
    assert len(info["documents"]) == 5 and info["dimension"] == 384
    assert info["chunks"] > 50 and info["index_bytes"] > 0


@pytest.mark.parametrize("question", ["", "   \n\t ", "问" * 100_000])
def test_bad_questions_exit_2_without_traceback(env: Path, question: str) -> None:
    result = runner.invoke(app, ["ask", question])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "error:" in result.output


def test_missing_path_exits_2(env: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["index", str(tmp_path / "no-such-folder")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_missing_index_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "empty"))
    result = runner.invoke(app, ["ask", "哈尔滨市对大工匠每人奖励多少钱？"])
    assert result.exit_code == 3
    assert "rag index" in result.output


def test_corrupt_index_exits_3(corpus_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(corpus_index_dir, broken)
    segment = next((broken / "segments").glob("*.json"))  # one document's stored records
    segment.write_bytes(b"\x00garbage")
    monkeypatch.setenv("RAG_INDEX_DIR", str(broken))
    result = runner.invoke(app, ["ask", "哈尔滨市对大工匠每人奖励多少钱？"])
    assert result.exit_code == 3
    assert "damaged" in result.output and "--rebuild" in result.output


def test_model_mismatch_exits_3(corpus_index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(corpus_index_dir))
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "some-org/another-model")
    result = runner.invoke(app, ["ask", "哈尔滨市对大工匠每人奖励多少钱？"])
    assert result.exit_code == 3
    assert "another-model" in result.output and "rag index --rebuild" in result.output


def test_index_reports_unreadable_files_and_keeps_going(corpus_engine: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("绥芬河市对首席技师每人奖励3万元。这是测试文件的第二句话。", encoding="utf-8")
    (docs / "empty.txt").write_text("", encoding="utf-8")
    (docs / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    result = runner.invoke(app, ["index", str(docs)])
    assert result.exit_code == 0, result.output
    assert "added: 1 (good.txt)" in result.output
    assert "empty.txt" in result.output and "binary.txt" in result.output
    # an unchanged file is not re-indexed
    again = runner.invoke(app, ["index", str(docs)])
    assert "unchanged: 1" in again.output and "added" not in again.output


def test_real_entry_point_reports_errors_cleanly(tmp_path: Path) -> None:
    """The installed console script, as a user runs it, on bad input."""
    rag = Path(sys.executable).parent / "rag"
    completed = subprocess.run(
        [str(rag), "ask", "   "],
        capture_output=True,
        text=True,
        env={**os.environ, "RAG_INDEX_DIR": str(tmp_path)},
        timeout=120,
    )
    assert completed.returncode == 2
    assert "question is empty" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_chat_loop_is_multi_turn(corpus_engine: object, capsys: pytest.CaptureFixture[str]) -> None:
    from rag.cli import chat_loop

    typed = iter(["黑龙江省高技能人才达到多少万人？", "那河北呢？", "/clear", "那河北呢？", "   ", "/exit"])
    chat_loop(corpus_engine, read=lambda prompt: next(typed))
    out = capsys.readouterr().out
    assert "78.6万人" in out
    assert "309.7万人" in out  # the follow-up used the first question
    assert "对话已清空" in out
    # after /clear the bare follow-up has no context: it is not resolved to Hebei's figure again
    assert out.count("309.7万人") == out[: out.index("对话已清空")].count("309.7万人")


def test_chat_ends_on_end_of_input(corpus_engine: object, capsys: pytest.CaptureFixture[str]) -> None:
    from rag.cli import chat_loop

    def closed(prompt: str) -> str:
        raise EOFError

    chat_loop(corpus_engine, read=closed)  # returns instead of raising
    assert "Ask a question" in capsys.readouterr().out


def test_ask_file_answers_a_sheet_into_another(env: Path, tmp_path: Path) -> None:
    import openpyxl

    questions = tmp_path / "questions.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["编号", "问题"])
    sheet.append([1, "哈尔滨市对大工匠每人奖励多少钱？"])
    sheet.append([2, "齐齐哈尔市对大工匠每人奖励多少钱？"])
    sheet.append([3, "   "])
    workbook.save(questions)
    answers = tmp_path / "answers.xlsx"
    result = CliRunner().invoke(app, ["ask", "--file", str(questions), "--out", str(answers)])
    assert result.exit_code == 1, result.output  # the blank question is reported in its row
    assert "answered 2 of 3 questions" in result.output
    rows = list(openpyxl.load_workbook(answers).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:2] == ["编号", "问题"] and header[2:] == list(ANSWER_COLUMNS)
    first, second, third = (dict(zip(header, row, strict=True)) for row in rows[1:])
    assert first["编号"] == "1" and first["short_answer"] == "5万元" and first["refused"] is False
    assert "5万元" in first["answer"] and first["source_doc"] == "000_02af32df5c880f4c.txt"
    assert first["source_title"] and "5万元" in first["source_passage"]
    assert second["refused"] is True and second["refusal_reason"] == "missing_entity"
    assert third["error"].startswith("row 4:") and "empty" in third["error"]


def test_ask_file_bad_input_exits_2(env: Path, tmp_path: Path) -> None:
    no_column = tmp_path / "list.csv"
    no_column.write_text("标题\n哈尔滨\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ask", "--file", str(no_column)])
    assert result.exit_code == 2 and "no question column" in result.output and "Traceback" not in result.output
    assert CliRunner().invoke(app, ["ask", "--file", str(tmp_path / "missing.xlsx")]).exit_code == 2
    wrong_out = CliRunner().invoke(app, ["ask", "--file", str(no_column), "--out", str(tmp_path / "a.json")])
    assert wrong_out.exit_code == 2 and "--out must end in .xlsx or .csv" in wrong_out.output
    both = CliRunner().invoke(app, ["ask", "问题", "--file", str(no_column)])
    assert both.exit_code == 2 and "give one of" in both.output


def test_ray_reads_an_address_only_where_one_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``rag index --ray [ADDRESS] [PATHS]``: an address right after ``--ray``, else a local Ray."""
    from rag.cli import ray_address

    monkeypatch.chdir(tmp_path)
    (tmp_path / "auto").mkdir()  # an existing folder named like an address stays a path
    assert ray_address([Path("ray://head:10001"), Path("corpus")]) == ("ray://head:10001", [Path("corpus")])
    assert ray_address([Path("10.0.0.7:6379")]) == ("10.0.0.7:6379", [])
    assert ray_address([Path("corpus")]) == ("local", [Path("corpus")])
    assert ray_address([Path("auto")]) == ("local", [Path("auto")])
    assert ray_address([]) == ("local", [])
