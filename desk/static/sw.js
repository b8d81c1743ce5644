// Service worker of the drivers' pages (scope /d/): the run page and its scripts are kept, so a
// reload without signal still shows the run and its queue of scans. Network first: when online
// the page is always the desk's current one. Browsers run this only in a secure context
// (https, or the desk's own machine at 127.0.0.1).
"use strict";
const CACHE = "bookvan-driver-v1";
const STATIC = ["/static/desk.css", "/static/driver.js", "/static/vendor/jsQR.js"];

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(STATIC)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (e) => {
  const req = e.request;
  if (req.method !== "GET") return;  // scans are POSTed by the page's own queue
  const url = new URL(req.url);
  const keep = STATIC.includes(url.pathname) || (url.pathname.startsWith("/d/") && !url.pathname.endsWith(".js"));
  if (!keep) return;
  e.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(req, copy)); }
        return res;
      })
      .catch(() => caches.match(req).then((hit) => hit || Response.error()))
  );
});
