"""A realistic, reproducible demo data set in the data contract's schema.

Orders: each day and category gets an intensity — the category's share x its monthly
season (interpolated to days) x its yearly growth x a day-of-week pattern x holiday peaks
(Prime Day, Black Friday to Cyber Monday, the weeks before Christmas) x day-to-day noise —
and the orders are spread over (day, category) cells by a multinomial draw. Within a
category, products are picked by lognormal popularity (a few products make most of the
revenue; most sell a few units a year), only while they are on sale: some launch during
the period, some are discontinued (the source of dead stock). Customers buy with a heavy
tail of repeat buyers. Amounts follow the contract: TotalAmount = Quantity x UnitPrice −
Discount + Tax + ShippingCost, 0 for Cancelled, negated for Returned.

Stock (one row per product that appears in the orders), the documented rule:
- demand rate d = units sold in the last 90 days / 90; lead time L = the category's lead
  time x a random factor in [0.75, 1.25];
- safety stock = ceil(1.65 x sqrt(d x L)) (95% service with Poisson-like demand);
  reorder point = ceil(d x L) + safety stock;
- stock on hand, for a product sold in the last 90 days: 8% are out (0), 20% sit at or
  below their reorder point, the rest hold the reorder point plus 2–8 weeks of demand
  (over the whole catalogue: about 3% out, 7% low); for a product without a sale in the
  last 90 days: 5–40 units if it was discontinued (dead stock), 1–3 units otherwise (a
  slow mover of the long tail);
- unit cost = list price x the category's cost ratio x a factor in [0.9, 1.1].

The same seed gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from app.generator.vocabulary import (
    CATEGORIES,
    CITIES_BY_STATE,
    FIRST_NAMES,
    FREE_SHIPPING_FROM,
    LAST_NAMES,
    PAYMENT_METHODS,
    PAYMENT_SHARES,
    QUANTITY_SHARES,
    SHIPPING_RATES,
    TAX_RATE_BY_STATE,
    VARIANTS,
)

ORDER_COLUMNS = [
    "OrderID", "OrderDate", "CustomerID", "CustomerName", "ProductID", "ProductName", "Category", "Brand",
    "Quantity", "UnitPrice", "Discount", "Tax", "ShippingCost", "TotalAmount", "PaymentMethod", "OrderStatus",
    "City", "State", "Country", "SellerID",
]  # fmt: skip
STOCK_COLUMNS = ["ProductID", "StockOnHand", "ReorderPoint", "LeadTimeDays", "UnitCost"]
PRODUCTS_AT_100K = 11_000  # about 9,000 of them sell in 100,000 orders
CUSTOMERS_AT_100K = 16_500  # some never order: about 14,500 appear in 100,000 orders
SELLERS_AT_100K = 1_000
POPULARITY_SPREAD = 1.35  # sigma of log popularity
Progress = Callable[[int], None]


@dataclass(frozen=True)
class DemoData:
    """The orders file and the stock file, as DataFrames in their CSV column order."""

    orders: pd.DataFrame
    stock: pd.DataFrame


def _scaled(at_100k: int, n_orders: int, floor: int) -> int:
    return max(floor, round(at_100k * min(1.0, n_orders / 100_000) ** 0.8))


def _catalog(rng: np.random.Generator, n_products: int, n_days: int, n_sellers: int) -> pd.DataFrame:
    shares = np.array([profile.order_share for profile in CATEGORIES])
    per_category = np.maximum(5, np.round(n_products * shares / shares.sum())).astype(int)
    frames = []
    for index, (profile, count) in enumerate(zip(CATEGORIES, per_category, strict=True)):
        combos = [(b, t, v) for b in profile.brands for t in profile.product_types for v in VARIANTS]
        chosen = rng.choice(len(combos), size=count, replace=count > len(combos))
        names = [" ".join(part for part in combos[i] if part) for i in chosen]
        frames.append(
            pd.DataFrame(
                {
                    "category_index": index,
                    "brand": [combos[i][0] for i in chosen],
                    "name": names,
                    "list_price": np.round(profile.median_price * rng.lognormal(0.0, profile.price_spread, count), 2),
                    "popularity": rng.lognormal(0.0, POPULARITY_SPREAD, count),
                }
            )
        )
    catalog = pd.concat(frames, ignore_index=True)
    catalog["list_price"] = catalog["list_price"].clip(lower=2.99)
    catalog["sku"] = [f"PROD-{1000 + i}" for i in range(len(catalog))]
    size = len(catalog)
    # A quarter launch during the period; a tenth are discontinued before its end.
    launches = rng.random(size) < 0.25
    catalog["launch_day"] = np.where(launches, rng.integers(0, n_days - 120, size), 0)
    retires = rng.random(size) < 0.10
    retire_from = catalog["launch_day"].to_numpy() + 180
    catalog["retire_day"] = np.where(retires, rng.integers(np.minimum(retire_from, n_days - 100), n_days - 95), n_days)
    # One product in a hundred is renamed partway: a later name for the same ProductID.
    renamed = rng.random(size) < 0.01
    catalog["rename_day"] = np.where(renamed, rng.integers(0, n_days, size), n_days + 1)
    catalog["seller"] = [f"SELL-{i:03d}" for i in rng.integers(1, n_sellers + 1, size)]
    return catalog


def _customers(rng: np.random.Generator, count: int) -> pd.DataFrame:
    states = np.array(list(CITIES_BY_STATE))
    state = states[rng.integers(0, len(states), count)]
    city = [
        CITIES_BY_STATE[s][i % len(CITIES_BY_STATE[s])] for s, i in zip(state, rng.integers(0, 60, count), strict=True)
    ]
    names = [
        f"{FIRST_NAMES[f]} {LAST_NAMES[last]}"
        for f, last in zip(
            rng.integers(0, len(FIRST_NAMES), count), rng.integers(0, len(LAST_NAMES), count), strict=True
        )
    ]
    return pd.DataFrame(
        {
            "customer_id": [f"CUST-{i:05d}" for i in range(1, count + 1)],
            # A handful of exports lose the name: the contract allows it.
            "name": np.where(rng.random(count) < 0.005, "", names),
            "city": city,
            "state": state,
            "loyalty": rng.lognormal(0.0, 1.0, count),
        }
    )


def _daily_season(days: pd.DatetimeIndex, monthly: tuple[float, ...]) -> np.ndarray:
    # Monthly factors sit mid-month and are interpolated around the year, so demand
    # glides between months instead of jumping on the 1st.
    anchors = (np.arange(12) + 0.5) / 12
    phase = (days.day_of_year.to_numpy() - 0.5) / 365.25
    values = np.array(monthly)
    extended_x = np.concatenate([anchors - 1, anchors, anchors + 1])
    extended_y = np.tile(values, 3)
    return np.interp(phase, extended_x, extended_y)


def _holiday_factor(days: pd.DatetimeIndex) -> np.ndarray:
    factor = np.ones(len(days))
    for year in sorted(set(days.year)):
        november = pd.date_range(f"{year}-11-01", f"{year}-11-30")
        black_friday = november[november.day_of_week == 4][3]
        july = pd.date_range(f"{year}-07-01", f"{year}-07-31")
        prime_day = july[july.day_of_week == 1][1]
        peaks = {
            black_friday - pd.Timedelta(days=1): 1.5,
            black_friday: 2.6,
            black_friday + pd.Timedelta(days=1): 1.9,
            black_friday + pd.Timedelta(days=2): 1.8,
            black_friday + pd.Timedelta(days=3): 2.3,  # Cyber Monday
            prime_day: 1.9,
            prime_day + pd.Timedelta(days=1): 1.6,
            pd.Timestamp(f"{year}-12-24"): 0.8,
            pd.Timestamp(f"{year}-12-25"): 0.45,
            pd.Timestamp(f"{year}-01-01"): 0.6,
        }
        for day, multiplier in peaks.items():
            factor[days == day] *= multiplier
        christmas_rush = (days >= pd.Timestamp(f"{year}-12-05")) & (days <= pd.Timestamp(f"{year}-12-20"))
        factor[christmas_rush] *= 1.25
    return factor


def _order_cells(rng: np.random.Generator, n_orders: int, days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Day index and category index of every order."""
    years = (days - days[0]).days.to_numpy() / 365.25
    day_of_week = np.array([1.05, 1.0, 1.0, 0.98, 0.95, 0.9, 1.1])[days.day_of_week.to_numpy()]
    common = day_of_week * _holiday_factor(days)
    intensity = np.column_stack(
        [
            profile.order_share * _daily_season(days, profile.monthly_season) * profile.yearly_growth**years * common
            for profile in CATEGORIES
        ]
    )
    # Day-to-day noise (coefficient of variation ~20%): real sales are not a smooth curve.
    intensity *= rng.gamma(25.0, 1 / 25.0, intensity.shape)
    counts = rng.multinomial(n_orders, (intensity / intensity.sum()).ravel()).reshape(intensity.shape)
    cells = np.repeat(np.arange(counts.size), counts.ravel())
    return cells // len(CATEGORIES), cells % len(CATEGORIES)


def _pick_products(
    rng: np.random.Generator, catalog: pd.DataFrame, day: np.ndarray, category: np.ndarray
) -> np.ndarray:
    """A product for every order: by popularity within its category, among products on sale that day."""
    chosen = np.empty(len(day), dtype=np.int64)
    launch, retire = catalog["launch_day"].to_numpy(), catalog["retire_day"].to_numpy()
    for index in range(len(CATEGORIES)):
        members = np.flatnonzero(catalog["category_index"].to_numpy() == index)
        weights = catalog["popularity"].to_numpy()[members]
        orders = np.flatnonzero(category == index)
        pending = orders
        for _ in range(12):
            if len(pending) == 0:
                break
            pick = members[rng.choice(len(members), size=len(pending), p=weights / weights.sum())]
            on_sale = (launch[pick] <= day[pending]) & (day[pending] <= retire[pick])
            chosen[pending[on_sale]] = pick[on_sale]
            pending = pending[~on_sale]
        # Rare leftovers take the category's best seller that is always on sale.
        always = members[(launch[members] == 0) & (retire[members] >= day.max())]
        chosen[pending] = always[np.argmax(catalog["popularity"].to_numpy()[always])]
    return chosen


def _amounts(rng: np.random.Generator, frame: pd.DataFrame, years: np.ndarray, holiday_season: np.ndarray) -> None:
    size = len(frame)
    frame["Quantity"] = rng.choice(np.arange(1, 7), size=size, p=QUANTITY_SHARES)
    # Prices drift up about 3% a year.
    frame["UnitPrice"] = np.round(frame["list_price"].to_numpy() * 1.03**years, 2)
    gross = np.round(frame["Quantity"].to_numpy() * frame["UnitPrice"].to_numpy(), 2)
    discounted = rng.random(size) < np.where(holiday_season, 0.5, 0.35)
    rate = rng.choice([0.10, 0.15, 0.20, 0.25, 0.30], size=size)
    frame["Discount"] = np.where(discounted, np.round(gross * rate, 2), 0.0)
    net = gross - frame["Discount"].to_numpy()
    tax_rate = frame["State"].map(TAX_RATE_BY_STATE).to_numpy()
    frame["Tax"] = np.round(net * tax_rate, 2)
    frame["ShippingCost"] = np.where(net >= FREE_SHIPPING_FROM, 0.0, rng.choice(SHIPPING_RATES, size=size))
    frame["TotalAmount"] = np.round(net + frame["Tax"].to_numpy() + frame["ShippingCost"].to_numpy(), 2)


def _statuses(rng: np.random.Generator, days_before_end: np.ndarray, return_rate: np.ndarray) -> np.ndarray:
    status = np.full(len(days_before_end), "Delivered", dtype=object)
    recent, fresh = days_before_end <= 10, days_before_end <= 3
    status[recent & (rng.random(len(status)) < 0.6)] = "Shipped"
    status[fresh & (rng.random(len(status)) < 0.7)] = "Processing"
    status[(~recent) & (rng.random(len(status)) < return_rate)] = "Returned"
    status[rng.random(len(status)) < 0.02] = "Cancelled"
    return status


def _orders(
    rng: np.random.Generator, catalog: pd.DataFrame, customers: pd.DataFrame, days: pd.DatetimeIndex, n_orders: int
) -> pd.DataFrame:
    day, category = _order_cells(rng, n_orders, days)
    product = _pick_products(rng, catalog, day, category)
    loyalty = customers["loyalty"].to_numpy()
    buyer = rng.choice(len(customers), size=n_orders, p=loyalty / loyalty.sum())
    items = catalog.iloc[product].reset_index(drop=True)
    people = customers.iloc[buyer].reset_index(drop=True)
    dates = days[day]
    frame = pd.DataFrame(
        {
            "OrderID": [f"ORD{i:07d}" for i in range(1, n_orders + 1)],
            "OrderDate": dates.strftime("%Y-%m-%d"),
            "CustomerID": people["customer_id"],
            "CustomerName": people["name"],
            "ProductID": items["sku"],
            "ProductName": np.where(
                day >= items["rename_day"].to_numpy(), items["name"] + " (New Edition)", items["name"]
            ),
            "Category": [CATEGORIES[i].name for i in category],
            "Brand": items["brand"],
            "list_price": items["list_price"],
            "State": people["state"],
            "City": people["city"],
        }
    )
    years = (dates - days[0]).days.to_numpy() / 365.25
    _amounts(rng, frame, years, holiday_season=np.asarray(dates.month >= 11))
    frame["PaymentMethod"] = rng.choice(PAYMENT_METHODS, size=n_orders, p=PAYMENT_SHARES)
    return_rate = np.array([CATEGORIES[i].return_rate for i in category])
    frame["OrderStatus"] = _statuses(rng, (len(days) - 1 - day), return_rate)
    frame.loc[frame["OrderStatus"] == "Cancelled", "TotalAmount"] = 0.0
    returned = frame["OrderStatus"] == "Returned"
    frame.loc[returned, "TotalAmount"] = -frame.loc[returned, "TotalAmount"]
    frame["Country"] = "USA"
    frame["SellerID"] = items["seller"]
    return frame[ORDER_COLUMNS]


def _stock(rng: np.random.Generator, catalog: pd.DataFrame, orders: pd.DataFrame, end: date) -> pd.DataFrame:
    sold = orders[orders["OrderStatus"] != "Cancelled"]
    recent = sold[pd.to_datetime(sold["OrderDate"]) > pd.Timestamp(end) - pd.Timedelta(days=90)]
    units_90 = recent.groupby("ProductID")["Quantity"].sum()
    products = catalog[catalog["sku"].isin(orders["ProductID"].unique())].reset_index(drop=True)
    size = len(products)
    rate = products["sku"].map(units_90).fillna(0).to_numpy() / 90
    base_lead = np.array([CATEGORIES[i].lead_time_days for i in products["category_index"]])
    lead = np.maximum(1, np.round(base_lead * rng.uniform(0.75, 1.25, size))).astype(int)
    safety = np.ceil(1.65 * np.sqrt(rate * lead))
    reorder_point = (np.ceil(rate * lead) + safety).astype(int)
    healthy = reorder_point + np.ceil(rate * rng.uniform(14, 56, size)) + rng.integers(1, 6, size)
    draw = rng.random(size)
    stock = np.where(draw < 0.08, 0, np.where(draw < 0.28, rng.integers(1, np.maximum(reorder_point, 1) + 1), healthy))
    discontinued = products["retire_day"].to_numpy() < products["retire_day"].max()
    unsold = np.where(discontinued, rng.integers(5, 41, size), rng.integers(1, 4, size))
    stock = np.where(rate == 0, unsold, stock)
    cost_ratio = np.array([CATEGORIES[i].cost_ratio for i in products["category_index"]])
    unit_cost = np.round(products["list_price"].to_numpy() * cost_ratio * rng.uniform(0.9, 1.1, size), 2)
    return pd.DataFrame(
        {
            "ProductID": products["sku"],
            "StockOnHand": stock.astype(int),
            "ReorderPoint": reorder_point,
            "LeadTimeDays": lead,
            "UnitCost": unit_cost,
        }
    )


HISTORY_YEARS = 5


def five_years_to(end: date) -> tuple[date, date]:
    """The first and last day of the five years of history that end on `end` (the demo's window)."""
    start = (pd.Timestamp(end) - pd.DateOffset(years=HISTORY_YEARS) + pd.Timedelta(days=1)).date()
    return start, end


def generate_demo_data(
    n_orders: int = 100_000,
    seed: int = 42,
    start: date = date(2020, 1, 1),
    end: date = date(2024, 12, 31),
    progress: Progress | None = None,
) -> DemoData:
    """Orders and stock for a store like the contract's sample, reproducible from `seed`."""
    if n_orders < 1:
        raise ValueError("n_orders must be at least 1")
    if end <= start:
        raise ValueError("end must be after start")
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, end, freq="D")
    catalog = _catalog(rng, _scaled(PRODUCTS_AT_100K, n_orders, 20), len(days), _scaled(SELLERS_AT_100K, n_orders, 5))
    customers = _customers(rng, _scaled(CUSTOMERS_AT_100K, n_orders, 20))
    if progress:
        progress(0)
    orders = _orders(rng, catalog, customers, days, n_orders)
    if progress:
        progress(n_orders)
    return DemoData(orders=orders, stock=_stock(rng, catalog, orders, end))


def write_csv(data: DemoData, orders_path: Path, stock_path: Path | None = None) -> None:
    """Write the orders (and stock) CSV files, amounts with two decimals."""
    data.orders.to_csv(orders_path, index=False, float_format="%.2f", lineterminator="\n")
    if stock_path is not None:
        data.stock.to_csv(stock_path, index=False, float_format="%.2f", lineterminator="\n")
