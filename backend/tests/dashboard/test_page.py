"""The dashboard in headless Chromium against the real app: every chart and table shows the API's numbers."""

from __future__ import annotations

import re

import httpx

from tests.dashboard.conftest import TRAINED, DashboardApp, save_screenshot_path
from tests.dashboard.formats import count, money, money_round, one, share, two


async def texts(page, selector: str) -> list[str]:
    return [text.strip() for text in await page.locator(selector).all_inner_texts()]


async def hover(page, selector: str, fraction: float) -> None:
    """Move the mouse across a chart to `fraction` of its width (in steps, as a hand would)."""
    area = page.locator(selector)
    await area.scroll_into_view_if_needed()
    box = await area.bounding_box()
    await page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2, steps=4)


async def check_kpis(page, summary: dict) -> None:
    assert await page.inner_text('[data-kpi="revenue"] .kpi-value') == money(summary["current"]["revenue"])
    assert await page.inner_text('[data-kpi="orders"] .kpi-value') == count(summary["current"]["orders"])
    assert await page.inner_text('[data-kpi="average_order_value"] .kpi-value') == money(
        summary["current"]["average_order_value"]
    )
    assert await page.inner_text('[data-kpi="low_stock_products"]') == count(summary["low_stock_products"])
    assert await page.inner_text('[data-kpi="out_of_stock_products"]') == count(summary["out_of_stock_products"])


async def check_trend(page, trend: dict) -> None:
    months = {m["month"]: m for m in trend["months"]}
    assert await page.get_attribute("#trend-chart", "data-points") == str(len(months))
    await hover(page, "#trend-chart .u-over", 0.7)
    legend = await texts(page, "#trend-chart .u-legend .u-series .u-value")
    shown = re.fullmatch(r"([A-Z][a-z]{2}) (\d{4})", legend[0])
    assert shown, legend
    month_number = "JanFebMarAprMayJunJulAugSepOctNovDec".index(shown[1]) // 3 + 1
    month = months[f"{shown[2]}-{month_number:02d}"]
    assert legend[1:] == [money(month["revenue"]), count(month["orders"])]


async def check_categories(page, performance: dict) -> None:
    for category in performance["categories"]:
        row = f'#categories-table tr[data-category="{category["category"]}"]'
        assert await page.inner_text(f'{row} [data-column="revenue"]') == money_round(category["revenue"])
        assert await page.inner_text(f'{row} [data-column="revenue_share"]') == share(category["revenue_share"])


async def check_forecast(page, api: httpx.AsyncClient, performance: dict) -> None:
    by_revenue = [c["category"] for c in performance["categories"] if c["category"] in TRAINED]
    category = by_revenue[0]  # the best-selling trained category is shown first
    assert await page.get_attribute("#forecast-card", "data-category") == category
    forecast = (await api.get(f"/forecast/forecast/{category}")).json()
    series = (await api.get(f"/forecast/forecast/{category}/series")).json()
    info = forecast["model_info"]
    assert await page.inner_text('#forecast-model [data-field="model"]') == info["selected"]
    assert await page.inner_text('#forecast-model [data-field="smape"]') == f"{one(info['backtest']['smape'])}%"
    assert await page.inner_text('#forecast-model [data-field="mase"]') == two(info["backtest"]["mase"])
    ninety = forecast["forecasts"]["90_day"]
    assert await page.inner_text('[data-horizon="90_day"] [data-column="total"]') == count(ninety["total_forecast"])
    band = f"{count(ninety['lower_ci_total'])} – {count(ninety['upper_ci_total'])}"
    assert await page.inner_text('[data-horizon="90_day"] [data-column="band"]') == band
    shown = [p["week"] for p in series["history"] if p["week"] <= series["forecast"][-1]["week"]][-104:]
    weeks = set(shown) | {p["week"] for p in series["forecast"]}
    assert await page.get_attribute("#forecast-chart", "data-points") == str(len(weeks))

    # The tooltip over the forecast weeks shows that week's forecast and 95% bounds.
    await hover(page, "#forecast-chart .u-over", 0.97)
    week = await page.get_attribute("#forecast-chart .chart-tooltip [data-week]", "data-week")
    point = next(p for p in series["forecast"] if p["week"] == week)
    line = await page.inner_text('#forecast-chart .chart-tooltip [data-line="forecast"]')
    assert line == f"Forecast: {one(point['forecast'])} ({one(point['lower'])} – {one(point['upper'])})"
    # Hiding the forecast series (legend toggle) takes it out of the chart and the tooltip.
    await page.click('#forecast-toggles [data-series^="Forecast"]')
    await hover(page, "#forecast-chart .u-over", 0.96)
    assert await page.locator('#forecast-chart .chart-tooltip [data-line="forecast"]').count() == 0
    await page.click('#forecast-toggles [data-series^="Forecast"]')

    other = next(name for name in TRAINED if name != category)
    await page.select_option("#forecast-category", other)
    await page.wait_for_selector(f'#forecast-card[data-category="{other}"][data-state="ready"]')
    other_info = (await api.get(f"/forecast/forecast/{other}")).json()["model_info"]
    assert await page.inner_text('#forecast-model [data-field="model"]') == other_info["selected"]
    assert await page.inner_text('#forecast-model [data-field="smape"]') == f"{one(other_info['backtest']['smape'])}%"
    await page.select_option("#forecast-category", category)
    await page.wait_for_selector(f'#forecast-card[data-category="{category}"][data-state="ready"]')


async def check_classes(page, abc: dict, matrix: dict) -> None:
    for item in abc["classes"]:
        row = f'#abc-table tr[data-class="{item["class"]}"]'
        assert await page.inner_text(f'{row} [data-column="products"]') == count(item["products"])
        assert await page.inner_text(f'{row} [data-column="revenue_share"]') == share(item["revenue_share"])
    for abc_class, row in matrix["matrix"].items():
        for xyz_class, products in row.items():
            assert await page.inner_text(f'[data-cell="{abc_class}{xyz_class}"]') == count(products)


async def check_stock(page, low: dict, dead: dict) -> None:
    assert [await row.get_attribute("data-sku") for row in await page.locator("#low-stock-table tbody tr").all()] == [
        item["sku"] for item in low["items"]
    ]
    assert count(low["total"]) in await page.inner_text("#low-stock-total")
    assert [await row.get_attribute("data-sku") for row in await page.locator("#dead-stock-table tbody tr").all()] == [
        item["sku"] for item in dead["dead"]
    ]
    first = dead["dead"][0]
    cell = f'#dead-stock-table tr[data-sku="{first["sku"]}"] [data-column="capital_tied_up"]'
    assert await page.inner_text(cell) == money(first["capital_tied_up"])
    assert money_round(dead["dead_capital"]) in await page.inner_text("#dead-stock-total")


async def check_reorder(page, by_category: dict, by_product: dict) -> None:
    assert await page.locator("#reorder-categories tbody[data-category]").count() == len(by_category["items"])
    for item in by_category["items"]:
        rows = f'#reorder-categories tbody[data-category="{item["category"]}"]'
        assert await page.inner_text(f'{rows} [data-column="explanation"]') == item["explanation"]
        assert await page.inner_text(f'{rows} [data-column="reorder_point"]') == count(item["reorder_point"])
    shown = [await body.get_attribute("data-sku") for body in await page.locator("#reorder-products tbody").all()]
    assert shown == [item["sku"] for item in by_product["items"]]  # most urgent first, as the API ranks them
    for item in by_product["items"]:
        rows = f'#reorder-products tbody[data-sku="{item["sku"]}"]'
        assert await page.inner_text(f'{rows} [data-column="explanation"]') == item["explanation"]
        quantity = await page.inner_text(f'{rows} [data-column="suggested_order_quantity"]')
        assert quantity == count(item["suggested_order_quantity"])


async def test_every_section_shows_the_numbers_of_the_api(
    page, api: httpx.AsyncClient, dashboard_app: DashboardApp
) -> None:
    paths = {
        "summary": "/analytics/dashboard/summary",
        "trend": "/analytics/monthly-sales-trend",
        "categories": "/analytics/category-performance",
        "abc": "/analytics/abc-analysis",
        "matrix": "/analytics/abc-xyz-matrix",
        "low": "/analytics/inventory/low-stock?limit=8",
        "dead": "/analytics/inventory/dead-stock?limit=8",
        "reorder": "/forecast/inventory-recommendations",
        "reorder_products": "/forecast/inventory-recommendations?level=product&limit=6",
    }
    data = {name: (await api.get(path)).json() for name, path in paths.items()}
    assert data["summary"]["current"]["revenue"] > 0 and data["low"]["items"] and data["dead"]["dead"]
    assert any(item["should_reorder"] for item in data["reorder_products"]["items"])

    await page.goto(dashboard_app.url + "/")
    await page.wait_for_selector("body[data-loaded=true]", timeout=30_000)

    assert await page.title() == "Smart Inventory Manager"
    assert await page.locator(".error").count() == 0, await texts(page, ".error")
    await check_kpis(page, data["summary"])
    await check_trend(page, data["trend"])
    await check_categories(page, data["categories"])
    await check_forecast(page, api, data["categories"])
    await check_classes(page, data["abc"], data["matrix"])
    await check_stock(page, data["low"], data["dead"])
    await check_reorder(page, data["reorder"], data["reorder_products"])

    await page.mouse.move(0, 0)
    await page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar belongs at the top of a full-page shot
    shot = save_screenshot_path(f"dashboard-{dashboard_app.backend}.png")
    await page.screenshot(path=shot, full_page=True)
    print(f"dashboard screenshot: {shot}")


async def test_the_page_and_its_files_come_from_the_package(api: httpx.AsyncClient) -> None:
    page = await api.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="dashboard/js/main.js"' in page.text
    script = await api.get("/dashboard/js/main.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    vendored = await api.get("/dashboard/vendor/uplot/uPlot.esm.js")
    assert vendored.status_code == 200 and "export { uPlot as default }" in vendored.text
    assert (await api.get("/dashboard/vendor/uplot/LICENSE")).status_code == 200
    assert (await api.get("/dashboard/../main.py")).status_code == 404
    assert "/" not in (await api.get("/openapi.json")).json()["paths"]  # the page is not part of the API
