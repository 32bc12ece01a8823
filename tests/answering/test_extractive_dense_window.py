"""The dense-score window of the extractive backend adapts to where a query's similarities sit."""

from __future__ import annotations

import numpy as np

from rag.answering.extractive import DENSE_CEIL, DENSE_FLOOR, ExtractiveBackend


def test_chinese_similarities_that_saturate_the_fixed_window_get_a_window_of_their_own() -> None:
    similarities = np.array([0.83, 0.84, 0.85, 0.86, 0.97], dtype=np.float32)
    floor, ceiling = ExtractiveBackend._dense_window(similarities, "zh")
    assert floor > DENSE_FLOOR and ceiling >= 0.97
    scaled = np.clip((similarities - floor) / (ceiling - floor), 0, 1)
    assert scaled[-1] == 1.0 and scaled[0] == 0.0  # the best stands apart, the median and below do not


def test_english_and_empty_inputs_keep_the_fixed_window() -> None:
    similarities = np.array([0.69, 0.71, 0.78], dtype=np.float32)
    assert ExtractiveBackend._dense_window(similarities, "en") == (DENSE_FLOOR, DENSE_CEIL)
    assert ExtractiveBackend._dense_window(np.zeros(0, dtype=np.float32), "zh") == (DENSE_FLOOR, DENSE_CEIL)

