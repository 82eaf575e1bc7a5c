// The upload queue: sales stored in IndexedDB (state "queued") go to sales in receipt order,
// in batches of at most 50 through POST /sales/batch (also online: a batch of one), with a
// backoff of 1 s doubling to 60 s, jittered, while sales is unreachable. A sale the server
// refuses is set aside with its reason; the others go on. Only the tab holding the writer
// lock runs it.

import * as db from "./db.js";
import { call } from "./api.js";

export const BATCH = 50;
const FIRST_DELAY_MS = 1000;
const LAST_DELAY_MS = 60_000;

/** The wait before the n-th retry (n from 0): 1 s doubling to 60 s, between half and all of it. */
export function backoff(n, random = Math.random) {
  const full = Math.min(LAST_DELAY_MS, FIRST_DELAY_MS * 2 ** n);
  return Math.round(full / 2 + (random() * full) / 2);
}

/** The index of the sale a batch-wide 422 names (loc ["body", "sales", N, ...]), or null. */
export function namedSale(body) {
  const detail = body && Array.isArray(body.detail) ? body.detail : [];
  for (const item of detail) {
    const loc = item && Array.isArray(item.loc) ? item.loc : [];
    const at = loc.indexOf("sales");
    if (at >= 0 && Number.isInteger(loc[at + 1])) {
      return { index: loc[at + 1], field: loc.slice(at + 2).join("."), code: item.type, message: item.msg };
    }
  }
  return null;
}

export class Sync {
  constructor({ token, onChange, onRevoked, onContact, onError }) {
    this.token = token;
    this.onChange = onChange;
    this.onRevoked = onRevoked;
    this.onContact = onContact;
    this.onError = onError;
    this.failures = 0;
    this.running = false;
    this.again = false;
    this.timer = null;
    this.stopped = false;
    this.nextAt = null;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Upload now (after a sale, on "Đồng bộ ngay", when the network returns). */
  kick({ reset = false } = {}) {
    if (this.stopped) return;
    if (reset) this.failures = 0;
    clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = null;
    if (this.running) {
      this.again = true;
      return;
    }
    this.run();
  }

  schedule(ms) {
    clearTimeout(this.timer);
    this.nextAt = Date.now() + ms;
    this.timer = setTimeout(() => this.kick(), ms);
  }

  async run() {
    this.running = true;
    try {
      let more = true;
      while (more && !this.stopped) {
        this.again = false;
        more = await this.once();
      }
      if (!this.stopped && more === false) await this.drainOps();
    } catch (error) {
      this.onError?.(error);
      this.schedule(backoff(this.failures++));
    } finally {
      this.running = false;
      this.onChange?.();
      if (this.again && !this.timer) this.kick();
    }
  }

  /** One batch: true when more may wait, false when the queue is empty, null when the
   * upload must wait (backoff scheduled, or the till revoked). */
  async once() {
    const batch = await db.byState("queued", BATCH);
    if (!batch.length) return false;
    const answer = await call("POST", "/sales/batch", {
      token: this.token,
      body: { sales: batch.map((r) => r.body) },
    });
    if (answer.offline || answer.status === 429 || answer.status === 0) {
      this.onContact?.(false);
      const wait = Math.max(backoff(this.failures++), (answer.retryAfter || 0) * 1000);
      this.schedule(wait);
      return null;
    }
    this.onContact?.(true);
    if (answer.status === 401 || answer.status === 403) {
      this.onRevoked?.(answer.status);
      return null;
    }
    if (answer.status === 422 || answer.status === 413) {
      const named = namedSale(answer.body);
      const index = named ? named.index : batch.length === 1 ? 0 : null;
      if (index === null || !batch[index]) {
        // Not one sale's fault: send them one by one to find it.
        return this.oneByOne(batch);
      }
      await this.setAside(batch[index], {
        code: named ? named.code : "refused",
        field: named ? named.field : null,
        message: named ? named.message : JSON.stringify(answer.body).slice(0, 300),
        status: answer.status,
      });
      return true;
    }
    if (answer.status !== 200 || !answer.body || !Array.isArray(answer.body.results)) {
      this.schedule(backoff(this.failures++));
      return null;
    }
    this.failures = 0;
    for (const result of answer.body.results) {
      const record = batch.find((r) => r.sale_id === result.sale_id);
      if (!record) continue;
      if (result.status === "recorded" || result.status === "replayed") {
        await db.updateSale(record.sale_id, {
          state: "synced",
          server_receipt_no: result.receipt_no ?? null,
          synced_at: new Date().toISOString(),
          review: result.review ?? null,
        });
      } else {
        await this.setAside(record, result.error || { code: result.status, message: "" });
      }
    }
    this.onChange?.();
    return batch.length === BATCH;
  }

  async oneByOne(batch) {
    for (const record of batch) {
      const answer = await call("POST", "/sales/batch", {
        token: this.token,
        body: { sales: [record.body] },
      });
      if (answer.offline) {
        this.schedule(backoff(this.failures++));
        return null;
      }
      if (answer.status === 200 && answer.body?.results?.[0]) {
        const result = answer.body.results[0];
        if (result.status === "recorded" || result.status === "replayed") {
          await db.updateSale(record.sale_id, { state: "synced", server_receipt_no: result.receipt_no ?? null });
        } else {
          await this.setAside(record, result.error || { code: result.status });
        }
      } else if (answer.status === 401 || answer.status === 403) {
        this.onRevoked?.(answer.status);
        return null;
      } else {
        const named = namedSale(answer.body);
        await this.setAside(record, {
          code: named ? named.code : "refused",
          field: named ? named.field : null,
          message: named ? named.message : "",
          status: answer.status,
        });
      }
    }
    return true;
  }

  async setAside(record, error) {
    await db.updateSale(record.sale_id, { state: "set_aside", error, set_aside_at: new Date().toISOString() });
    this.onChange?.();
  }

  /** Transfers the cashier confirmed while their sale waited: sent once the sale is stored. */
  async drainOps() {
    for (const op of await db.ops()) {
      const stored = await db.sale(op.sale_id);
      if (!stored || stored.state === "set_aside") {
        await db.deleteOp(op.id);
        continue;
      }
      if (stored.state !== "synced") return;
      const answer = await call(
        "POST",
        `/sales/${op.sale_id}/transfers/${op.payment_code}/confirm`,
        { token: this.token },
      );
      if (answer.offline) {
        this.schedule(backoff(this.failures++));
        return;
      }
      if (answer.status === 401 || answer.status === 403) {
        this.onRevoked?.(answer.status);
        return;
      }
      await db.deleteOp(op.id);
    }
  }
}
