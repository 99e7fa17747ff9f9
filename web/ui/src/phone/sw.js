// The phone app's service worker: the app shell is cached at install so the app opens with no
// signal; the API and the websocket always go to the network (the outbox in IndexedDB is what
// keeps reports safe offline, not this cache). Built by vite.config.ts, which fills in the list.
const PRECACHE = __PRECACHE__;
const CACHE = 'griddispatch-phone-__VERSION__';

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('griddispatch-phone-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/ws') return;
  if (req.mode === 'navigate') {
    // The newest shell when online, the cached one otherwise.
    event.respondWith(fetch(req).catch(() => caches.match('/phone/', { cacheName: CACHE })));
    return;
  }
  event.respondWith(caches.match(req, { cacheName: CACHE }).then((hit) => hit || fetch(req)));
});
