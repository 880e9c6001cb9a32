/* Wallchart's service worker (served by wallchart/web/app_shell.py at the site's root).
 *
 * It keeps the app shell — vendored libraries, styles, scripts, icons and the offline page —
 * and nothing else: never a page, never an API answer, never anything that holds data (another
 * person's least of all). A page is fetched from the network first; without a connection the
 * offline page answers instead. Every other request (the API, the board's fragments, Socket.IO)
 * goes to the network as if there were no worker.
 *
 * The cache is named for the shell's version and contents: a new shell installs beside the old
 * one and, once active, removes every other cache of the app.
 */
"use strict";

const CACHE = {{ cache_name|tojson }};
const SHELL = {{ shell|tojson }};
const OFFLINE = {{ offline|tojson }};
const STATIC = {{ static_prefix|tojson }};
const CACHED_FOLDERS = ["vendor/", "css/", "js/", "icons/"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE)
    .then(function (cache) {
      // Asked again of the server, not taken from the browser's HTTP cache: the app's own files
      // keep their names from one release to the next.
      return cache.addAll(SHELL.map(function (url) { return new Request(url, { cache: "no-cache" }); }));
    })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys()
    .then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.startsWith("wallchart-") && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    })
    .then(function () { return self.clients.claim(); }));
});

// A file of the shell: below the static folder, in one of its cached folders (or the icon).
function isShell(url) {
  if (url.origin !== self.location.origin || url.search) return false;
  if (!url.pathname.startsWith(STATIC)) return false;
  const rest = url.pathname.slice(STATIC.length);
  return rest === "favicon.svg" || CACHED_FOLDERS.some(function (folder) {
    return rest.startsWith(folder);
  });
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    // Network first, and never stored: a page holds its reader's data.
    event.respondWith(fetch(request).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(OFFLINE); })
        .then(function (page) { return page || Response.error(); });
    }));
    return;
  }
  const url = new URL(request.url);
  if (!isShell(url)) return;   // the API, fragments, Socket.IO: the network's, untouched
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") cache.put(request, response.clone());
        return response;
      });
    });
  }));
});
