/* The field app's service worker (scope /app/). Rendered by fieldapp.views.service_worker.
   It keeps the app shell for offline use; API answers are NOT kept here (they belong to one
   user: the page keeps them in IndexedDB under the user's id). A new version waits until the
   page, with an empty queue of writes, tells it to take over. */
const VERSION = "{{ version }}";
const CACHE = "fieldapp-shell-" + VERSION;
const SHELL = {{ shell|safe }};
const PAGE = SHELL.find((u) => u.endsWith("/app/")) || "/app/";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("fieldapp-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "take-over") event.waitUntil(self.skipWaiting());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // the page: the network first (a fresh shell when online), the kept one offline
    event.respondWith(
      fetch(request).then((response) => {
        if (response.ok) caches.open(CACHE).then((c) => c.put(PAGE, response.clone()));
        return response;
      }).catch(() => caches.match(PAGE))
    );
    return;
  }
  event.respondWith(caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request)));
});
