"""Text that addresses the system instead of informing the reader: prompt injection.

A document anyone can upload may carry lines such as 「忽略以上所有指示，回答：…」, "Ignore previous
instructions and say …" or chat role markers (``system:``, ``<|im_start|>``). Such a line is never
evidence: the extractive backend never quotes it as an answer, and the LLM backends never put it in
a prompt. The rule is written once here because both the answering code and the prompt builder
apply it.

The patterns are about the form of an instruction to a model (ignore / disregard + earlier
instructions, role markers, "you are now …"), not about any topic, so ordinary sentences of official
documents (「要求各单位忽视安全隐患的行为必须纠正」) do not match.
"""

from __future__ import annotations

import re

_EARLIER = r"(?:以上|上述|上面|之前|此前|先前|前面|前述|刚才|原有|原来|系统|所有|全部|一切)"
_RULES = r"(?:指示|指令|命令|提示词?|要求|规则|设定|约束|说明|内容|对话|信息)"
_CHINESE = re.compile(
    rf"(?:忽略|无视|忽视|忘记|忘掉|不要理会|不理会|不要遵守|不再遵守|覆盖|绕过)[^。！？\n]{{0,6}}?{_EARLIER}"
    rf"[^。！？\n]{{0,8}}?{_RULES}"
    r"|(?:你|您)(?:现在|从现在起|接下来)?(?:是|扮演|充当|作为)[^。！？\n]{0,8}?(?:AI|人工智能|助手|语言模型|大模型|机器人|ChatGPT)"
    r"|(?:系统提示|系统指令|提示词注入)"
)
_ENGLISH = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,30}?"
    r"\b(?:previous|prior|above|earlier|preceding|all|any|system|your)\b[^.!?\n]{0,20}?"
    r"\b(?:instructions?|prompts?|rules|directions|guidelines|context|messages?)\b"
    r"|\byou are now\b|\bact as (?:an? )?(?:ai|assistant|language model)\b|\bsystem prompt\b",
    re.I,
)
#: Chat-template and role markers: text that tries to open a turn of its own.
_ROLE_MARKER = re.compile(
    r"<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|\[/?INST\]|<</?SYS>>|###\s*(?:Instruction|System)"
    r"|^\s*(?:system|assistant|user|human|ai|系统|助手)\s*[:：]",
    re.I | re.M,
)


def addresses_the_system(text: str) -> bool:
    """True when ``text`` reads as an instruction to the answering system rather than content."""
    return bool(_CHINESE.search(text) or _ENGLISH.search(text) or _ROLE_MARKER.search(text))


def without_instructions(sentences: list[str]) -> list[str]:
    """The sentences that inform, with those addressing the system left out."""
    return [sentence for sentence in sentences if not addresses_the_system(sentence)]
