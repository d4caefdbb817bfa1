"""The dashboard's number formats (app/dashboard/static/js/format.js), written again in Python.

Chromium's Intl.NumberFormat (ICU) rounds the shortest decimal that reads back as the double (what
Python's repr prints: 14.95, not 14.9499999…) half away from zero; Decimal(repr(x)) with ROUND_HALF_UP
does the same, so these strings match the browser's digit for digit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def _fixed(value: float, places: int) -> str:
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{places}f}"


def money(value: float) -> str:
    text = _fixed(abs(value), 2)
    return f"-${text}" if value < 0 and text.strip("0.,") else f"${text}"


def money_round(value: float) -> str:
    text = _fixed(abs(value), 0)
    return f"-${text}" if value < 0 and text != "0" else f"${text}"


def count(value: float) -> str:
    return _fixed(value, 0)


def one(value: float) -> str:
    return _fixed(value, 1)


def two(value: float) -> str:
    return _fixed(value, 2)


def share(value: float) -> str:
    return f"{_fixed(value * 100, 1)}%"
