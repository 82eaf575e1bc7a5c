// Calls to sales through the web app's proxy (/till/api/...), with the device's token.
// Answers { status, body, etag }; no network (or the proxy's 503): { status: 0 | 503, offline }.

const BASE = "/till/api";
const TIMEOUT_MS = 10_000;

export async function call(method, path, { token, body, etag, idempotencyKey } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (etag) headers["If-None-Match"] = etag;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      signal: controller.signal,
    });
  } catch {
    return { status: 0, offline: true, body: null };
  } finally {
    clearTimeout(timer);
  }
  let parsed = null;
  if (response.status !== 304 && response.status !== 204) {
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
  }
  const offline = response.status >= 500;
  return {
    status: response.status,
    body: parsed,
    etag: response.headers.get("ETag"),
    retryAfter: Number(response.headers.get("Retry-After")) || null,
    offline,
  };
}
