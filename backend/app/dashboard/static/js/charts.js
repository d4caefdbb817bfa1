// uPlot (vendored, MIT) wrapped for the dashboard: charts that follow their container's width,
// a shared palette, and a tooltip that follows the cursor.

import uPlot from "../vendor/uplot/uPlot.esm.js";

export const COLORS = {
  ink: "#1f2937",
  muted: "#6b7280",
  grid: "rgba(107, 114, 128, 0.15)",
  history: "#334155",
  backtest: "#d97706",
  backtestBand: "rgba(217, 119, 6, 0.16)",
  forecast: "#059669",
  forecastBand: "rgba(5, 150, 105, 0.18)",
  revenue: "#2563eb",
  revenueFill: "rgba(37, 99, 235, 0.10)",
  orders: "#db2777",
};

export const axis = (extra = {}) => ({
  stroke: COLORS.muted,
  grid: { stroke: COLORS.grid, width: 1 },
  ticks: { stroke: COLORS.grid, width: 1 },
  font: "11px system-ui, sans-serif",
  ...extra,
});

/** A tooltip plugin: `describe(u, index)` returns the tooltip's content (a Node) for the hovered point. */
export function tooltip(describe) {
  let box;
  return {
    hooks: {
      init(u) {
        box = document.createElement("div");
        box.className = "chart-tooltip";
        box.hidden = true;
        u.over.appendChild(box);
        u.over.addEventListener("mouseleave", () => (box.hidden = true));
      },
      setCursor(u) {
        const { left, top, idx } = u.cursor;
        if (idx === null || idx === undefined || left < 0) {
          box.hidden = true;
          return;
        }
        box.replaceChildren(describe(u, idx));
        box.hidden = false;
        const flip = left > u.over.clientWidth * 0.6;
        box.style.left = `${flip ? left - box.offsetWidth - 12 : left + 12}px`;
        box.style.top = `${Math.max(0, Math.min(top, u.over.clientHeight - box.offsetHeight))}px`;
      },
    },
  };
}

/** A uPlot chart in `container` that resizes with it; replaces any chart already there. */
export function chart(container, options, data, height = 260) {
  container.__chart?.destroy();
  container.__resize?.disconnect();
  container.replaceChildren();
  const width = () => Math.max(container.clientWidth, 280);
  const plot = new uPlot({ ...options, width: width(), height }, data, container);
  const observer = new ResizeObserver(() => plot.setSize({ width: width(), height }));
  observer.observe(container);
  container.__chart = plot;
  container.__resize = observer;
  container.dataset.points = String(data[0].length);
  return plot;
}

/** Unix seconds of an ISO date or month ("2024-12-29", "2024-12"). */
export const seconds = (iso) => Date.parse(iso.length === 7 ? `${iso}-01T00:00:00Z` : `${iso.slice(0, 10)}T00:00:00Z`) / 1000;
