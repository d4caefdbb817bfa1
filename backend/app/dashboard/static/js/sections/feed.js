// The live feed: orders and alerts as they arrive, newest first, and the connection state in the top bar.

import { h } from "../dom.js";
import { clock, count, money } from "../format.js";

const MAX_ITEMS = 60;
let received = 0;

function describe(event) {
  const data = event.data || {};
  if (event.event_type === "order.created") {
    const units = (data.items || []).reduce((sum, item) => sum + item.quantity, 0);
    const lines = (data.items || []).map((item) => `${item.sku} × ${item.quantity}`).join(", ");
    return { kind: "order", title: `New order ${data.order_id}`, message: `${money(data.total_amount)} · ${count(units)} units · ${lines}`, severity: "info" };
  }
  if (event.event_type === "order.updated") {
    return { kind: "order", title: `Order ${data.order_id}: ${data.status}`, message: `${data.previous_status} → ${data.status} · ${money(data.total_amount)}`, severity: "info" };
  }
  if (data.type === "alert") {
    return { kind: "alert", title: data.title, message: data.message, severity: data.severity || "info" };
  }
  return { kind: "other", title: event.event_type, message: JSON.stringify(data), severity: "info" };
}

export function showEvent(event) {
  const list = document.getElementById("feed-list");
  list.querySelector(".empty")?.remove();
  const item = describe(event);
  list.prepend(
    h(
      "li",
      {
        class: `feed-item ${item.kind} severity-${item.severity} fresh`,
        "data-event-id": event.event_id,
        "data-event-type": event.event_type,
        "data-order-id": event.data?.order_id,
      },
      h("div", { class: "feed-head" }, h("b", {}, item.title), h("time", { datetime: event.occurred_at }, clock(event.occurred_at))),
      h("p", {}, item.message),
    ),
  );
  while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
  received += 1;
  document.getElementById("feed-count").textContent = `${count(received)} event${received === 1 ? "" : "s"} since this page opened`;
}

export function showNote(text) {
  const note = document.getElementById("feed-note");
  note.textContent = text;
  note.hidden = false;
}

const LABELS = {
  connecting: () => "Connecting…",
  connected: () => "Live",
  key: () => "Needs an API key",
  reconnecting: ({ delay }) => (delay === undefined ? "Reconnecting…" : `Reconnecting in ${Math.max(1, Math.round(delay / 1000))} s…`),
};

export function showState(state, detail) {
  const pill = document.getElementById("live-state");
  pill.dataset.state = state;
  pill.querySelector(".label").textContent = LABELS[state](detail);
  pill.title = state === "connected" ? `Receiving ${detail.channels?.join(" and ") || "events"} live` : "Not receiving live events right now";
}
