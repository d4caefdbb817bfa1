// Reorder recommendations per category, each with the arithmetic behind it (`explanation`).

import { getJSON } from "../api.js";
import { fill, h } from "../dom.js";
import { count, one, share } from "../format.js";

function row(item) {
  const status = item.should_reorder
    ? h("span", { class: "badge reorder" }, "Reorder now")
    : h("span", { class: "badge ok" }, "OK");
  return h(
    "tbody",
    { "data-category": item.category, class: item.should_reorder ? "urgent" : null },
    h(
      "tr",
      {},
      h("td", {}, h("b", {}, item.category)),
      h("td", {}, status),
      h("td", { class: "num", "data-column": "stock_on_hand" }, count(item.stock_on_hand)),
      h("td", { class: "num", "data-column": "forecast_90_days" }, count(item.forecast_90_days)),
      h("td", { class: "num" }, one(item.daily_demand)),
      h("td", { class: "num" }, count(item.safety_stock)),
      h("td", { class: "num", "data-column": "reorder_point" }, count(item.reorder_point)),
      h("td", { class: "num" }, share(item.stockout_risk)),
    ),
    h("tr", { class: "explanation" }, h("td", { colspan: 8, "data-column": "explanation" }, item.explanation)),
  );
}

export function renderReorder(container) {
  return fill(
    container,
    () => getJSON("/forecast/inventory-recommendations"),
    (reco) => {
      const p = reco.policy;
      document.getElementById("reorder-policy").textContent =
        `${share(p.service_level)} service level (z = ${p.z}) · $${p.ordering_cost} per order · ${share(p.holding_cost_rate)} yearly holding`;
      const items = [...reco.items].sort((a, b) => Number(b.should_reorder) - Number(a.should_reorder) || b.stockout_risk - a.stockout_risk);
      const heads = ["Category", "Status", "Stock", "Next 90 days", "Per day", "Safety stock", "Reorder point", "Stock-out risk"];
      return h(
        "table",
        { class: "data reorder" },
        h("thead", {}, h("tr", {}, heads.map((label, i) => h("th", { class: i >= 2 ? "num" : null }, label)))),
        items.map(row),
      );
    },
  );
}
