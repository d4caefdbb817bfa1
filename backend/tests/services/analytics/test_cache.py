"""The analytics cache's key is the question itself: the service function and every argument it was given."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest

from app.services.analytics import customers, sales
from app.services.analytics.cache import question_key


def test_the_same_question_asked_twice_has_one_key() -> None:
    first = partial(sales.monthly_trend, category="Toys", as_of=date(2024, 3, 1))
    again = partial(sales.monthly_trend, as_of=date(2024, 3, 1), category="Toys")  # keyword order does not matter

    assert question_key(first) == question_key(again)


def test_any_other_argument_or_function_is_another_key() -> None:
    asked = question_key(partial(sales.monthly_trend, category="Toys", as_of=None))

    assert asked != question_key(partial(sales.monthly_trend, category="Books", as_of=None))
    assert asked != question_key(partial(sales.monthly_trend, category="Toys", as_of=date(2024, 3, 1)))
    assert asked != question_key(partial(sales.revenue_vs_profit, as_of=None))
    # Two functions that take the same arguments never share an answer.
    assert question_key(partial(sales.revenue_vs_profit, as_of=None)) != question_key(
        partial(customers.customer_segments, as_of=None)
    )
    # A bare function and a partial of it with no arguments ask the same question.
    assert question_key(sales.available_months) == question_key(partial(sales.available_months))


def test_an_argument_that_cannot_be_a_key_is_refused_not_ignored() -> None:
    key = question_key(partial(sales.monthly_trend, category=["Toys"], as_of=None))

    with pytest.raises(TypeError):
        hash(key)
