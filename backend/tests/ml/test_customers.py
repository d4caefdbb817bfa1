"""RFM scores and segments."""

from __future__ import annotations

import pandas as pd

from app.ml.customers import rfm_scores, rfm_segment


def test_scores_run_from_1_to_5_with_recent_frequent_valuable_best() -> None:
    recency = pd.Series([1, 10, 100, 200, 365, 30, 60, 90, 120, 5])
    orders = pd.Series([20, 5, 1, 1, 1, 3, 2, 2, 1, 10])
    revenue = pd.Series([5000, 900, 20, 30, 10, 300, 200, 150, 40, 2000])
    scores = rfm_scores(recency, orders, revenue)
    assert scores.min().min() == 1 and scores.max().max() == 5
    assert tuple(scores.iloc[0]) == (5, 5, 5)  # the most recent, frequent and valuable customer
    assert scores["R"].iloc[4] == 1  # a year without an order


def test_segments_follow_the_stated_rules() -> None:
    assert rfm_segment(5, 5, 5, 30) == "Champions"
    assert rfm_segment(2, 4, 1, 8) == "Loyal"
    assert rfm_segment(5, 1, 2, 1) == "New"
    assert rfm_segment(4, 2, 2, 2) == "Promising"
    assert rfm_segment(2, 3, 3, 4) == "At risk"
    assert rfm_segment(1, 2, 1, 2) == "Lost"
    assert rfm_segment(3, 2, 2, 2) == "Needs attention"
