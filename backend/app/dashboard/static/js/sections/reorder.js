// Reorder recommendations: the most urgent products and every category, each with the arithmetic
// behind it (`explanation`) right under its figures.

import { getJSON } from "../api.js";
import { h, problem } from "../dom.js";
import { count, day, one, share } from "../format.js";

const PRODUCTS = 6;
const status = (item) =>
  item.should_reorder ? h("span", { class: "badge reorder" }, "Reorder now") : h("span", { class: "badge ok" }, "OK");

/** A <tbody> per recommendation: its figures, then its explanation across the whole width. */
function recommendation(item, cells, attributes) {
  return h(
    "tbody",
    { ...attributes, class: item.should_reorder ? "urgent" : null },
    h("tr", {}, cells.map(([key, value, numeric]) => h("td", { class: numeric ? "num" : null, "data-column": key }, value))),
    h("tr", { class: "explanation" }, h("td", { colspan: cells.length, "data-column": "explanation" }, item.explanation)),
  );
}

function recommendations(heads, items, cells, attributes) {
  return h(
    "table",
    { class: "data reorder" },
    h("thead", {}, h("tr", {}, heads.map(([label, numeric]) => h("th", { class: numeric ? "num" : null }, label)))),
    items.map((item) => recommendation(item, cells(item), attributes(item))),
  );
}

function products(reco) {
  const heads = [["Product"], ["Status"], ["Stock", true], ["Reorder point", true], ["Order", true], ["Order by"], ["Stock-out risk", true]];
  const cells = (p) => [
    ["product", h("span", { class: "product" }, h("b", {}, p.name), h("small", { class: "muted" }, `${p.sku} · ${p.category}`))],
    ["status", status(p)],
    ["stock_on_hand", count(p.stock_on_hand), true],
    ["reorder_point", one(p.reorder_point), true],
    ["suggested_order_quantity", count(p.suggested_order_quantity), true],
    ["order_by", p.order_by ? day(p.order_by) : "—"],
    ["stockout_risk", share(p.stockout_risk), true],
  ];
  return recommendations(heads, reco.items, cells, (p) => ({ "data-sku": p.sku }));
}

function categories(reco) {
  const heads = [["Category"], ["Status"], ["Stock", true], ["Next 90 days", true], ["Per day", true], ["Safety stock", true], ["Reorder point", true], ["Stock-out risk", true]];
  const cells = (c) => [
    ["category", h("b", {}, c.category)],
    ["status", status(c)],
    ["stock_on_hand", count(c.stock_on_hand), true],
    ["forecast_90_days", count(c.forecast_90_days), true],
    ["daily_demand", one(c.daily_demand), true],
    ["safety_stock", count(c.safety_stock), true],
    ["reorder_point", count(c.reorder_point), true],
    ["stockout_risk", share(c.stockout_risk), true],
  ];
  const items = [...reco.items].sort((a, b) => Number(b.should_reorder) - Number(a.should_reorder) || b.stockout_risk - a.stockout_risk);
  return recommendations(heads, items, cells, (c) => ({ "data-category": c.category }));
}

export async function renderReorder(container) {
  container.setAttribute("aria-busy", "true");
  try {
    const [byCategory, byProduct] = await Promise.all([
      getJSON("/forecast/inventory-recommendations"),
      getJSON("/forecast/inventory-recommendations", { level: "product", limit: PRODUCTS }),
    ]);
    const p = byCategory.policy;
    document.getElementById("reorder-policy").textContent =
      `${share(p.service_level)} service level (z = ${p.z}) · $${p.ordering_cost} per order · ${share(p.holding_cost_rate)} yearly holding`;
    container.replaceChildren(
      h("h3", {}, `Most urgent products (${count(byProduct.total)} assessed)`),
      h("div", { id: "reorder-products" }, products(byProduct)),
      h("h3", {}, "By category"),
      h("div", { id: "reorder-categories" }, categories(byCategory)),
    );
    container.dataset.state = "ready";
  } catch (error) {
    container.replaceChildren(problem("Could not load the recommendations", error));
    container.dataset.state = "error";
  } finally {
    container.removeAttribute("aria-busy");
  }
}
