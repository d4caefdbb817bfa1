// Low stock (at or below the reorder point, fewest days of cover first) and dead stock (no sale in 90 days).

import { getJSON } from "../api.js";
import { fill, h, table } from "../dom.js";
import { count, day, money, moneyRound, one } from "../format.js";

const ROWS = 8;
const product = (item) => h("span", { class: "product" }, item.name, h("small", { class: "muted" }, `${item.sku} · ${item.category}`));

export function renderLowStock(container) {
  return fill(
    container,
    () => getJSON("/analytics/inventory/low-stock", { limit: ROWS }),
    (low) => {
      document.getElementById("low-stock-total").textContent = `${count(low.total)} products at or below their reorder point`;
      return table(
        [
          { key: "product", label: "Product", value: product },
          { key: "stock_on_hand", label: "Stock", numeric: true, value: (i) => h("span", { class: i.stock_on_hand === 0 ? "bad" : "" }, count(i.stock_on_hand)) },
          { key: "reorder_point", label: "Reorder at", numeric: true, value: (i) => count(i.reorder_point) },
          { key: "days_of_cover", label: "Days of cover", numeric: true, value: (i) => (i.days_of_cover === null ? "no sales" : one(i.days_of_cover)) },
        ],
        low.items,
        { rowAttributes: (i) => ({ "data-sku": i.sku }), empty: "No product is at or below its reorder point." },
      );
    },
  );
}

export function renderDeadStock(container) {
  return fill(
    container,
    () => getJSON("/analytics/inventory/dead-stock", { limit: ROWS }),
    (dead) => {
      document.getElementById("dead-stock-total").textContent =
        `${count(dead.dead_total)} products unsold for ${dead.days} days · ${moneyRound(dead.dead_capital)} tied up`;
      return table(
        [
          { key: "product", label: "Product", value: product },
          { key: "stock_on_hand", label: "Stock", numeric: true, value: (i) => count(i.stock_on_hand) },
          { key: "capital_tied_up", label: "Capital", numeric: true, value: (i) => money(i.capital_tied_up) },
          { key: "last_sale", label: "Last sale", value: (i) => (i.last_sale ? day(i.last_sale) : "never") },
        ],
        dead.dead,
        { rowAttributes: (i) => ({ "data-sku": i.sku }), empty: "No dead stock." },
      );
    },
  );
}
