// The till's service worker (served at /till/sw.js after two lines the server writes:
// VERSION, a hash of every file below, and PRECACHE, their addresses). It keeps the shell,
// the scripts, the styles, the fonts and the icons, so the till opens with no network; the
// till's calls to /till/api/ always go to the network (the app queues what fails).

const CACHE = `ocop-till-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("ocop-till-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// A page the activation's clients.claim() passed over (one still loading then: the pairing
// link opened while this worker installed) or a hard reload bypassed asks to be claimed:
// uncontrolled, it would not open again with no network.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "claim") event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/till/api/") || url.pathname === "/till/sw.js") return;
  if (request.mode === "navigate" && url.pathname.startsWith("/till/")) {
    // One shell for every till address; the cached one first (it opens offline at once).
    event.respondWith(caches.match("/till/", { cacheName: CACHE }).then((found) => found || fetch(request)));
    return;
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(
      caches.match(url.pathname, { cacheName: CACHE }).then((found) => found || fetch(request)),
    );
  }
});
