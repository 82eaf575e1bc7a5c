// The till: pairing, the catalogue, selling (scan, search, quantities, discounts, cash,
// VietQR, split payments), the receipt, the offline queue, pending transfers, refunds and
// the session with its Z-report. One shell page; views switched here. Every sale is stored
// in IndexedDB (with the receipt counter, in one transaction) before its receipt shows.

import * as db from "./db.js";
import { call } from "./api.js";
import { Sync } from "./sync.js";
import { t, setLanguage, language, refusalText } from "./i18n.js";
import {
  countdown,
  isPairingCode,
  matches,
  maxDiscount,
  moment,
  money,
  normaliseCode,
  parseVnd,
  paymentCode,
  receiptLabel,
  saleIdFrom,
} from "./text.js";
import { vietqrPayload } from "./vietqr.js";
import { canAdd, left as stockLeft, pendingByProduct, soldOut, tracked } from "./stock.js";
import { qrSvg } from "./qr.js";
import { cameraAvailable, scan } from "./scanner.js";

const VIETQR_LIMIT = 500_000_000; // NAPAS 247 caps a transfer below this
const CATALOG_EVERY_MS = 1000;
const PROFILE_EVERY_MS = 10_000;
const READONLY_REFRESH_MS = 1500;
const DEFAULT_RULES = {
  offline_max_hours: 24,
  offline_max_sale_vnd: 20_000_000,
  offline_max_unsynced_vnd: 200_000_000,
  offline_max_unsynced_count: 500,
  max_discount_percent: 20,
};

const state = {
  token: null,
  profile: null,
  items: [],
  etag: null,
  online: null,
  writer: false,
  revoked: null,
  lastOnlineAt: null,
  queued: 0,
  queuedVnd: 0,
  setAside: 0,
  pending: {}, // units of each product in sales waiting to upload (stock.js)
  cart: [],
  payments: [],
  view: "loading",
  viewArg: null,
  sync: null,
  paper: "80",
  receipt: null,
  zreport: null,
  pendingReceiptNo: null,
  stopCamera: null,
  timers: [],
};

const $ = (selector, root = document) => root.querySelector(selector);

/** Replaces an element's children, skipping null, undefined and false (never shown as text). */
function fill(element, ...children) {
  element.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

// --- DOM ------------------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function field(id, label, input, { hint, error } = {}) {
  input.id = id;
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  if (error) input.setAttribute("aria-invalid", "true");
  return h(
    "div",
    { class: `till-field${error ? " till-field--error" : ""}` },
    h("label", { for: id, class: "till-label" }, label),
    hint ? h("p", { id: `${id}-hint`, class: "till-hint" }, hint) : null,
    error ? h("p", { id: `${id}-error`, class: "till-error", role: "alert" }, error) : null,
    input,
  );
}

function button(text, onclick, { kind = "primary", testid, type = "button", disabled } = {}) {
  return h(
    "button",
    { type, class: `till-button till-button--${kind}`, "data-testid": testid, disabled, onclick },
    text,
  );
}

function stars(n) {
  return n ? `${"★".repeat(n)} ${t("star_n", { n })}` : "";
}

function notice(text, kind = "info", testid) {
  return h("div", { class: `till-notice till-notice--${kind}`, role: kind === "error" ? "alert" : "status", "data-testid": testid }, text);
}

// --- storage and the server -------------------------------------------------------------------

async function persistStorage() {
  try {
    if (navigator.storage?.persist && !(await navigator.storage.persisted())) {
      await navigator.storage.persist();
    }
  } catch {
    /* the browser decides */
  }
}

function rules() {
  return { ...DEFAULT_RULES, ...(state.profile?.rules || {}) };
}

function contact(ok) {
  const was = state.online;
  state.online = ok;
  if (ok) {
    state.lastOnlineAt = new Date().toISOString();
    db.set("lastOnlineAt", state.lastOnlineAt);
    if (was === false) state.sync?.kick({ reset: true });
  }
  if (was !== ok) renderChrome();
}

function revoked(status) {
  if (!state.revoked) {
    state.revoked = status === "suspended" ? "suspended" : "stopped";
    state.cart = [];
    state.payments = [];
    render();
  }
}

async function api(method, path, options = {}) {
  const answer = await call(method, path, { token: state.token, ...options });
  if (answer.offline) contact(false);
  else if (answer.status) contact(true);
  if (state.token && (answer.status === 401 || answer.status === 403) && !options.quiet401) revoked(answer.status);
  return answer;
}

async function loadProfile() {
  const answer = await api("GET", "/terminals/me");
  if (answer.status !== 200 || !answer.body) return answer;
  const profile = answer.body;
  state.profile = profile;
  await db.set("profile", profile);
  if (profile.status && profile.status !== "active") revoked(profile.status);
  if (state.writer) {
    const counter = await db.get("counter");
    const next = Number(profile.next_receipt_no) || 1;
    if (!Number.isInteger(counter) || next > counter) await db.set("counter", next);
  }
  renderChrome();
  return answer;
}

async function loadCatalog() {
  const answer = await api("GET", "/terminals/me/catalog", { etag: state.etag });
  const reachable = answer.status === 200 || answer.status === 304;
  if (reachable && state.salesAway) {
    // Sales answers again (after an outage or a restart): upload what waits now, rather
    // than when the upload's backoff (up to a minute) comes round.
    state.salesAway = false;
    if (state.queued > 0) state.sync?.kick({ reset: true });
  } else if (!reachable && (answer.status === 0 || answer.status >= 500)) {
    state.salesAway = true;
  }
  if (answer.status === 200 && answer.body) {
    state.items = answer.body.items || [];
    state.etag = answer.etag;
    await db.setMany({ catalog: state.items, etag: state.etag });
    onCatalogChanged();
  }
  return answer;
}

async function refreshCounts() {
  const queued = await db.byState("queued");
  const uploaded = queued.length < state.queued;
  state.queued = queued.length;
  state.queuedVnd = queued.reduce((sum, r) => sum + r.body.total_vnd, 0);
  state.pending = pendingByProduct(queued);
  if (uploaded && state.token && !state.revoked) loadCatalog(); // the stock sales now counts
  state.setAside = await db.countState("set_aside");
  renderChrome();
  if (state.view === "queue") renderView();
}

function item(productId) {
  return state.items.find((i) => i.product_id === productId);
}

function byGtin(gtin) {
  return state.items.find((i) => i.gtin === gtin);
}

function inCart(productId) {
  return state.cart.filter((l) => l.product_id === productId).reduce((sum, l) => sum + l.quantity, 0);
}

/** May `adding` more of the product go in the cart (beside `already` of it)? Online, not
 * beyond the stock: a plain message and false; offline, yes ("oversell"), with a note that
 * sales will report the sale as oversold. */
function stockAllows(product, adding, already = inCart(product.product_id)) {
  const online = state.online !== false;
  const check = canAdd(product, { pending: state.pending[product.product_id] || 0, inCart: already, adding, online });
  if (!check.ok) {
    showMessage(t("stock_not_enough", { name: product.name, n: check.left }), "error");
    return false;
  }
  if (check.oversell) {
    showMessage(t("stock_oversell_note"), "warning");
    return "oversell";
  }
  return "ok";
}

/** "Hết hàng", or what is left when the stock is tracked (null when not). */
function stockBadge(product) {
  const pending = state.pending[product.product_id] || 0;
  const here = inCart(product.product_id);
  if (soldOut(product, pending, here)) return h("div", { class: "till-tag till-tag--grey", "data-testid": "sold-out" }, t("sold_out"));
  if (!tracked(product)) return null;
  return h("div", { class: "till-muted", "data-testid": "stock-left" }, t("stock_left", { n: stockLeft(product, pending, here) }));
}

// --- selling rules ---------------------------------------------------------------------------

/** Why the till may not sell now (null: it may); total: the sale about to be made. */
function cannotSell(total = 0) {
  if (!state.token) return t("not_paired");
  if (state.revoked) return t(state.revoked === "suspended" ? "till_suspended" : "till_stopped");
  if (!state.writer) return t("read_only");
  if (!state.profile?.session) return t("open_session_first");
  if (state.online === false) {
    const caps = offlineCaps();
    if (caps.secondsLeft <= 0) return t("cap_time_reached");
    if (caps.countLeft <= 0) return t("cap_count_reached");
    if (total > caps.vndLeft) return t("cap_vnd_reached", { amount: money(caps.vndLeft) });
    if (total > caps.maxSale) return t("cap_sale_reached", { amount: money(caps.maxSale) });
  }
  return null;
}

function offlineCaps() {
  const r = rules();
  const since = state.lastOnlineAt ? Date.parse(state.lastOnlineAt) : Date.now();
  return {
    secondsLeft: (since + r.offline_max_hours * 3600_000 - Date.now()) / 1000,
    countLeft: r.offline_max_unsynced_count - state.queued,
    vndLeft: r.offline_max_unsynced_vnd - state.queuedVnd,
    maxSale: r.offline_max_sale_vnd,
  };
}

function lineTotals(line) {
  const product = item(line.product_id);
  const price = product ? product.list_price_vnd : line.unit_price_vnd;
  const gross = line.quantity * price;
  return { product, price, gross, total: gross - (line.discount_vnd || 0) };
}

function lineProblem(line) {
  const { product, price } = lineTotals(line);
  if (!product || !product.sellable) return t("line_not_sellable");
  if (!Number.isInteger(line.quantity) || line.quantity < 1) return t("quantity_invalid");
  if (line.discount_vnd) {
    const most = maxDiscount(line.quantity, price, rules().max_discount_percent);
    if (line.discount_vnd > most) return t("discount_too_big", { amount: money(most), percent: rules().max_discount_percent });
    if (!line.discount_reason) return t("discount_reason_missing");
  }
  return null;
}

function cartTotal() {
  return state.cart.reduce((sum, line) => sum + lineTotals(line).total, 0);
}

function paid() {
  return state.payments.reduce((sum, p) => sum + p.amount_vnd, 0);
}

function addProduct(product, message) {
  const why = cannotSell();
  if (why) return showMessage(why, "error");
  if (!product.sellable) {
    return showMessage(t("product_blocked", { name: product.name, reason: t(`reason_${product.reason || "blocked"}`) }), "error");
  }
  const allowed = stockAllows(product, 1);
  if (!allowed) return;
  const line = state.cart.find((l) => l.product_id === product.product_id);
  if (line) line.quantity += 1;
  else state.cart.push({ product_id: product.product_id, quantity: 1, discount_vnd: 0, discount_reason: "", unit_price_vnd: product.list_price_vnd });
  renderCart();
  if (allowed === "oversell") showMessage(t("stock_oversell_note"), "warning");
  else showMessage(message || t("added", { name: product.name }), "success");
}

function scanned(text) {
  const code = String(text || "").trim();
  if (!code) return;
  const saleId = saleIdFrom(code);
  if (saleId && code.includes("/till/sale/")) return show("refund", saleId);
  const product = byGtin(code);
  if (!product) return showMessage(t("gtin_unknown", { gtin: code }), "error");
  addProduct(product);
}

// --- chrome: header, menu, banners -----------------------------------------------------------

function renderChrome() {
  const bar = $("#till-bar");
  if (!bar) return;
  const p = state.profile;
  const who = p ? `${p.label || ""} · ${t("booth")} ${p.booth?.code || p.booth_code || ""}` : t("app_name");
  const status =
    state.online === false ? ["offline", t("offline")] : state.online ? ["online", t("online")] : ["unknown", t("connecting")];
  fill(bar, 
    h("div", { class: "till-bar__who" }, h("strong", null, t("app_name")), h("span", null, who)),
    h("span", { class: `till-status till-status--${status[0]}`, "data-testid": "status" }, status[1]),
    state.token
      ? h(
          "button",
          { type: "button", class: "till-queue", "data-testid": "queue-count", onclick: () => show("queue") },
          t("waiting_n", { n: state.queued }),
          state.setAside ? h("span", { class: "till-queue__aside" }, ` · ${t("set_aside_n", { n: state.setAside })}`) : null,
        )
      : null,
    h(
      "button",
      { type: "button", class: "till-lang", lang: language() === "vi" ? "en" : "vi", onclick: switchLanguage },
      language() === "vi" ? "English" : "Tiếng Việt",
    ),
  );
  renderBanners();
  renderNav();
}

function renderBanners() {
  const box = $("#till-banners");
  if (!box) return;
  const banners = [];
  if (state.token && state.revoked) {
    banners.push(notice(t(state.revoked === "suspended" ? "till_suspended" : "till_stopped"), "error", "revoked"));
  }
  if (state.token && !state.writer) banners.push(notice(t("read_only"), "warning", "read-only"));
  if (state.token && state.online === false && !state.revoked) {
    const caps = offlineCaps();
    banners.push(
      h(
        "div",
        { class: "till-notice till-notice--warning", role: "status", "data-testid": "offline-caps" },
        h("strong", null, t("offline_selling")),
        " ",
        t("caps_left", {
          time: countdown(caps.secondsLeft),
          count: Math.max(0, caps.countLeft),
          amount: money(Math.max(0, caps.vndLeft)),
        }),
      ),
    );
  }
  fill(box, ...banners);
}

const MENU = [
  ["sell", "menu_sell"],
  ["transfers", "menu_transfers"],
  ["refund", "menu_refund"],
  ["queue", "menu_queue"],
  ["session", "menu_session"],
];

function renderNav() {
  const nav = $("#till-nav");
  if (!nav) return;
  nav.setAttribute("aria-label", t("app_name"));
  if (!state.token) return fill(nav);
  fill(
    nav,
    h(
      "ul",
      { class: "till-nav__list" },
      MENU.map(([view, key]) =>
        h(
          "li",
          null,
          h(
            "button",
            {
              type: "button",
              class: "till-nav__link",
              "aria-current": state.view === view || (view === "sell" && ["pay", "receipt"].includes(state.view)) ? "page" : null,
              onclick: () => {
                clearMessage(); // the last view's confirmation is not about the next one
                show(view);
              },
            },
            t(key),
          ),
        ),
      ),
    ),
  );
}

let messageTimer = null;
function clearMessage() {
  clearTimeout(messageTimer);
  const box = $("#till-message");
  if (box) box.textContent = "";
}

function showMessage(text, kind = "info") {
  const box = $("#till-message");
  if (!box) return;
  box.className = `till-message till-message--${kind}`;
  box.textContent = text;
  clearTimeout(messageTimer);
  messageTimer = setTimeout(() => {
    box.textContent = "";
  }, 6000);
}

async function switchLanguage() {
  const next = language() === "vi" ? "en" : "vi";
  setLanguage(next);
  await db.set("lang", next);
  render();
}

// --- views ------------------------------------------------------------------------------------

function show(view, arg = null) {
  if (state.stopCamera) {
    state.stopCamera();
    state.stopCamera = null;
  }
  state.view = view;
  state.viewArg = arg;
  render();
  const focus = $("[data-autofocus]", $("#till-main")) || $("h1", $("#till-main"));
  focus?.focus();
}

function render() {
  document.documentElement.lang = language();
  document.title = t("app_name");
  renderChrome();
  renderView();
}

function renderView() {
  const main = $("#till-main");
  const views = {
    loading: () => [h("p", null, t("loading"))],
    pair: viewPair,
    sell: viewSell,
    pay: viewPay,
    receipt: viewReceipt,
    queue: viewQueue,
    transfers: viewTransfers,
    refund: viewRefund,
    session: viewSession,
    z: viewZ,
    customer: viewCustomer,
  };
  const content = (views[state.view] || views.loading)();
  // The message line survives a re-render (a message shown just before it stays).
  const message = $("#till-message") || h("div", { id: "till-message", class: "till-message", role: "status", "aria-live": "polite" });
  fill(main, message, ...[content].flat());
  if (state.view === "sell") {
    renderCart();
    renderResults($("#search")?.value || "");
  }
}

function heading(text) {
  return h("h1", { class: "till-h1", tabindex: "-1" }, text);
}

// Pairing ------------------------------------------------------------------------------------

function viewPair() {
  const input = h("input", {
    class: "till-input till-input--code",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    "data-autofocus": true,
    "data-testid": "pairing-code",
  });
  if (state.viewArg?.code) input.value = state.viewArg.code;
  const error = state.viewArg?.error;
  const video = h("video", { class: "till-video", playsinline: true, muted: true, hidden: true });
  const form = h(
    "form",
    {
      class: "till-form",
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        pair(input.value);
      },
    },
    field("pair-code", t("pairing_code"), input, { hint: t("pairing_code_hint"), error }),
    button(t("pair"), null, { type: "submit", testid: "pair" }),
  );
  return [
    heading(t("pair_title")),
    h("p", null, t("pair_intro")),
    state.viewArg?.customer ? notice(t("receipt_link_unpaired"), "info") : null,
    form,
    cameraAvailable()
      ? h(
          "div",
          { class: "till-camera" },
          button(
            t("scan_with_camera"),
            async () => {
              video.hidden = false;
              try {
                state.stopCamera = await scan(video, (text) => {
                  video.hidden = true;
                  const code = text.includes("#") ? text.split("#").pop() : text;
                  pair(code);
                }, ["qr_code"]);
              } catch {
                video.hidden = true;
                showMessage(t("camera_refused"), "error");
              }
            },
            { kind: "secondary" },
          ),
          video,
        )
      : null,
  ];
}

async function pair(raw) {
  const text = String(raw || "").trim();
  if (text.startsWith("ocop_")) return adoptToken(text); // a device token (an older pairing QR)
  const code = normaliseCode(text);
  if (!isPairingCode(code)) return show("pair", { code: text, error: t("pairing_code_invalid") });
  showMessage(t("pairing"), "info");
  const answer = await call("POST", "/terminals/pair", { body: { code } });
  if (answer.offline) return show("pair", { code: text, error: t("pairing_offline") });
  if (answer.status === 429) return show("pair", { code: text, error: t("pairing_too_many") });
  if (answer.status !== 200 && answer.status !== 201) return show("pair", { code: text, error: t("pairing_refused") });
  const body = answer.body;
  await db.setMany({ token: body.token, counter: null, lastOnlineAt: new Date().toISOString() });
  state.token = body.token;
  await afterPairing();
}

async function adoptToken(token) {
  state.token = token;
  const answer = await loadProfile();
  if (answer.status !== 200) {
    state.token = null;
    state.revoked = null;
    return show("pair", { error: answer.offline ? t("pairing_offline") : t("pairing_refused") });
  }
  await db.set("token", token);
  await afterPairing();
}

async function afterPairing() {
  history.replaceState(null, "", "/till/");
  await persistStorage();
  state.revoked = null;
  await loadProfile();
  if (!Number.isInteger(await db.get("counter"))) await db.set("counter", Number(state.profile?.next_receipt_no) || 1);
  await loadCatalog();
  startWorking();
  show(state.profile?.session ? "sell" : "session");
  showMessage(t("paired"), "success");
}

// Selling ------------------------------------------------------------------------------------

function viewSell() {
  const why = cannotSell();
  const scanInput = h("input", {
    class: "till-input till-input--scan",
    inputmode: "numeric",
    autocomplete: "off",
    enterkeyhint: "enter",
    "data-autofocus": true,
    "data-testid": "scan",
  });
  const scanForm = h(
    "form",
    {
      class: "till-scan",
      onsubmit: (e) => {
        e.preventDefault();
        const value = scanInput.value;
        scanInput.value = "";
        scanned(value);
        scanInput.focus();
      },
    },
    field("scan", t("scan_label"), scanInput, { hint: t("scan_hint") }),
    button(t("add"), null, { type: "submit", kind: "secondary" }),
  );
  const search = h("input", {
    class: "till-input",
    type: "search",
    autocomplete: "off",
    "data-testid": "search",
    oninput: () => renderResults(search.value),
  });
  return [
    heading(t("sell_title")),
    why ? notice(why, "warning", "cannot-sell") : null,
    state.writer && !state.revoked && !state.profile?.session
      ? button(t("open_session"), () => show("session"), { kind: "secondary" })
      : null,
    scanForm,
    field("search", t("search_label"), search, { hint: t("search_hint") }),
    h("ul", { id: "till-results", class: "till-results", "data-testid": "results" }),
    h("section", { id: "till-cart", class: "till-cart", "aria-labelledby": "cart-title" }),
  ];
}

function renderResults(query) {
  const list = $("#till-results");
  if (!list) return;
  list.dataset.query = query;
  const found = query ? state.items.filter((i) => matches(query, i.name, i.producer_name || "", i.gtin || "")).slice(0, 20) : [];
  fill(list, 
    ...found.map((product) =>
      h(
        "li",
        { class: "till-result", "data-product": product.product_id },
        h(
          "div",
          null,
          h("strong", null, product.name),
          h("span", { class: "till-muted" }, ` ${product.producer_name || ""} ${stars(product.star)}`),
          h("div", null, money(product.list_price_vnd)),
          product.sellable ? null : h("div", { class: "till-tag till-tag--red" }, `${t("not_for_sale")}: ${t(`reason_${product.reason || "blocked"}`)}`),
          product.sellable ? stockBadge(product) : null,
        ),
        button(t("add"), () => addProduct(product), {
          kind: "secondary",
          disabled: !product.sellable,
        }),
      ),
    ),
  );
  if (query && !found.length) list.append(h("li", { class: "till-muted" }, t("no_results")));
}

function renderCart() {
  const box = $("#till-cart");
  if (!box) return;
  const total = cartTotal();
  const problems = state.cart.map(lineProblem);
  const blocked = problems.some(Boolean);
  const why = cannotSell(total);
  fill(box, 
    h("h2", { id: "cart-title", class: "till-h2" }, t("cart")),
    state.cart.length
      ? h(
          "ul",
          { class: "till-lines", "data-testid": "cart" },
          state.cart.map((line, index) => cartLine(line, index, problems[index])),
        )
      : h("p", { class: "till-muted", "data-testid": "cart-empty" }, t("cart_empty")),
    h("p", { class: "till-total" }, `${t("total")}: `, h("strong", { "data-testid": "cart-total" }, money(total))),
    state.cart.length
      ? h(
          "div",
          { class: "till-actions" },
          button(t("to_payment"), () => startPayment(), {
            testid: "to-payment",
            disabled: blocked || !!why || total <= 0,
          }),
          button(t("clear_cart"), () => {
            state.cart = [];
            renderCart();
          }, { kind: "secondary" }),
        )
      : null,
    state.cart.length && why ? notice(why, "warning") : null,
  );
}

function cartLine(line, index, problem) {
  const { product, price, total } = lineTotals(line);
  const id = `line-${index}`;
  const qty = h("input", {
    class: "till-input till-input--qty",
    type: "number",
    min: "1",
    step: "1",
    inputmode: "numeric",
    value: String(line.quantity),
    onchange: () => {
      const wanted = Math.max(1, Math.trunc(Number(qty.value) || 1));
      const others = inCart(line.product_id) - line.quantity;
      if (wanted <= line.quantity || !product || stockAllows(product, wanted, others)) line.quantity = wanted;
      renderCart();
    },
  });
  const discountOpen = line.discountOpen || line.discount_vnd > 0;
  return h(
    "li",
    { class: `till-line${problem ? " till-line--problem" : ""}`, "data-product": line.product_id },
    h(
      "div",
      { class: "till-line__head" },
      h("strong", null, product?.name || line.product_id),
      h("span", { class: "till-muted" }, ` ${product?.producer_name || ""} ${stars(product?.star)}`),
      product ? stockBadge(product) : null,
      product && (stockLeft(product, state.pending[product.product_id] || 0, inCart(product.product_id)) ?? 0) < 0
        ? h("p", { class: "till-muted", "data-testid": "oversold-note" }, t("stock_line_over", { n: -stockLeft(product, state.pending[product.product_id] || 0, inCart(product.product_id)) }))
        : null,
    ),
    h(
      "div",
      { class: "till-line__qty" },
      button("−", () => {
        if (line.quantity > 1) line.quantity -= 1;
        else state.cart.splice(index, 1);
        renderCart();
      }, { kind: "small" }),
      field(`${id}-qty`, t("quantity"), qty),
      button("+", () => {
        if (product && !stockAllows(product, 1)) return;
        line.quantity += 1;
        renderCart();
      }, { kind: "small" }),
      h("span", null, `× ${money(price)} = `, h("strong", null, money(total))),
    ),
    discountOpen ? discountForm(line, index, price) : null,
    h(
      "div",
      { class: "till-actions" },
      discountOpen
        ? null
        : button(t("discount"), () => {
            line.discountOpen = true;
            renderCart();
          }, { kind: "link" }),
      button(t("remove"), () => {
        state.cart.splice(index, 1);
        renderCart();
      }, { kind: "link" }),
    ),
    problem ? h("p", { class: "till-error", role: "alert" }, problem) : null,
  );
}

function discountForm(line, index, price) {
  const most = maxDiscount(line.quantity, price, rules().max_discount_percent);
  const amount = h("input", {
    class: "till-input",
    inputmode: "numeric",
    value: line.discount_vnd ? String(line.discount_vnd) : "",
    onchange: () => {
      const value = parseVnd(amount.value);
      line.discount_vnd = value === null ? 0 : value;
      renderCart();
    },
  });
  const reason = h("input", {
    class: "till-input",
    value: line.discount_reason || "",
    maxlength: "200",
    onchange: () => {
      line.discount_reason = reason.value.trim();
      renderCart();
    },
  });
  return h(
    "div",
    { class: "till-discount" },
    field(`line-${index}-discount`, t("discount_amount"), amount, {
      hint: t("discount_hint", { percent: rules().max_discount_percent, amount: money(most) }),
    }),
    field(`line-${index}-reason`, t("discount_reason"), reason),
  );
}

// Payment ------------------------------------------------------------------------------------

async function startPayment() {
  const total = cartTotal();
  const why = cannotSell(total) || state.cart.map(lineProblem).find(Boolean);
  if (why) return showMessage(why, "error");
  state.payments = [];
  state.pendingReceiptNo = await db.get("counter");
  show("pay");
}

function bank() {
  return state.profile?.exhibitor?.bank || null;
}

function viewPay() {
  const total = cartTotal();
  const remaining = total - paid();
  const prefix = state.profile?.receipt_prefix || "";
  const code = paymentCode(prefix, state.pendingReceiptNo);
  const hasQr = state.payments.some((p) => p.method === "vietqr");
  const cashAmount = h("input", { class: "till-input", inputmode: "numeric", value: String(remaining), "data-testid": "cash-amount" });
  const tendered = h("input", { class: "till-input", inputmode: "numeric", "data-autofocus": true, "data-testid": "tendered" });
  const change = h("p", { class: "till-change", "data-testid": "change", "aria-live": "polite" });
  const updateChange = () => {
    const amount = parseVnd(cashAmount.value);
    const given = parseVnd(tendered.value);
    change.textContent = amount !== null && given !== null && given >= amount ? `${t("change")}: ${money(given - amount)}` : "";
  };
  cashAmount.addEventListener("input", updateChange);
  tendered.addEventListener("input", updateChange);
  const cashForm = h(
    "form",
    {
      class: "till-form till-pay-cash",
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        const amount = parseVnd(cashAmount.value);
        const given = tendered.value.trim() ? parseVnd(tendered.value) : amount;
        if (amount === null || amount <= 0 || amount > remaining) return showMessage(t("amount_invalid", { amount: money(remaining) }), "error");
        if (given === null || given < amount) return showMessage(t("tendered_too_little"), "error");
        addPayment({ method: "cash", amount_vnd: amount, tendered_vnd: given, change_vnd: given - amount });
      },
    },
    h("h2", { class: "till-h2" }, t("cash")),
    field("cash-amount", t("cash_amount"), cashAmount),
    field("tendered", t("tendered"), tendered, { hint: t("tendered_hint") }),
    change,
    button(t("take_cash"), null, { type: "submit", testid: "take-cash" }),
  );
  const qrAmount = h("input", { class: "till-input", inputmode: "numeric", value: String(remaining), "data-testid": "qr-amount" });
  const qrBox = h("div", { class: "till-qr", "data-testid": "vietqr" });
  const qrReason = !bank()
    ? t("vietqr_no_bank")
    : hasQr
      ? t("vietqr_one_only")
      : remaining >= VIETQR_LIMIT
        ? t("vietqr_limit")
        : null;
  const qrForm = h(
    "form",
    {
      class: "till-form till-pay-qr",
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        const amount = parseVnd(qrAmount.value);
        if (amount === null || amount <= 0 || amount > remaining) return showMessage(t("amount_invalid", { amount: money(remaining) }), "error");
        if (amount >= VIETQR_LIMIT) return showMessage(t("vietqr_limit"), "error");
        const b = bank();
        const payload = vietqrPayload({ bankBin: b.bin, account: b.account, amountVnd: amount, purpose: code });
        fill(qrBox, 
          qrSvg(payload, t("vietqr_alt", { amount: money(amount) }), { scale: 5 }),
          h(
            "dl",
            { class: "till-dl" },
            h("dt", null, t("amount")),
            h("dd", { "data-testid": "qr-amount-shown" }, money(amount)),
            h("dt", null, t("account")),
            h("dd", null, `${b.account} · ${b.account_name || ""}`),
            h("dt", null, t("payment_code")),
            h("dd", { "data-testid": "payment-code" }, code),
          ),
          h(
            "div",
            { class: "till-actions" },
            button(t("money_received"), () => addPayment({ method: "vietqr", amount_vnd: amount, payment_code: code, confirmed: true }), { testid: "qr-received" }),
            button(t("wait_for_bank"), () => addPayment({ method: "vietqr", amount_vnd: amount, payment_code: code, confirmed: false }), { kind: "secondary", testid: "qr-pending" }),
          ),
        );
      },
    },
    h("h2", { class: "till-h2" }, "VietQR"),
    qrReason
      ? h("p", { class: "till-muted" }, qrReason)
      : [field("qr-amount", t("qr_amount"), qrAmount), button(t("make_qr"), null, { type: "submit", kind: "secondary", testid: "make-qr" })],
    qrBox,
  );
  return [
    heading(t("pay_title")),
    h(
      "dl",
      { class: "till-dl till-dl--totals" },
      h("dt", null, t("total")),
      h("dd", { "data-testid": "due" }, money(total)),
      h("dt", null, t("paid")),
      h("dd", null, money(paid())),
      h("dt", null, t("remaining")),
      h("dd", { "data-testid": "remaining" }, h("strong", null, money(remaining))),
    ),
    state.payments.length
      ? h(
          "ul",
          { class: "till-lines", "data-testid": "payments" },
          state.payments.map((p, i) =>
            h(
              "li",
              { class: "till-line" },
              paymentText(p),
              " ",
              button(t("remove"), () => {
                state.payments.splice(i, 1);
                renderView();
              }, { kind: "link" }),
            ),
          ),
        )
      : null,
    h("div", { class: "till-pay" }, cashForm, qrForm),
    button(t("back_to_cart"), () => show("sell"), { kind: "secondary" }),
  ];
}

function paymentText(p) {
  if (p.method === "cash") {
    return `${t("cash")}: ${money(p.amount_vnd)}` + (p.change_vnd ? ` (${t("tendered_short")} ${money(p.tendered_vnd)}, ${t("change")} ${money(p.change_vnd)})` : "");
  }
  return `VietQR ${p.payment_code}: ${money(p.amount_vnd)} – ${p.confirmed ? t("received") : t("waiting_bank")}`;
}

async function addPayment(payment) {
  state.payments.push(payment);
  if (cartTotal() - paid() > 0) return renderView();
  await completeSale();
}

async function completeSale() {
  const total = cartTotal();
  const why = cannotSell(total);
  if (why) {
    state.payments = [];
    renderView();
    return showMessage(why, "error");
  }
  const p = state.profile;
  const receiptNo = state.pendingReceiptNo;
  const saleId = crypto.randomUUID();
  const lines = state.cart.map((line) => {
    const { product, price, total: lineTotal } = lineTotals(line);
    return { line, product, price, lineTotal };
  });
  const body = {
    sale_id: saleId,
    device_time: new Date().toISOString(),
    receipt_no: receiptNo,
    lines: lines.map(({ line, price, lineTotal }) => {
      const out = { product_id: line.product_id, quantity: line.quantity, unit_price_vnd: price, total_vnd: lineTotal };
      if (line.discount_vnd) {
        out.discount_vnd = line.discount_vnd;
        out.discount_reason = line.discount_reason;
      }
      return out;
    }),
    payments: state.payments.map((pay) =>
      pay.method === "vietqr"
        ? { method: "vietqr", amount_vnd: pay.amount_vnd, payment_code: pay.payment_code, confirmed: pay.confirmed }
        : { method: pay.method, amount_vnd: pay.amount_vnd },
    ),
    total_vnd: total,
  };
  const record = {
    sale_id: saleId,
    seq: receiptNo,
    receipt_no: receiptNo,
    receipt_label: receiptLabel(p.receipt_prefix, receiptNo),
    state: "queued",
    body,
    made_at: body.device_time,
    view: {
      fair: p.fair?.name || "",
      booth: p.booth?.code || p.booth_code || "",
      exhibitor: p.exhibitor?.name || "",
      label: p.label || "",
      session_id: p.session?.session_id || null,
      lines: lines.map(({ line, product, price, lineTotal }) => ({
        name: product?.name || "",
        producer_name: product?.producer_name || "",
        star: product?.star || null,
        quantity: line.quantity,
        unit_price_vnd: price,
        discount_vnd: line.discount_vnd || 0,
        discount_reason: line.discount_reason || null,
        total_vnd: lineTotal,
      })),
      payments: state.payments.map((pay) => ({ ...pay })),
    },
  };
  try {
    await db.saveSale(record); // stored (with the counter) before the receipt shows
  } catch (error) {
    state.payments = [];
    renderView();
    return showMessage(t("save_failed"), "error");
  }
  state.cart = [];
  state.payments = [];
  state.pendingReceiptNo = null;
  state.receipt = record;
  await refreshCounts();
  show("receipt");
  state.sync?.kick();
}

// Receipt ------------------------------------------------------------------------------------

function receiptBlock(record) {
  const v = record.view;
  const url = `${location.origin}/till/sale/${record.sale_id}`;
  return h(
    "article",
    { class: `till-receipt till-printable till-paper-${state.paper}`, "data-testid": "receipt", "aria-label": t("receipt") },
    h("p", { class: "till-receipt__center" }, h("strong", null, v.fair)),
    h("p", { class: "till-receipt__center" }, `${t("booth")} ${v.booth} · ${v.exhibitor}`),
    h("p", { class: "till-receipt__center" }, v.label),
    h("p", { class: "till-receipt__center" }, `${t("receipt_no")} `, h("strong", { "data-testid": "receipt-no" }, record.receipt_label)),
    h("p", { class: "till-receipt__center" }, moment(record.made_at)),
    h(
      "table",
      { class: "till-receipt__lines" },
      h("caption", { class: "till-visually-hidden" }, t("lines")),
      h("thead", null, h("tr", null, h("th", { scope: "col" }, t("product")), h("th", { scope: "col", class: "till-num" }, t("amount")))),
      h(
        "tbody",
        null,
        v.lines.map((l) =>
          h(
            "tr",
            null,
            h(
              "td",
              null,
              h("div", null, l.name),
              h("div", { class: "till-receipt__small" }, `${l.producer_name}${l.star ? ` · ${"★".repeat(l.star)} ${t("star_n", { n: l.star })}` : ""}`),
              h("div", { class: "till-receipt__small" }, `${l.quantity} × ${money(l.unit_price_vnd)}`),
              l.discount_vnd ? h("div", { class: "till-receipt__small" }, `${t("discount")} −${money(l.discount_vnd)} (${l.discount_reason})`) : null,
            ),
            h("td", { class: "till-num" }, money(l.total_vnd)),
          ),
        ),
      ),
    ),
    h("p", { class: "till-receipt__total" }, `${t("total")}: `, h("strong", { "data-testid": "receipt-total" }, money(record.body.total_vnd))),
    h("ul", { class: "till-receipt__payments" }, v.payments.map((pay) => h("li", null, paymentText(pay)))),
    h("div", { class: "till-receipt__qr" }, qrSvg(url, t("receipt_qr_alt"), { scale: 2 })),
    h("p", { class: "till-receipt__small till-receipt__center" }, t("receipt_qr_note")),
    h("p", { class: "till-receipt__small till-receipt__center till-noprint", "data-testid": "receipt-state" }, saleStateText(record)),
  );
}

function saleStateText(record) {
  if (record.state === "synced") return t("state_synced");
  if (record.state === "set_aside") return t("state_set_aside");
  return t("state_queued");
}

function paperChoice() {
  return h(
    "fieldset",
    { class: "till-fieldset till-noprint" },
    h("legend", null, t("paper")),
    ["58", "80"].map((size) =>
      h(
        "label",
        { class: "till-radio" },
        h("input", {
          type: "radio",
          name: "paper",
          value: size,
          checked: state.paper === size,
          onchange: async () => {
            state.paper = size;
            await db.set("paper", size);
            renderView();
          },
        }),
        ` ${size} mm`,
      ),
    ),
  );
}

function viewReceipt() {
  const record = state.receipt;
  if (!record) return viewSell();
  return [
    heading(t("receipt_title")),
    notice(t("sale_saved"), "success", "sale-saved"),
    receiptBlock(record),
    paperChoice(),
    h(
      "div",
      { class: "till-actions till-noprint" },
      button(t("print"), () => window.print(), { kind: "secondary", testid: "print" }),
      button(t("new_sale"), () => show("sell"), { testid: "new-sale", }),
    ),
  ];
}

// Queue --------------------------------------------------------------------------------------

function viewQueue() {
  const box = h("div", { "data-testid": "queue" }, h("p", null, t("loading")));
  (async () => {
    const aside = await db.byState("set_aside");
    const recent = await db.recentSales(20);
    fill(box, 
      h("p", { class: "till-big", "data-testid": "queue-waiting" }, t("waiting_n", { n: state.queued })),
      state.sync?.nextAt && state.queued ? h("p", { class: "till-muted" }, t("next_try", { seconds: Math.max(0, Math.round((state.sync.nextAt - Date.now()) / 1000)) })) : null,
      state.writer ? button(t("sync_now"), () => {
        state.sync?.kick({ reset: true });
        showMessage(t("syncing"), "info");
      }, { testid: "sync-now" }) : null,
      h("h2", { class: "till-h2" }, t("set_aside_title")),
      aside.length
        ? h(
            "ul",
            { class: "till-lines", "data-testid": "set-aside" },
            aside.map((r) =>
              h(
                "li",
                { class: "till-line" },
                h("strong", null, r.receipt_label),
                ` · ${money(r.body.total_vnd)} · ${moment(r.made_at)}`,
                h("p", { class: "till-error" }, refusalText(r.error)),
              ),
            ),
          )
        : h("p", { class: "till-muted" }, t("set_aside_none")),
      h("h2", { class: "till-h2" }, t("recent_sales")),
      h(
        "ul",
        { class: "till-lines" },
        recent.map((r) =>
          h(
            "li",
            { class: "till-line" },
            h("button", { type: "button", class: "till-button till-button--link", onclick: () => { state.receipt = r; show("receipt"); } }, r.receipt_label),
            ` · ${money(r.body.total_vnd)} · ${saleStateText(r)}`,
          ),
        ),
      ),
    );
  })();
  return [heading(t("queue_title")), h("p", null, t("queue_intro")), box];
}

// Transfers ----------------------------------------------------------------------------------

function viewTransfers() {
  const box = h("div", { "data-testid": "transfers" }, h("p", null, t("loading")));
  (async () => {
    const local = (await db.recentSales(500)).filter(
      (r) => r.state === "queued" && r.body.payments.some((p) => p.method === "vietqr" && p.confirmed === false),
    );
    const localOps = new Set((await db.ops()).map((o) => o.payment_code));
    let server = [];
    let unreachable = false;
    if (state.profile?.fair?.fair_id) {
      const answer = await api("GET", `/transfers?fair_id=${state.profile.fair.fair_id}&status=pending`);
      if (answer.status === 200 && Array.isArray(answer.body)) server = answer.body;
      else if (answer.status === 200 && Array.isArray(answer.body?.items)) server = answer.body.items;
      else unreachable = true;
    }
    const rows = [
      ...local.map((r) => {
        const p = r.body.payments.find((x) => x.method === "vietqr");
        return { sale_id: r.sale_id, payment_code: p.payment_code, amount_vnd: p.amount_vnd, local: true };
      }),
      ...server.filter((s) => !local.some((r) => r.sale_id === s.sale_id)),
    ];
    fill(box, 
      unreachable ? notice(t("transfers_offline"), "warning") : null,
      rows.length
        ? h(
            "ul",
            { class: "till-lines" },
            rows.map((row) =>
              h(
                "li",
                { class: "till-line", "data-code": row.payment_code },
                h("strong", null, row.payment_code),
                ` · ${money(row.amount_vnd)}`,
                row.local ? h("span", { class: "till-muted" }, ` · ${t("state_queued")}`) : null,
                localOps.has(row.payment_code)
                  ? h("p", { class: "till-muted" }, t("confirm_queued"))
                  : button(t("money_received"), () => confirmTransfer(row), { kind: "secondary", disabled: !state.writer }),
              ),
            ),
          )
        : h("p", { class: "till-muted", "data-testid": "no-transfers" }, t("transfers_none")),
    );
  })();
  return [heading(t("transfers_title")), h("p", null, t("transfers_intro")), box];
}

async function confirmTransfer(row) {
  const stored = await db.sale(row.sale_id);
  if (stored && stored.state !== "synced") {
    await db.addOp({ kind: "confirm", sale_id: row.sale_id, payment_code: row.payment_code });
    showMessage(t("confirm_queued"), "info");
    return renderView();
  }
  const answer = await api("POST", `/sales/${row.sale_id}/transfers/${row.payment_code}/confirm`);
  if (answer.status === 200) showMessage(t("transfer_confirmed", { code: row.payment_code }), "success");
  else if (answer.offline) {
    await db.addOp({ kind: "confirm", sale_id: row.sale_id, payment_code: row.payment_code });
    showMessage(t("confirm_queued"), "info");
  } else showMessage(refusalText(answer.body), "error");
  renderView();
}

// Refunds ------------------------------------------------------------------------------------

function viewRefund() {
  const input = h("input", { class: "till-input", autocomplete: "off", "data-autofocus": !state.viewArg, "data-testid": "refund-code" });
  const video = h("video", { class: "till-video", playsinline: true, muted: true, hidden: true });
  const box = h("div", { "data-testid": "refund" });
  const form = h(
    "form",
    {
      class: "till-form",
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        loadRefund(input.value, box);
      },
    },
    field("refund-code", t("refund_code"), input, { hint: t("refund_code_hint") }),
    button(t("find_sale"), null, { type: "submit", kind: "secondary", testid: "find-sale" }),
  );
  if (state.viewArg) {
    input.value = state.viewArg;
    setTimeout(() => loadRefund(state.viewArg, box));
  }
  return [
    heading(t("refund_title")),
    form,
    cameraAvailable()
      ? h(
          "div",
          { class: "till-camera" },
          button(t("scan_with_camera"), async () => {
            video.hidden = false;
            try {
              state.stopCamera = await scan(video, (text) => {
                video.hidden = true;
                input.value = text;
                loadRefund(text, box);
              }, ["qr_code"]);
            } catch {
              video.hidden = true;
              showMessage(t("camera_refused"), "error");
            }
          }, { kind: "secondary" }),
          video,
        )
      : null,
    box,
  ];
}

async function loadRefund(text, box) {
  let saleId = saleIdFrom(text);
  if (!saleId) {
    const local = await db.saleByReceipt(String(text || "").trim().toUpperCase());
    saleId = local?.sale_id || null;
  }
  if (!saleId) return fill(box, notice(t("refund_code_invalid"), "error"));
  const local = await db.sale(saleId);
  if (local && local.state !== "synced") return fill(box, notice(t("refund_not_uploaded"), "warning"));
  const answer = await api("GET", `/sales/${saleId}`);
  if (answer.offline) return fill(box, notice(t("refund_offline"), "warning"));
  if (answer.status !== 200) return fill(box, notice(t("refund_not_found"), "error"));
  const sale = answer.body;
  // payments: { method: amount } (sales' SaleDetail); a list of { method } taken too.
  const methods = Array.isArray(sale.payments)
    ? [...new Set(sale.payments.map((p) => p.method))]
    : Object.keys(sale.payments || {});
  const inputs = [];
  const reason = h("input", { class: "till-input", maxlength: "200", "data-testid": "refund-reason" });
  const method = h("select", { class: "till-input" }, methods.map((m) => h("option", { value: m }, t(`method_${m}`))));
  const form = h(
    "form",
    {
      class: "till-form",
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        const lines = inputs
          .map(({ line, input }) => ({ line_no: line.line_no, quantity: Math.trunc(Number(input.value) || 0) }))
          .filter((l) => l.quantity > 0);
        if (!lines.length) return showMessage(t("refund_nothing"), "error");
        if (!reason.value.trim()) return showMessage(t("refund_reason_missing"), "error");
        const result = await api("POST", `/sales/${saleId}/refunds`, {
          body: { refund_id: crypto.randomUUID(), lines, method: method.value, reason: reason.value.trim() },
        });
        if (result.status === 201 || result.status === 200) {
          fill(box, notice(t("refunded", { amount: money(result.body?.total_vnd || 0) }), "success", "refunded"));
        } else if (result.offline) showMessage(t("refund_offline"), "error");
        else showMessage(refusalText(result.body), "error");
      },
    },
    h("p", null, `${t("receipt_no")} `, h("strong", { "data-testid": "refund-receipt" }, sale.receipt || local?.receipt_label || receiptLabel(sale.receipt_prefix || state.profile?.receipt_prefix || "", sale.receipt_no)), ` · ${money(sale.total_vnd)}`),
    h(
      "ul",
      { class: "till-lines" },
      (sale.lines || []).map((line) => {
        const left = line.quantity - (line.refunded_quantity || 0);
        const input = h("input", { class: "till-input till-input--qty", type: "number", min: "0", max: String(left), value: "0", inputmode: "numeric" });
        inputs.push({ line, input });
        return h(
          "li",
          { class: "till-line" },
          h("strong", null, line.name || line.product_id),
          h("span", { class: "till-muted" }, ` ${line.producer_name || ""} · ${line.quantity} × ${money(line.unit_price_vnd)}`),
          field(`refund-line-${line.line_no}`, t("refund_quantity", { n: left }), input),
        );
      }),
    ),
    field("refund-method", t("refund_method"), method),
    field("refund-reason", t("refund_reason"), reason),
    button(t("refund"), null, { type: "submit", testid: "refund-submit" }),
  );
  fill(box, form);
}

// Session and Z-report -----------------------------------------------------------------------

function viewSession() {
  const session = state.profile?.session;
  if (!session) {
    const float = h("input", { class: "till-input", inputmode: "numeric", "data-autofocus": true, "data-testid": "float" });
    return [
      heading(t("session_title")),
      h("p", null, t("session_closed")),
      h(
        "form",
        {
          class: "till-form",
          novalidate: true,
          onsubmit: async (e) => {
            e.preventDefault();
            const amount = parseVnd(float.value);
            if (amount === null) return showMessage(t("float_invalid"), "error");
            const answer = await api("POST", "/sessions", { body: { opening_cash_vnd: amount } });
            if (answer.offline) return showMessage(t("session_offline"), "error");
            if (answer.status === 201 || answer.status === 200) {
              state.profile = { ...state.profile, session: answer.body };
              await db.set("profile", state.profile);
              show("sell");
              return showMessage(t("session_opened"), "success");
            }
            await loadProfile();
            if (state.profile?.session) return show("sell");
            showMessage(refusalText(answer.body), "error");
          },
        },
        field("float", t("float"), float, { hint: t("float_hint") }),
        button(t("open_session"), null, { type: "submit", testid: "open-session", disabled: !state.writer || !!state.revoked }),
      ),
      signOutBlock(),
    ];
  }
  const counted = h("input", { class: "till-input", inputmode: "numeric", "data-testid": "counted" });
  return [
    heading(t("session_title")),
    h(
      "dl",
      { class: "till-dl" },
      h("dt", null, t("opened_at")),
      h("dd", null, moment(session.opened_at)),
      h("dt", null, t("float")),
      h("dd", null, money(session.opening_cash_vnd)),
    ),
    h(
      "form",
      {
        class: "till-form",
        novalidate: true,
        onsubmit: async (e) => {
          e.preventDefault();
          await refreshCounts();
          if (state.queued > 0 || (await db.ops()).length) return showMessage(t("close_refused_queue", { n: state.queued }), "error");
          const amount = parseVnd(counted.value);
          if (amount === null) return showMessage(t("counted_invalid"), "error");
          const answer = await api("POST", `/sessions/${session.session_id}/close`, { body: { counted_cash_vnd: amount } });
          if (answer.offline) return showMessage(t("session_offline"), "error");
          if (answer.status !== 200) return showMessage(refusalText(answer.body), "error");
          state.zreport = answer.body;
          state.profile = { ...state.profile, session: null };
          await db.setMany({ profile: state.profile, lastZ: answer.body });
          show("z");
        },
      },
      h("h2", { class: "till-h2" }, t("close_session")),
      field("counted", t("counted"), counted, { hint: t("counted_hint") }),
      button(t("close_session"), null, { type: "submit", testid: "close-session", disabled: !state.writer }),
    ),
    signOutBlock(),
  ];
}

function signOutBlock() {
  return h(
    "section",
    { class: "till-section" },
    h("h2", { class: "till-h2" }, t("sign_out_title")),
    h("p", null, t("sign_out_intro")),
    state.zreport || null ? button(t("show_z"), () => show("z"), { kind: "secondary" }) : null,
    button(
      t("sign_out"),
      async () => {
        await refreshCounts();
        if (state.queued > 0 || (await db.ops()).length) return showMessage(t("sign_out_refused_queue", { n: state.queued }), "error");
        if (!window.confirm(t("sign_out_confirm"))) return;
        stopWorking();
        await db.forget();
        Object.assign(state, { token: null, profile: null, items: [], etag: null, revoked: null, cart: [], payments: [], queued: 0, setAside: 0 });
        show("pair");
      },
      { kind: "warning", testid: "sign-out", disabled: !state.writer },
    ),
  );
}

function viewZ() {
  const z = state.zreport;
  if (!z) return viewSession();
  const row = (label, value, testid) => [h("dt", null, label), h("dd", { "data-testid": testid }, value)];
  return [
    heading(t("z_title")),
    h(
      "article",
      { class: `till-receipt till-printable till-paper-${state.paper}`, "data-testid": "z-report" },
      h("p", { class: "till-receipt__center" }, h("strong", null, t("z_title"))),
      h("p", { class: "till-receipt__center" }, `${state.profile?.fair?.name || ""}`),
      h("p", { class: "till-receipt__center" }, `${t("booth")} ${state.profile?.booth?.code || ""} · ${state.profile?.label || ""}`),
      h(
        "dl",
        { class: "till-dl" },
        row(t("opened_at"), moment(z.opened_at)),
        row(t("closed_at"), moment(z.closed_at)),
        row(t("z_sales"), String(z.sales), "z-sales"),
        z.first_receipt_no ? row(t("z_receipts"), `${receiptLabel(state.profile.receipt_prefix, z.first_receipt_no)} – ${receiptLabel(state.profile.receipt_prefix, z.last_receipt_no)}`, "z-receipts") : null,
        row(t("z_gross"), money(z.gross_vnd), "z-gross"),
        row(t("z_refunds"), money(z.refunds_vnd), "z-refunds"),
        row(t("z_net"), money(z.net_vnd), "z-net"),
        Object.entries(z.net_by_method || {}).map(([m, v]) => row(t(`method_${m}`), money(v), `z-method-${m}`)),
        row(t("float"), money(z.opening_cash_vnd)),
        row(t("z_cash_expected"), money(z.cash_expected_vnd), "z-cash-expected"),
        row(t("counted"), money(z.cash_counted_vnd)),
        row(t("z_variance"), money(z.cash_variance_vnd), "z-variance"),
        z.pending_transfers !== undefined
          ? row(t("z_pending"), z.pending_transfers ? `${z.pending_transfers} · ${money(z.pending_transfers_vnd || 0)}` : t("z_pending_none"), "z-pending")
          : null,
      ),
    ),
    paperChoice(),
    h(
      "div",
      { class: "till-actions till-noprint" },
      button(t("print"), () => window.print(), { kind: "secondary", testid: "print-z" }),
      button(t("open_session"), () => show("session"), {}),
    ),
  ];
}

// A receipt's address opened by someone else's phone ----------------------------------------

function viewCustomer() {
  return [heading(t("receipt_title")), notice(t("receipt_link_unpaired"), "info")];
}

// --- start ------------------------------------------------------------------------------------

async function acquireWriter() {
  if (!navigator.locks) {
    state.writer = true;
    return;
  }
  await new Promise((resolve) => {
    navigator.locks.request("ocop-till-writer", { ifAvailable: true }, (lock) => {
      if (!lock) {
        state.writer = false;
        resolve();
        // Wait our turn: when the other tab closes, this one becomes the writer.
        navigator.locks.request("ocop-till-writer", () => {
          state.writer = true;
          if (state.token) startWorking();
          render();
          return new Promise(() => {});
        });
        return undefined;
      }
      state.writer = true;
      resolve();
      return new Promise(() => {}); // held while this tab lives
    });
  });
}

function stopWorking() {
  state.sync?.stop();
  state.sync = null;
  state.timers.forEach(clearInterval);
  state.timers = [];
}

function startWorking() {
  stopWorking();
  const poll = (fn, ms) => {
    let busy = false;
    state.timers.push(
      setInterval(async () => {
        if (busy || !state.token || state.revoked) return;
        busy = true;
        try {
          await fn();
        } finally {
          busy = false;
        }
      }, ms),
    );
  };
  poll(loadCatalog, CATALOG_EVERY_MS);
  poll(loadProfile, PROFILE_EVERY_MS);
  poll(async () => renderBanners(), 1000);
  if (state.writer) {
    state.sync = new Sync({
      token: state.token,
      onChange: () => refreshCounts(),
      onRevoked: (status) => revoked(status),
      onContact: (ok) => contact(ok),
      onError: () => {},
    });
    state.sync.kick();
  } else {
    poll(refreshCounts, READONLY_REFRESH_MS);
  }
}

function onCatalogChanged() {
  if (state.view === "sell") {
    renderCart();
    const search = $("#search");
    if (search?.value) renderResults(search.value);
  }
}

// The service worker keeps the app for offline use. Its install fetches every file; if one
// fetch fails (a busy or restarting web app), the worker is discarded ("redundant") and the
// till would not open offline until the next visit: try again, with backoff, until one is
// active.
function registerWorker(attempt = 0) {
  if (!("serviceWorker" in navigator)) return;
  const retry = () => setTimeout(() => registerWorker(attempt + 1), Math.min(60_000, 1000 * 2 ** attempt));
  navigator.serviceWorker
    .register("/till/sw.js", { scope: "/till/" })
    .then((registration) => {
      const worker = registration.installing || registration.waiting;
      if (worker) {
        worker.addEventListener("statechange", () => {
          if (worker.state === "redundant" && !registration.active) retry();
        });
      }
    })
    .catch(retry);
  // Once a worker is active, a page it does not control asks to be claimed (see worker.js).
  navigator.serviceWorker.ready.then((registration) => {
    if (!navigator.serviceWorker.controller) registration.active?.postMessage({ type: "claim" });
  });
}

async function start() {
  setLanguage((await db.get("lang")) || "vi");
  state.paper = (await db.get("paper")) || "80";
  await acquireWriter();
  state.token = (await db.get("token")) || null;
  state.profile = (await db.get("profile")) || null;
  state.items = (await db.get("catalog")) || [];
  state.etag = (await db.get("etag")) || null;
  state.lastOnlineAt = (await db.get("lastOnlineAt")) || null;
  state.zreport = (await db.get("lastZ")) || null;
  await refreshCounts();

  registerWorker();
  window.addEventListener("online", () => state.sync?.kick({ reset: true }));

  const path = location.pathname;
  const fragment = decodeURIComponent(location.hash.slice(1));
  const saleMatch = path.match(/^\/till\/sale\/(.+)$/);
  if (!state.token) {
    if (saleMatch) return show("pair", { customer: true });
    if (fragment) {
      history.replaceState(null, "", "/till/pair");
      if (!state.writer) return show("pair");
      return pair(fragment);
    }
    return show("pair");
  }
  if (fragment) history.replaceState(null, "", path); // paired already: the code is not needed
  await persistStorage();
  startWorking();
  if (saleMatch) return show("refund", saleIdFrom(saleMatch[1]));
  show(state.profile?.session ? "sell" : "session");
  loadProfile().then(() => {
    if (state.view === "session" && state.profile?.session) show("sell");
  });
  loadCatalog();
}

// For the tests and for the curious: the till's state, read-only.
window.ocopTill = {
  get state() {
    return { ...state, sync: undefined };
  },
};

start();
