// Per category: weekly history, the backtest's predictions of the last weeks and the forecast, each
// with its 95% band (interactive chart), and the model that won the backtest with its scores.

import { getJSON } from "../api.js";
import { COLORS, axis, chart, seconds, tooltip } from "../charts.js";
import { h, problem, table } from "../dom.js";
import { count, day, one, share, two } from "../format.js";

const HISTORY_WEEKS = 104;
// Series indices in the chart's data (0 is the week).
const SOLD = 1, BT_LOW = 2, BT_HIGH = 3, BT = 4, FC_LOW = 5, FC_HIGH = 6, FC = 7;
const GROUPS = [
  { label: "Units sold", series: [SOLD], color: COLORS.history },
  { label: "Backtest", series: [BT_LOW, BT_HIGH, BT], color: COLORS.backtest },
  { label: "Forecast · 95% band", series: [FC_LOW, FC_HIGH, FC], color: COLORS.forecast },
];

function chartData(series) {
  // The two years before the forecast ends: orders placed after the data set was trained on would
  // otherwise stretch the chart with empty weeks and squeeze the forecast into a corner.
  const end = series.forecast.at(-1)?.week ?? "9999-12-31";
  const history = series.history.filter((p) => p.week <= end).slice(-HISTORY_WEEKS);
  const weeks = [...new Set([...history.map((p) => p.week), ...series.forecast.map((p) => p.week)])].sort();
  const at = new Map(weeks.map((week, index) => [week, index]));
  const columns = Array.from({ length: 8 }, () => new Array(weeks.length).fill(null));
  columns[0] = weeks.map(seconds);
  for (const p of history) columns[SOLD][at.get(p.week)] = p.units;
  for (const p of series.backtest) {
    if (!at.has(p.week)) continue;
    const i = at.get(p.week);
    [columns[BT_LOW][i], columns[BT_HIGH][i], columns[BT][i]] = [p.lower, p.upper, p.forecast];
  }
  for (const p of series.forecast) {
    const i = at.get(p.week);
    [columns[FC_LOW][i], columns[FC_HIGH][i], columns[FC][i]] = [p.lower, p.upper, p.forecast];
  }
  return columns;
}

function describe(u, i) {
  const [week, sold, btLow, btHigh, bt, fcLow, fcHigh, fc] = u.data.map((column) => column[i]);
  const line = (name, value, low, high, color, index) =>
    value === null || !u.series[index].show ? null : h("div", { "data-line": name.toLowerCase() }, h("i", { style: `background:${color}` }), `${name}: `, h("b", {}, one(value)), low === null || low === undefined ? "" : ` (${one(low)} – ${one(high)})`);
  return h(
    "div",
    {},
    h("strong", { "data-week": new Date(week * 1000).toISOString().slice(0, 10) }, `Week ending ${day(new Date(week * 1000).toISOString())}`),
    line("Sold", sold, null, null, COLORS.history, SOLD),
    line("Backtest", bt, btLow, btHigh, COLORS.backtest, BT),
    line("Forecast", fc, fcLow, fcHigh, COLORS.forecast, FC),
  );
}

function drawChart(container, toggles, series) {
  const band = { stroke: "transparent", width: 0, points: { show: false } };
  const data = chartData(series);
  // The y scale always holds the bands' upper bounds, so a band is never cut off at the top.
  const top = Math.max(1, ...data.slice(1).flat().filter((v) => v !== null));
  const plot = chart(
    container,
    {
      scales: { x: { time: true }, y: { range: () => [0, top * 1.05] } },
      axes: [axis(), axis({ size: 48, label: "units / week", labelSize: 16, labelFont: "11px system-ui, sans-serif" })],
      series: [
        {},
        { label: "Units sold", stroke: COLORS.history, width: 1.25, points: { show: false } },
        { label: "Backtest lower", ...band },
        { label: "Backtest upper", ...band },
        { label: "Backtest", stroke: COLORS.backtest, width: 2, dash: [5, 3], points: { show: false } },
        { label: "Forecast lower", ...band },
        { label: "Forecast upper", ...band },
        { label: "Forecast", stroke: COLORS.forecast, width: 2.5, points: { show: true, size: 4 } },
      ],
      bands: [
        { series: [BT_HIGH, BT_LOW], fill: COLORS.backtestBand },
        { series: [FC_HIGH, FC_LOW], fill: COLORS.forecastBand },
      ],
      legend: { show: false },
      plugins: [tooltip(describe)],
    },
    data,
    360,
  );
  toggles.replaceChildren(
    ...GROUPS.map((group) =>
      h(
        "button",
        {
          type: "button",
          class: "toggle on",
          "aria-pressed": "true",
          "data-series": group.label,
          onclick: (event) => {
            const button = event.currentTarget;
            const show = button.getAttribute("aria-pressed") !== "true";
            button.setAttribute("aria-pressed", String(show));
            button.classList.toggle("on", show);
            for (const index of group.series) plot.setSeries(index, { show });
          },
        },
        h("i", { style: `background:${group.color}` }),
        group.label,
      ),
    ),
  );
}

function modelPanel(forecast, backtest) {
  const info = forecast.model_info;
  const scores = info.backtest || {};
  const horizons = ["30_day", "60_day", "90_day"].map((key) => ({ key, ...forecast.forecasts[key] }));
  const candidates = Object.entries(backtest?.models || {})
    .map(([name, s]) => ({ name, ...s }))
    .sort((a, b) => a.smape - b.smape);
  return h(
    "div",
    {},
    h("h3", {}, "Model that won the backtest"),
    h("p", { class: "model-name", "data-field": "model" }, info.selected || info.model),
    h(
      "dl",
      { class: "scores" },
      h("div", {}, h("dt", {}, "Backtest sMAPE"), h("dd", { "data-field": "smape" }, `${one(scores.smape)}%`)),
      h("div", {}, h("dt", {}, "MASE"), h("dd", { "data-field": "mase" }, two(scores.mase))),
      h("div", {}, h("dt", {}, "95% coverage"), h("dd", { "data-field": "coverage" }, share(scores.coverage_95))),
    ),
    table(
      [
        { key: "horizon", label: "Next", value: (r) => r.key.replace("_day", " days") },
        { key: "total", label: "Units", numeric: true, value: (r) => count(r.total_forecast) },
        { key: "band", label: "95% interval", numeric: true, value: (r) => `${count(r.lower_ci_total)} – ${count(r.upper_ci_total)}` },
      ],
      horizons,
      { rowAttributes: (r) => ({ "data-horizon": r.key }) },
    ),
    h("h3", {}, "Backtest candidates"),
    table(
      [
        { key: "name", label: "Model", value: (c) => (c.name === backtest.winner ? h("b", {}, `${c.name} ✓`) : c.name) },
        { key: "smape", label: "sMAPE", numeric: true, value: (c) => `${one(c.smape)}%` },
        { key: "mase", label: "MASE", numeric: true, value: (c) => two(c.mase) },
        { key: "coverage", label: "Cover.", numeric: true, value: (c) => share(c.coverage_95) },
      ],
      candidates,
      { rowAttributes: (c) => ({ "data-candidate": c.name, class: c.name === backtest.winner ? "winner" : null }) },
    ),
    h("p", { class: "hint" }, `Trained on weeks to ${day(info.train_end)} · ${info.resample_freq === "W" ? "weekly" : info.resample_freq}, log1p`),
  );
}

async function showCategory(category, backtests) {
  const card = document.getElementById("forecast-card");
  const container = document.getElementById("forecast-chart");
  const panel = document.getElementById("forecast-model");
  card.dataset.category = category;
  card.dataset.state = "loading";
  try {
    const path = `/forecast/forecast/${encodeURIComponent(category)}`;
    const [series, forecast] = await Promise.all([getJSON(`${path}/series`), getJSON(path)]);
    if (card.dataset.category !== category) return; // another category was picked meanwhile
    drawChart(container, document.getElementById("forecast-toggles"), series);
    panel.replaceChildren(modelPanel(forecast, backtests.find((b) => b.category === category)));
    card.dataset.state = "ready";
  } catch (error) {
    panel.replaceChildren();
    container.replaceChildren(problem("Could not load the forecast", error));
    card.dataset.state = "error";
  }
}

export async function renderForecast() {
  const select = document.getElementById("forecast-category");
  const card = document.getElementById("forecast-card");
  try {
    const [{ categories: backtests }, performance] = await Promise.all([
      getJSON("/forecast/backtest"),
      getJSON("/analytics/category-performance").catch(() => ({ categories: [] })),
    ]);
    // Biggest sellers first: the category a manager looks at most is the one shown by default.
    const rank = new Map(performance.categories.map((c, index) => [c.category, index]));
    backtests.sort((a, b) => (rank.get(a.category) ?? 1e9) - (rank.get(b.category) ?? 1e9) || a.category.localeCompare(b.category));
    if (!backtests.length) {
      document.getElementById("forecast-chart").replaceChildren(
        h("p", { class: "empty" }, "No forecasts yet: train them with `inventory train` or POST /forecast/retrain-models."),
      );
      card.dataset.state = "empty";
      select.closest("label").hidden = true;
      return;
    }
    select.replaceChildren(...backtests.map((b) => h("option", { value: b.category }, b.category)));
    select.addEventListener("change", () => showCategory(select.value, backtests));
    await showCategory(backtests[0].category, backtests);
  } catch (error) {
    document.getElementById("forecast-chart").replaceChildren(problem("Could not load forecasts", error));
    card.dataset.state = "error";
  }
}
