// The dashboard's entry point: every section loads on its own (one slow or failing endpoint does not
// hold up the others), and the live feed connects at once.

import { setUpKeyButton } from "./auth.js";
import { LiveConnection } from "./live.js";
import { renderAbc, renderAbcXyz } from "./sections/classes.js";
import { showEvent, showNote, showState } from "./sections/feed.js";
import { renderForecast } from "./sections/forecast.js";
import { renderKpis } from "./sections/kpis.js";
import { renderReorder } from "./sections/reorder.js";
import { renderCategories, renderTrend } from "./sections/sales.js";
import { renderDeadStock, renderLowStock } from "./sections/stock.js";

const byId = (id) => document.getElementById(id);

setUpKeyButton();
const live = new LiveConnection({ channels: ["orders", "alerts"], onEvent: showEvent, onState: showState, onNote: showNote });
live.start();

await Promise.allSettled([
  renderKpis(byId("kpis")),
  renderTrend(byId("trend-chart")),
  renderCategories(byId("categories-table")),
  renderForecast(),
  renderReorder(byId("reorder-table")),
  renderAbc(byId("abc-table")),
  renderAbcXyz(byId("abcxyz-matrix")),
  renderLowStock(byId("low-stock-table")),
  renderDeadStock(byId("dead-stock-table")),
]);
document.body.dataset.loaded = "true";
