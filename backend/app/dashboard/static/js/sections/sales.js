// The monthly sales trend (chart) and category performance (table with revenue shares).

import { getJSON } from "../api.js";
import { COLORS, axis, chart, seconds } from "../charts.js";
import { bar, fill, h, problem, table } from "../dom.js";
import { count, day, money, moneyRound, share } from "../format.js";

const monthLabel = new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" });

export async function renderTrend(container) {
  try {
    const trend = await getJSON("/analytics/monthly-sales-trend");
    const months = trend.months;
    if (!months.length) {
      container.replaceChildren(h("p", { class: "empty" }, "No sales yet: load sales history (inventory ingest or POST /forecast/upload-data)."));
      container.dataset.state = "empty";
      return;
    }
    const data = [months.map((m) => seconds(m.month)), months.map((m) => m.revenue), months.map((m) => m.orders)];
    chart(
      container,
      {
        scales: { x: { time: true }, revenue: { range: (_u, _min, max) => [0, max * 1.08] }, orders: { range: (_u, _min, max) => [0, max * 1.08] } },
        axes: [
          axis(),
          axis({ scale: "revenue", size: 64, values: (_u, ticks) => ticks.map((t) => moneyRound(t)) }),
          axis({ scale: "orders", side: 1, size: 48, grid: { show: false } }),
        ],
        series: [
          { label: "Month", value: (_u, t) => (t === null ? "—" : monthLabel.format(new Date(t * 1000))) },
          { label: "Revenue", scale: "revenue", stroke: COLORS.revenue, fill: COLORS.revenueFill, width: 2, value: (_u, v) => money(v) },
          { label: "Orders", scale: "orders", stroke: COLORS.orders, width: 1.5, dash: [4, 3], value: (_u, v) => count(v) },
        ],
        legend: { live: true },
      },
      data,
      300,
    );
    container.dataset.state = "ready";
  } catch (error) {
    container.replaceChildren(problem("Could not load the sales trend", error));
    container.dataset.state = "error";
  }
}

export function renderCategories(container) {
  return fill(
    container,
    () => getJSON("/analytics/category-performance"),
    (performance) => {
      document.getElementById("categories-period").textContent = `${day(performance.period.start)} – ${day(performance.period.end)}`;
      const top = Math.max(...performance.categories.map((c) => c.revenue_share), 0.0001);
      return table(
        [
          { key: "category", label: "Category", value: (c) => c.category },
          { key: "revenue", label: "Revenue", numeric: true, value: (c) => moneyRound(c.revenue) },
          { key: "revenue_share", label: "Share", value: (c) => bar(c.revenue_share / top, share(c.revenue_share)) },
          { key: "units", label: "Units", numeric: true, value: (c) => count(c.units) },
          { key: "average_order_value", label: "Avg order", numeric: true, value: (c) => money(c.average_order_value) },
        ],
        performance.categories,
        { rowAttributes: (c) => ({ "data-category": c.category }) },
      );
    },
  );
}
