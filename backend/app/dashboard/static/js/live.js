// The live connection: WebSocket /stream/ws with a visible state, automatic reconnect with exponential
// backoff, and resume (`last_event_id`) so events sent while disconnected arrive after reconnecting.

import { apiUrl } from "./api.js";
import { apiKey, askForKey, onKeyChange } from "./auth.js";

const MAX_DELAY_MS = 15_000;
const SEEN_LIMIT = 2_000;

export class LiveConnection {
  /** `onEvent(envelope)` per new event; `onState(state, detail)`: connecting | connected | reconnecting. */
  constructor({ channels, onEvent, onState, onNote }) {
    Object.assign(this, { channels, onEvent, onState, onNote });
    this.socket = null;
    this.lastEventId = null;
    this.attempts = 0;
    this.seen = new Set(); // event ids already shown: a resume may repeat one that arrived just before
    this.heartbeatSeconds = 15;
    this.retryTimer = null;
    this.watchdog = null;
  }

  start() {
    onKeyChange(() => this.reconnectNow());
    window.addEventListener("online", () => this.reconnectNow());
    this.connect();
  }

  url() {
    const url = apiUrl("/stream/ws", {
      channels: this.channels.join(","),
      last_event_id: this.lastEventId,
      token: apiKey() || null,
    });
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url;
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.onState(this.attempts ? "reconnecting" : "connecting", {});
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("message", (message) => this.socket === socket && this.receive(JSON.parse(message.data)));
    socket.addEventListener("close", (event) => this.socket === socket && this.closed(event.code));
  }

  // 4401 / 4403: the server wants a (better) key for the feed; a new key reconnects (onKeyChange).
  closed(code) {
    if (code !== 4401 && code !== 4403) return this.lost();
    clearTimeout(this.watchdog);
    this.socket = null;
    this.onState("key", {});
    askForKey(code === 4401 ? "The live feed needs an API key." : "This API key may not read live events: enter another one.");
  }

  receive(message) {
    this.armWatchdog();
    if (message.event_id) {
      this.lastEventId = message.event_id;
      if (this.seen.has(message.event_id)) return;
      this.seen.add(message.event_id);
      if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value);
      this.onEvent(message);
    } else if (message.type === "welcome") {
      this.attempts = 0;
      this.heartbeatSeconds = message.heartbeat_seconds || this.heartbeatSeconds;
      this.onState("connected", { channels: message.channels });
    } else if (message.type === "resumed") {
      const missed = message.count === 1 ? "1 missed event" : `${message.count} missed events`;
      this.onNote(`Reconnected: ${missed} caught up${message.complete ? "" : " (older ones were no longer kept)"}.`);
    } else if (message.type === "error") {
      this.onNote(message.message || message.code);
    }
  }

  // No message (not even a ping) for three heartbeats: the connection is dead even if no close came.
  armWatchdog() {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.drop(), this.heartbeatSeconds * 3000);
  }

  drop() {
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.lost();
  }

  lost() {
    clearTimeout(this.watchdog);
    this.socket = null;
    const base = Math.min(MAX_DELAY_MS, 500 * 2 ** this.attempts);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5)); // jitter: clients do not return in step
    this.attempts += 1;
    this.onState("reconnecting", { delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    clearTimeout(this.watchdog);
    this.attempts = Math.max(this.attempts, 1);
    this.connect();
  }
}
