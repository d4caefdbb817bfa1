// Number and date formats shared by every section (en-US, the data's currency is USD).

const money0 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
const money2 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2 });
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal1 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const decimal2 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const dateFormat = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
const timeFormat = new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export const money = (value) => (value === null || value === undefined ? "—" : money2.format(value));
export const moneyRound = (value) => (value === null || value === undefined ? "—" : money0.format(value));
export const count = (value) => (value === null || value === undefined ? "—" : integer.format(value));
export const one = (value) => (value === null || value === undefined ? "—" : decimal1.format(value));
export const two = (value) => (value === null || value === undefined ? "—" : decimal2.format(value));
/** A share (0.1234) as a percentage ("12.3%"). */
export const share = (value) => (value === null || value === undefined ? "—" : `${decimal1.format(value * 100)}%`);
/** "2024-12-31" as "Dec 31, 2024". */
export const day = (iso) => (iso ? dateFormat.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`)) : "—");
export const clock = (iso) => timeFormat.format(iso ? new Date(iso) : new Date());
/** A relative change as "▲ 5.7%" / "▼ 1.3%" with its direction, or null when there is none. */
export function change(value) {
  if (value === null || value === undefined) return null;
  const arrow = value > 0 ? "▲" : value < 0 ? "▼" : "■";
  return { text: `${arrow} ${decimal1.format(Math.abs(value) * 100)}%`, direction: value > 0 ? "up" : value < 0 ? "down" : "flat" };
}
