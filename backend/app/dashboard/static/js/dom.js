// Building DOM without a framework: h() for elements, table() for data tables, section error states.

/** h("td", {class: "num"}, "12") — attributes (class, data-*, title, …) and children (strings or nodes). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/**
 * A table from `columns` [{label, value(row) -> string|Node, numeric?}] and `rows`; each <tr> gets
 * `rowAttributes(row)` (for example data-sku), so tests and styles can find a row by its key.
 */
export function table(columns, rows, { rowAttributes = () => ({}), empty = "Nothing to show." } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h(
    "table",
    { class: "data" },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { class: c.numeric ? "num" : null }, c.label)))),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          rowAttributes(row),
          columns.map((c) => h("td", { class: c.numeric ? "num" : null, "data-column": c.key }, c.value(row))),
        ),
      ),
    ),
  );
}

/** A horizontal bar of `fraction` (0..1) for shares inside table cells. */
export function bar(fraction, label) {
  const width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return h("span", { class: "bar" }, h("span", { class: "fill", style: `width:${width}` }), h("span", { class: "bar-label" }, label));
}

/** What a section shows when loading failed: a 404 (nothing loaded yet) is a note, anything else an error. */
export function problem(prefix, error) {
  return h("p", { class: error?.status === 404 ? "empty" : "error" }, `${prefix}: ${error.message}`);
}

/** Fill `container` with the result of `render()`, or with the error when loading failed. */
export async function fill(container, load, render) {
  container.setAttribute("aria-busy", "true");
  try {
    const data = await load();
    container.replaceChildren(render(data));
    container.dataset.state = "ready";
  } catch (error) {
    container.replaceChildren(problem("Could not load", error));
    container.dataset.state = "error";
    if (error?.status !== 404) console.error(error);
  } finally {
    container.removeAttribute("aria-busy");
  }
}
