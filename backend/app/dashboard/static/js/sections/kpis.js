// KPI cards from /analytics/dashboard/summary: the last 30 days against the 30 before.

import { getJSON } from "../api.js";
import { h, problem } from "../dom.js";
import { change, count, day, money } from "../format.js";

const CARDS = [
  { key: "revenue", label: "Revenue", format: money },
  { key: "orders", label: "Orders", format: count },
  { key: "units", label: "Units sold", format: count },
  { key: "average_order_value", label: "Avg order value", format: money },
  { key: "customers", label: "Customers", format: count },
];

// A window without a single order is missing data, not a fall to zero: it says so instead of a change.
function noChangeText(summary) {
  if (summary.current.orders === 0) return "no orders in this period";
  if (summary.previous.orders === 0) return "no orders in the period before";
  return "no earlier period";
}

/** The hole in the data that overlaps the two compared windows, if any, in words. */
function gapNote(summary) {
  const from = summary.previous_period.start;
  const to = summary.period.end;
  const gap = summary.data.gaps.find((g) => g.start <= to && g.end >= from);
  if (!gap) return "";
  return ` · no orders at all from ${day(gap.start)} to ${day(gap.end)} (${count(gap.days)} days)`;
}

function salesCard(summary, card) {
  const delta = change(summary.change[card.key]);
  return h(
    "article",
    { class: "kpi", "data-kpi": card.key },
    h("h3", {}, card.label),
    h("p", { class: "kpi-value" }, card.format(summary.current[card.key])),
    h(
      "p",
      { class: `kpi-change ${delta ? delta.direction : "flat"}` },
      delta ? delta.text : noChangeText(summary),
      h("span", { class: "muted" }, ` vs ${card.format(summary.previous[card.key])}`),
    ),
  );
}

function stockCard(summary) {
  return h(
    "article",
    { class: "kpi stock", "data-kpi": "stock" },
    h("h3", {}, "Stock"),
    h("p", { class: "kpi-value" }, h("span", { "data-kpi": "low_stock_products" }, count(summary.low_stock_products)), h("small", {}, " low")),
    h(
      "p",
      { class: "kpi-change" },
      h("span", { class: "bad", "data-kpi": "out_of_stock_products" }, count(summary.out_of_stock_products)),
      " out of stock · ",
      h("span", { "data-kpi": "products" }, count(summary.products)),
      " products",
    ),
  );
}

export async function renderKpis(container) {
  try {
    const summary = await getJSON("/analytics/dashboard/summary");
    const days = Math.round((Date.parse(summary.period.end) - Date.parse(summary.period.start)) / 86_400_000) + 1;
    document.getElementById("as-of").textContent =
      `Sales of ${day(summary.period.start)} – ${day(summary.period.end)}, against the ${days} days before` +
      gapNote(summary);
    container.replaceChildren(...CARDS.map((card) => salesCard(summary, card)), stockCard(summary));
    container.dataset.state = "ready";
  } catch (error) {
    container.replaceChildren(problem("No key figures", error));
    document.getElementById("as-of").textContent = error.status === 404 ? "No sales history yet" : "Could not load the key figures";
    container.dataset.state = "error";
  }
}
