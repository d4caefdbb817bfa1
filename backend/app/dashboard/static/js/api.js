// Reading the JSON API: relative URLs (the page is served by the app), the key on every request,
// and a key prompt when the server answers 401.

import { apiKey, askForKey } from "./auth.js";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

/** An absolute URL for an API path, relative to the page (works behind a path prefix too). */
export function apiUrl(path, params = {}) {
  const url = new URL(path.replace(/^\//, ""), document.baseURI);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) url.searchParams.set(name, value);
  }
  return url;
}

async function errorBody(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** GET `path` as JSON. On 401 ask for a key (once for all waiting requests) and try again. */
export async function getJSON(path, params) {
  for (;;) {
    const key = apiKey();
    const response = await fetch(apiUrl(path, params), {
      headers: key ? { Authorization: `Bearer ${key}`, Accept: "application/json" } : { Accept: "application/json" },
    });
    if (response.ok) return response.json();
    const body = await errorBody(response);
    if (response.status !== 401) throw new ApiError(response.status, body);
    if (apiKey() !== key) continue; // a key was entered while this request was on its way: use it
    const why = key
      ? "The server refused this API key. Enter another one."
      : "This server needs an API key to show its data.";
    await askForKey(body?.error?.message ? `${why} (${body.error.message})` : why);
  }
}
