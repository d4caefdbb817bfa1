"""From orders to the weekly series the forecasts are made on (the seed's recipe)."""

from __future__ import annotations

import pandas as pd

WEEK = "W"  # weeks ending on Sunday, as pandas' "W"


def complete_weeks(
    daily: pd.Series, *, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
) -> pd.Series:
    """Weekly sums of a daily series, keeping complete weeks only.

    Days without sales count as 0 between `start` and `end` (default: the series' own first
    and last day); a first or last week that the data covers only in part is dropped, so it
    cannot look like a collapse in demand.
    """
    if daily.empty:
        return pd.Series(dtype=float)
    daily = daily.astype(float).sort_index()
    first = pd.Timestamp(start if start is not None else daily.index.min()).normalize()
    last = pd.Timestamp(end if end is not None else daily.index.max()).normalize()
    days = daily.reindex(pd.date_range(first, last, freq="D"), fill_value=0.0)
    weekly = days.resample(WEEK).sum()
    if first.day_of_week != 0:  # the first week did not start on a Monday
        weekly = weekly.iloc[1:]
    if last.day_of_week != 6:  # the last week did not end on a Sunday
        weekly = weekly.iloc[:-1]
    return weekly


def category_weekly_demand(orders: pd.DataFrame) -> dict[str, pd.Series]:
    """The seed's series per category from data-contract orders: units sold per complete week.

    Cancelled orders and rows with TotalAmount <= 0 (refunds) are dropped; all categories
    share the calendar of the whole file.
    """
    sold = orders[(orders["OrderStatus"] != "Cancelled") & (orders["TotalAmount"] > 0)]
    dates = pd.to_datetime(sold["OrderDate"])
    start, end = pd.to_datetime(orders["OrderDate"]).min(), pd.to_datetime(orders["OrderDate"]).max()
    daily = sold.assign(OrderDate=dates).groupby(["Category", "OrderDate"])["Quantity"].sum()
    return {
        category: complete_weeks(daily.loc[category], start=start, end=end)
        for category in daily.index.get_level_values(0).unique()
    }
