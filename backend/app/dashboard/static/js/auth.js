// The API key: kept in localStorage, asked for (once for every waiting request) when the server says 401.

const STORAGE_KEY = "inventory.apiKey";
let pending = null; // the open prompt's promise, shared by every request that got a 401
const listeners = new Set();

export function apiKey() {
  try {
    return localStorage.getItem(STORAGE_KEY) || "";
  } catch {
    return ""; // storage disabled (private mode): the key lives only as long as the page
  }
}

function storeKey(key) {
  try {
    if (key) localStorage.setItem(STORAGE_KEY, key);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    /* storage disabled: nothing to keep */
  }
  for (const listener of listeners) listener(key);
}

/** Call `listener(key)` whenever the key changes (the live feed reconnects with the new token). */
export function onKeyChange(listener) {
  listeners.add(listener);
}

/** Show the key prompt; resolves with the key entered. `reason` says why (refused key, missing key).
 * When `required` (a request is waiting on it) Escape does not close the prompt. */
export function askForKey(reason, { required = true } = {}) {
  const dialog = document.getElementById("key-dialog");
  const input = document.getElementById("key-input");
  if (pending) return pending;
  document.getElementById("key-reason").textContent = reason;
  input.value = "";
  pending = new Promise((resolve) => {
    const form = document.getElementById("key-form");
    const finish = (key) => {
      form.removeEventListener("submit", submit);
      dialog.removeEventListener("cancel", cancel);
      if (dialog.open) dialog.close();
      pending = null;
      resolve(key);
    };
    const submit = (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      storeKey(key);
      finish(key);
    };
    const cancel = (event) => {
      if (required) event.preventDefault();
      else finish(null);
    };
    form.addEventListener("submit", submit);
    dialog.addEventListener("cancel", cancel);
  });
  if (!dialog.open) dialog.showModal();
  input.focus();
  return pending;
}

export function setUpKeyButton() {
  document.getElementById("key-button").addEventListener("click", () => {
    const reason = apiKey() ? "Replace the API key this browser uses." : "Enter an API key for this server.";
    askForKey(reason, { required: false }).then((key) => key && location.reload());
  });
  document.getElementById("key-clear").addEventListener("click", () => {
    storeKey("");
    document.getElementById("key-dialog").close();
    pending = null;
    location.reload();
  });
}
