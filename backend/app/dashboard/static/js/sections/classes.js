// ABC classes (revenue Pareto) and the ABC x XYZ matrix (revenue class x demand variability).

import { getJSON } from "../api.js";
import { bar, fill, h, table } from "../dom.js";
import { count, day, moneyRound, share } from "../format.js";

export function renderAbc(container) {
  return fill(
    container,
    () => getJSON("/analytics/abc-analysis"),
    (abc) => {
      document.getElementById("abc-period").textContent = `${day(abc.period.start)} – ${day(abc.period.end)} · ${moneyRound(abc.total_revenue)} revenue`;
      return table(
        [
          { key: "class", label: "Class", value: (c) => h("span", { class: `badge class-${c.class}` }, c.class) },
          { key: "products", label: "Products", numeric: true, value: (c) => count(c.products) },
          { key: "product_share", label: "of products", numeric: true, value: (c) => share(c.product_share) },
          { key: "revenue_share", label: "Revenue share", value: (c) => bar(c.revenue_share, share(c.revenue_share)) },
          { key: "strategy", label: "Strategy", value: (c) => h("span", { class: "small" }, c.strategy) },
        ],
        abc.classes,
        { rowAttributes: (c) => ({ "data-class": c.class }) },
      );
    },
  );
}

export function renderAbcXyz(container) {
  return fill(
    container,
    () => getJSON("/analytics/abc-xyz-matrix"),
    (result) => {
      const cells = Object.values(result.matrix).flatMap((row) => Object.values(row));
      const most = Math.max(...cells, 1);
      const columns = ["X", "Y", "Z"];
      const meaning = { X: "steady", Y: "variable", Z: "erratic" };
      return h(
        "div",
        {},
        h(
          "table",
          { class: "matrix" },
          h("thead", {}, h("tr", {}, h("th", {}, ""), columns.map((x) => h("th", {}, `${x} · ${meaning[x]}`)))),
          h(
            "tbody",
            {},
            Object.entries(result.matrix).map(([abc, row]) =>
              h(
                "tr",
                {},
                h("th", {}, h("span", { class: `badge class-${abc}` }, abc)),
                columns.map((xyz) =>
                  h(
                    "td",
                    { "data-cell": `${abc}${xyz}`, style: `--heat:${(row[xyz] || 0) / most}` },
                    count(row[xyz] || 0),
                  ),
                ),
              ),
            ),
          ),
        ),
        h("p", { class: "hint" }, `${count(result.products)} products with sales in the last ${result.weeks} weeks. AX needs the least care, CZ the most.`),
      );
    },
  );
}
