"""Money in requests and responses: exact decimals in, plain JSON numbers out."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

MAX_AMOUNT = Decimal("9999999999.99")  # what NUMERIC(12, 2) holds

# Requests: at most two decimals, never negative, within the column's range.
Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, max_digits=12, decimal_places=2)]
# Responses: a JSON number (clients expect 12.5, not "12.50").
MoneyOut = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
