// Stock at the booth in the till (issue 15), pure: the catalogue's items carry `stock` (null:
// not tracked at this booth) and `sold_out`. What is left counts this till's sales still
// waiting to upload and the cart. Online, a product is not added beyond what is left (sales
// would refuse the sale: 409 out_of_stock); offline the sale already happens: it is allowed,
// and sales reports the units sold with none on hand as oversold.

/** Units of each product in this till's sales waiting to upload (records from the queue). */
export function pendingByProduct(records) {
  const pending = {};
  for (const record of records || []) {
    for (const line of record?.body?.lines || []) {
      pending[line.product_id] = (pending[line.product_id] || 0) + (Number(line.quantity) || 0);
    }
  }
  return pending;
}

/** Whether sales tracks the product's stock at this booth. */
export function tracked(product) {
  return !!product && product.stock !== null && product.stock !== undefined;
}

/** What is left once the waiting sales and the cart are taken away; null when not tracked. */
export function left(product, pending = 0, inCart = 0) {
  if (!tracked(product)) return null;
  return Number(product.stock) - pending - inCart;
}

/** Nothing left to sell (a tracked product at or below zero, or sales said sold out). */
export function soldOut(product, pending = 0, inCart = 0) {
  if (!product) return false;
  const rest = left(product, pending, inCart);
  return rest === null ? !!product.sold_out : rest <= 0;
}

/**
 * May `adding` more units join the `inCart` already there? Online: not beyond what is left
 * ({ ok: false }); offline: yes, flagged `oversell` (sales will count it as oversold).
 * `left` is what is left before adding (never below 0), null when not tracked.
 */
export function canAdd(product, { pending = 0, inCart = 0, adding = 1, online = true } = {}) {
  const rest = left(product, pending, inCart);
  if (rest === null) return { ok: true, oversell: false, left: null };
  if (adding <= rest) return { ok: true, oversell: false, left: rest };
  return { ok: !online, oversell: !online, left: Math.max(rest, 0) };
}
