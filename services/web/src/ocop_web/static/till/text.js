// Text and money helpers of the till: folding Vietnamese for search, VND amounts, receipt
// numbers and payment codes, the discount a fair's rule allows. Pure functions (tested in
// Node by tests/unit/test_till_js.py).

/** Lower case, no diacritics, đ → d: "Chè Đường Hoa" → "che duong hoa". */
export function fold(text) {
  return String(text ?? "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

/** Every word of the query appears in the folded text. */
export function matches(query, ...fields) {
  const words = fold(query).split(" ").filter(Boolean);
  if (!words.length) return false;
  const haystack = fields.map(fold).join(" ");
  return words.every((w) => haystack.includes(w));
}

/** 1250000 → "1.250.000 ₫" (a no-break space before the sign, as the web app writes it). */
export function money(amount) {
  const n = Math.trunc(Number(amount) || 0);
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  return `${n < 0 ? "−" : ""}${digits}\u00a0₫`;
}

/** "1.250.000", "1250000", "1 250 000 ₫" → 1250000; anything else → null. */
export function parseVnd(text) {
  const cleaned = String(text ?? "").replace(/[\s.,₫đ]/gi, "");
  if (!/^\d{1,15}$/.test(cleaned)) return null;
  return Number(cleaned);
}

/** The receipt number as printed: "K7Q2M-000123". */
export function receiptLabel(prefix, receiptNo) {
  return `${prefix}-${String(receiptNo).padStart(6, "0")}`;
}

/** A VietQR transfer's payment code: "OCOP" + prefix + receipt number, no padding. */
export function paymentCode(prefix, receiptNo) {
  return `OCOP${prefix}${receiptNo}`;
}

/** The largest discount a line may carry: its total never below (100 − pct) % of its list
 * value, rounded up (as sales' check_price). */
export function maxDiscount(quantity, listPrice, percent) {
  const listValue = quantity * listPrice;
  const floor = Math.ceil((listValue * (100 - percent)) / 100);
  return Math.max(0, listValue - floor);
}

/** A pairing code as typed or scanned: upper case, spaces and dashes dropped, O→0, I/L→1. */
export function normaliseCode(text) {
  return String(text ?? "")
    .toUpperCase()
    .replace(/[\s-]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
}

/** A pairing code is 12 Crockford base32 characters. */
export function isPairingCode(code) {
  return /^[0-9A-HJKMNP-TV-Z]{12}$/.test(code);
}

/** The sale id in a receipt's QR (".../till/sale/<uuid>"), or a bare id; else null. */
export function saleIdFrom(text) {
  const found = String(text ?? "").match(
    /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*$/i,
  );
  return found ? found[1].toLowerCase() : null;
}

/** dd/mm/yyyy HH:MM in Viet Nam time. */
export function moment(value) {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return "";
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Ho_Chi_Minh",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  }).formatToParts(d);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** A duration in seconds as H:MM:SS. */
export function countdown(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}
