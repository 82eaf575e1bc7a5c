// The till's storage: IndexedDB "ocop-till".
// - meta: key → value (token, profile, catalog, etag, counter = next receipt number,
//   lastOnlineAt, lang, paper, lastZ);
// - sales: every sale made on this device, keyPath sale_id, state "queued" | "synced" |
//   "set_aside", seq = its receipt number (the upload order);
// - ops: actions waiting for their sale to upload (a transfer confirmed by the cashier).

const NAME = "ocop-till";
const VERSION = 1;
let opened = null;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
  });
}

export function open() {
  if (opened) return opened;
  opened = new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("meta");
      const sales = db.createObjectStore("sales", { keyPath: "sale_id" });
      sales.createIndex("state_seq", ["state", "seq"]);
      sales.createIndex("receipt", "receipt_label", { unique: false });
      db.createObjectStore("ops", { keyPath: "id", autoIncrement: true });
    };
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => reject(request.error);
  });
  return opened;
}

export async function get(key) {
  const db = await open();
  return promised(db.transaction("meta").objectStore("meta").get(key));
}

export async function set(key, value) {
  const db = await open();
  const tx = db.transaction("meta", "readwrite");
  tx.objectStore("meta").put(value, key);
  return done(tx);
}

export async function setMany(entries) {
  const db = await open();
  const tx = db.transaction("meta", "readwrite");
  for (const [key, value] of Object.entries(entries)) tx.objectStore("meta").put(value, key);
  return done(tx);
}

/** Stores a new sale and moves the receipt counter past it, in one transaction: refused
 * (nothing written) when the counter is no longer the sale's receipt number. */
export async function saveSale(record) {
  const db = await open();
  const tx = db.transaction(["meta", "sales"], "readwrite");
  const meta = tx.objectStore("meta");
  const counter = await promised(meta.get("counter"));
  if (counter !== record.receipt_no) {
    tx.abort();
    throw new Error(`receipt counter is ${counter}, the sale has ${record.receipt_no}`);
  }
  tx.objectStore("sales").add(record);
  meta.put(record.receipt_no + 1, "counter");
  return done(tx);
}

export async function sale(saleId) {
  const db = await open();
  return promised(db.transaction("sales").objectStore("sales").get(saleId));
}

export async function saleByReceipt(label) {
  const db = await open();
  return promised(db.transaction("sales").objectStore("sales").index("receipt").get(label));
}

export async function updateSale(saleId, patch) {
  const db = await open();
  const tx = db.transaction("sales", "readwrite");
  const store = tx.objectStore("sales");
  const found = await promised(store.get(saleId));
  if (found) store.put({ ...found, ...patch });
  return done(tx);
}

/** The sales in one state, oldest receipt first (at most limit). */
export async function byState(state, limit = Infinity) {
  const db = await open();
  const index = db.transaction("sales").objectStore("sales").index("state_seq");
  const range = IDBKeyRange.bound([state, -Infinity], [state, Infinity]);
  return promised(index.getAll(range, limit === Infinity ? undefined : limit));
}

export async function countState(state) {
  const db = await open();
  const index = db.transaction("sales").objectStore("sales").index("state_seq");
  return promised(index.count(IDBKeyRange.bound([state, -Infinity], [state, Infinity])));
}

export async function recentSales(limit = 50) {
  const db = await open();
  const all = await promised(db.transaction("sales").objectStore("sales").getAll());
  return all.sort((a, b) => b.seq - a.seq).slice(0, limit);
}

export async function addOp(op) {
  const db = await open();
  const tx = db.transaction("ops", "readwrite");
  tx.objectStore("ops").add(op);
  return done(tx);
}

export async function ops() {
  const db = await open();
  return promised(db.transaction("ops").objectStore("ops").getAll());
}

export async function deleteOp(id) {
  const db = await open();
  const tx = db.transaction("ops", "readwrite");
  tx.objectStore("ops").delete(id);
  return done(tx);
}

/** Forgets this device's pairing (the caller checked that nothing waits to upload). */
export async function forget() {
  const db = await open();
  const tx = db.transaction(["meta", "sales", "ops"], "readwrite");
  const lang = await promised(tx.objectStore("meta").get("lang"));
  const paper = await promised(tx.objectStore("meta").get("paper"));
  tx.objectStore("meta").clear();
  tx.objectStore("sales").clear();
  tx.objectStore("ops").clear();
  if (lang) tx.objectStore("meta").put(lang, "lang");
  if (paper) tx.objectStore("meta").put(paper, "paper");
  return done(tx);
}
