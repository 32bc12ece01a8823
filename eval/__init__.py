"""Evaluation of the question-answering system: the QA dataset and the answer-grading rules."""
