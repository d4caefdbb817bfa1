"""ABC and XYZ classes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.ml.classification import abc_classes, demand_variability, xyz_classes


def test_a_is_the_smallest_set_reaching_the_cutoff() -> None:
    revenue = pd.Series({"p1": 50.0, "p2": 30.0, "p3": 10.0, "p4": 6.0, "p5": 4.0})
    # p1 + p2 = 80% exactly reaches A's 80%; p3 starts at 80% -> B (up to 95%); p4 starts at 90% -> B; p5 at 96% -> C.
    assert abc_classes(revenue).to_dict() == {"p1": "A", "p2": "A", "p3": "B", "p4": "B", "p5": "C"}
    assert abc_classes(revenue, a_share=0.5, b_share=0.3).to_dict() == {
        "p1": "A",
        "p2": "B",
        "p3": "C",
        "p4": "C",
        "p5": "C",
    }


def test_refunds_and_zero_revenue_are_c() -> None:
    assert abc_classes(pd.Series({"a": 10.0, "b": 0.0, "c": -5.0})).to_dict() == {"a": "A", "b": "C", "c": "C"}
    with pytest.raises(ValueError):
        abc_classes(pd.Series({"a": 1.0}), a_share=0.9, b_share=0.2)


def test_xyz_by_coefficient_of_variation() -> None:
    weekly = pd.DataFrame(
        {"steady": [10, 10, 11, 9], "bumpy": [0, 10, 5, 15], "rare": [0, 0, 0, 8], "never": [0, 0, 0, 0]}
    )
    cv = demand_variability(weekly)
    assert cv["steady"] == pytest.approx(np.std([10, 10, 11, 9]) / 10)
    assert np.isinf(cv["never"])
    assert xyz_classes(cv).to_dict() == {"steady": "X", "bumpy": "Y", "rare": "Z", "never": "Z"}
