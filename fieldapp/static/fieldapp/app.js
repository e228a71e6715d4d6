// The field app: boots from IndexedDB (works with no network), draws the screen the address
// names, keeps the queue of writes moving and reads fresh with /api/v1/sync/?since=.
import { h } from "./dom.js";
import { t, language, setLanguage } from "./i18n.js";
import { endSession, forget, get, loadSession, onUnauthorized, post, saveSession, session, uuid, HttpError } from "./api.js";
import { kvDelete, kvDeletePrefix, kvGet, kvSet } from "./store.js";
import { onGone, onQueueChange, onSent, refreshCount, replay } from "./queue.js";
import * as screens from "./screens.js";
import { caseScreen } from "./cases.js";
import * as desk from "./desk.js";

const config = JSON.parse(document.getElementById("app-config").textContent);
const API = config.api;
let unread = 0;
let pendingCount = 0;

const routes = [
  [/^#\/today$/, () => screens.today()],
  [/^#\/appointment\/(\d+)$/, (m) => screens.appointment(m[1])],
  [/^#\/visit\/(\d+)$/, (m) => screens.visit(m[1])],
  [/^#\/case\/(\d+)$/, (m) => caseScreen(m[1])],
  [/^#\/notifications$/, () => screens.notifications()],
  [/^#\/queue$/, () => screens.queue()],
  [/^#\/me$/, () => screens.me()],
  [/^#\/walk-in$/, () => screens.walkIn()],
  [/^#\/station$/, () => screens.station()],
  [/^#\/desk(?:\/(\w+))?(?:\?(.*))?$/, (m) => desk.queueScreen(m[1], m[2])],
  [/^#\/complaint\/(\d+)$/, (m) => desk.complaintScreen(m[1])],
];

let signInMessage = null;
async function draw() {
  if (!session.token) {
    tabs(false);
    if (!document.querySelector("input[name=password]")) screens.signIn({ message: signInMessage });
    return;
  }
  signInMessage = null;
  tabs(true);
  if (!location.hash) history.replaceState(null, "", desk.home()); // the desk's staff start there
  const hash = location.hash;
  const route = routes.find(([re]) => re.test(hash));
  if (!route) { location.hash = desk.home(); return; }
  try {
    await route[1](hash.match(route[0]));
  } catch (e) {
    if (e instanceof HttpError && e.status === 401) return;
    document.getElementById("main").replaceChildren(h("p", { class: "error", role: "alert" },
      e instanceof HttpError && e.status === 0 ? t("offline") : (e.body?.error?.message || String(e.message || e))));
  }
  document.getElementById("main").focus({ preventScroll: true });
}

// managers get their station's tab (the server decides what they may do there)
const manages = () => (session.user?.roles || []).some((r) => ["station_manager", "centre_staff", "centre_lead", "district_staff", "admin"].includes(r));

function tabs(show) {
  const nav = document.getElementById("tabs");
  nav.hidden = !show;
  if (!show) return;
  const here = (location.hash || desk.home()).split("/")[1].split("?")[0];
  const tab = (name, label, icon, count) => h("a", {
    href: `#/${name}`, "aria-current": here === name ? "page" : null,
    "aria-label": count ? `${label}（${count}）` : label,
  }, h("span", { class: "icon", "aria-hidden": "true" }, icon), h("span", {}, label), count ? h("span", { class: "count", "aria-hidden": "true" }, count) : null);
  nav.replaceChildren(...[
    desk.atDesk() ? tab("desk", t("desk.title"), "▤") : null,
    desk.windowOnly() ? null : tab("today", t("today"), "☰"),
    tab("notifications", t("notifications"), "✉", unread),
    manages() ? tab("station", t("station"), "⌂") : null,
    tab("queue", pendingCount ? t("waiting", pendingCount) : t("queue"), "⇅", pendingCount),
    tab("me", t("me"), "☺")].filter(Boolean));
}

function net() {
  const el = document.getElementById("net");
  el.textContent = navigator.onLine ? (pendingCount ? t("waiting", pendingCount) : "") : `${t("offline")}${pendingCount ? " · " + t("waiting", pendingCount) : ""}`;
  el.className = navigator.onLine ? "net" : "net off";
}

onQueueChange((items) => {
  const before = pendingCount;
  pendingCount = items.length;
  net();
  if (session.token && !document.getElementById("tabs").hidden) tabs(true);
  if (location.hash === "#/queue" && session.token) screens.queue();
  // a write refused (409/412): the matter's own screen shows the conflict and the server's state
  if (items.some((i) => i.conflict) && /^#\/(case|complaint)\//.test(location.hash) && !typing()) draw();
  if (before && !pendingCount) { takeOverIfWaiting(); if (/^#\/(today|appointment|visit|case|complaint)/.test(location.hash || "#/today") && !typing()) draw(); }
});

// a redraw would wipe what the worker is typing: the screen stays until they move on
const typing = () => document.activeElement?.closest?.("#main") && /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);

// declined or handed on (the server no longer shows it to this worker): back to the day
onGone((item) => {
  const id = item.current?.match(/appointments\/(\d+)\/$/)?.[1];
  if (id && location.hash === `#/appointment/${id}`) location.hash = "#/today";
});

// a case opened from an appointment: the worker still on its screen goes on to the case
onSent((item, answer) => {
  if (item.opens && answer?.id && location.hash === item.opens) location.hash = `#/case/${answer.id}`;
});

// --- sync: the queue first, then what changed on the server ----------------------------------
let syncing = null;
let again = null;
function sync() {
  if (!session.token) return Promise.resolve();
  // asked for while one runs (a refresh, back online): one more after it, so what the worker
  // sees afterwards is at least as new as the moment they asked
  const next = () => { again = null; return sync(); };
  if (syncing) return (again ??= syncing.then(next, next));
  syncing = (async () => {
    await replay();
    if (!session.token) return;
    const cursorKey = `cursor:${session.user.id}`;
    const since = await kvGet(cursorKey);
    try {
      let more = true;
      let changed = false;
      let notes = false; // a notification came, was read or went: the unread count again
      let cursor = since;
      while (more) {
        const response = await fetch(`${API}sync/${cursor ? "?since=" + encodeURIComponent(cursor) : ""}`, { headers: { Authorization: `Token ${session.token}`, Accept: "application/json" }, cache: "no-store" });
        if (response.status === 401) { signedOut(t("sessionEnded")); return; }
        if (response.status === 410) { // resync_required: from scratch — what was kept may be stale
          if (!cursor) return;
          await kvDelete(cursorKey);
          await kvDeletePrefix(`cache:${session.user.id}:`);
          cursor = null;
          changed = true;
          notes = true;
          continue; // a fresh cursor now (changes made after it are not lost), then the lists again
        }
        if (!response.ok) return;
        const body = await response.json();
        for (const change of body.changes) {
          changed = true;
          if (change.entity === "notification") notes = true;
          if (change.op === "delete") await forget(`${API}${change.entity}s/${change.id}/`); // tombstone
        }
        cursor = body.cursor;
        more = body.more;
      }
      if (cursor) await kvSet(cursorKey, cursor);
      // counted once per user and page, then only when the feed says the notifications changed
      // (one request less per sync from every phone)
      if (notes || counted !== session.user.id) await countUnread();
      document.body.dataset.syncedAt = new Date().toISOString();
      if (changed && since && /^#\/(today|notifications)?$/.test(location.hash.replace(/^$/, "#/today"))) draw();
      await sendPositions();
    } catch { /* offline: try again later */ }
  })().catch(() => { /* the phone's storage failed: the next sync tries again */ }).finally(() => { syncing = null; });
  return syncing;
}

let counted = null; // the user whose unread count is current (null: count at the next sync)
document.addEventListener("fieldapp:notes-read", () => { counted = null; });
async function countUnread() {
  const user = session.user?.id;
  try {
    const { data, stale } = await get(`${API}me/notifications/`);
    if (!session.token || session.user?.id !== user) return; // signed out or another user since
    unread = (data.results || []).filter((n) => !n.read_at).length;
    counted = stale ? null : user; // a count kept offline is counted again next time
    if (!document.getElementById("tabs").hidden) tabs(true);
  } catch { counted = null; /* kept count, asked for again at the next sync */ }
}

// --- positions while on duty and the app is open (a web app cannot report in the background) -
let watch = null;
function duty() {
  const on = localStorage.getItem("fieldapp.duty") === "1" && session.token && "geolocation" in navigator;
  if (on && watch == null) {
    watch = navigator.geolocation.watchPosition(async (p) => {
      const key = `positions:${session.user.id}`;
      const kept = (await kvGet(key)) || [];
      kept.push({ location: { type: "Point", coordinates: [p.coords.longitude, p.coords.latitude] }, accuracy_m: p.coords.accuracy, recorded_at: new Date(p.timestamp).toISOString(), client_uuid: uuid() });
      await kvSet(key, kept.slice(-500));
      // high accuracy: routing ignores positions less accurate than 200 m (PEOPLE settings), so a
      // coarse cell-tower fix would be sent for nothing
    }, () => {}, { enableHighAccuracy: true, maximumAge: 60000 });
  } else if (!on && watch != null) {
    navigator.geolocation.clearWatch(watch);
    watch = null;
  }
}

async function sendPositions() {
  const key = `positions:${session.user.id}`;
  const kept = (await kvGet(key)) || [];
  if (!kept.length) return;
  try {
    await post(`${API}me/positions/`, { positions: kept.slice(0, 200) });
    await kvSet(key, kept.slice(200));
  } catch { /* kept for later (client_uuid makes a resend harmless) */ }
}

// --- sign-in / sign-out ----------------------------------------------------------------------
async function signedOut(message) {
  const already = !session.token && document.querySelector("input[name=password]");
  await endSession();
  signInMessage = message;
  if (already) return; // one sign-in screen, not a fresh one under the worker's thumb
  screens.signIn({ message });
  tabs(false);
}
onUnauthorized(() => signedOut(t("sessionEnded")));
document.addEventListener("fieldapp:unauthorized", () => signedOut(t("sessionEnded")));
document.addEventListener("fieldapp:signed-in", async () => {
  signInMessage = null;
  counted = null;
  unread = 0;
  const from = location.hash;
  try {
    const me = (await get(`${API}me/`)).data;
    session.user = { ...session.user, roles: me.staff?.roles || [], name: me.staff?.full_name || "" };
    await saveSession(session.token, session.user);
  } catch { /* the tab bar without the station's tab */ }
  // the role's start screen, unless the worker went somewhere else while the roles were read
  if (location.hash === from && location.hash !== desk.home()) history.replaceState(null, "", desk.home());
  await refreshCount();
  await draw();
  sync();
  duty();
});
document.addEventListener("fieldapp:sign-out", async () => {
  try { await post(`${API}auth/logout/`); } catch { /* offline: the token stays valid until revoked */ }
  await signedOut(t("signedOutKeep"));
});
document.addEventListener("fieldapp:redraw", () => { draw(); if (navigator.onLine) sync(); });
document.addEventListener("fieldapp:duty", duty);
window.addEventListener("hashchange", draw);
window.addEventListener("online", () => { net(); sync(); });
window.addEventListener("offline", net);

// --- the service worker: installed for offline use; a new version waits for an empty queue ---
let registration = null;
let tookOver = false;
function takeOverIfWaiting() {
  // an update only (the first worker takes over by itself, with nothing to reload)
  if (registration?.waiting && navigator.serviceWorker.controller && pendingCount === 0) { tookOver = true; registration.waiting.postMessage("take-over"); }
}
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(config.sw, { scope: config.scope }).then((reg) => {
    registration = reg;
    takeOverIfWaiting();
    reg.addEventListener("updatefound", () => reg.installing?.addEventListener("statechange", takeOverIfWaiting));
  }).catch(() => {});
  navigator.serviceWorker.addEventListener("controllerchange", () => { if (tookOver) location.reload(); });
}

// --- pull to refresh on the day's list: a downward pull from the top of the page ---------------
let pullFrom = null;
window.addEventListener("touchstart", (e) => { pullFrom = window.scrollY === 0 ? e.touches[0].clientY : null; }, { passive: true });
window.addEventListener("touchend", (e) => {
  if (pullFrom != null && e.changedTouches[0].clientY - pullFrom > 90 && /^#\/(today|notifications)?$/.test(location.hash || "#/today")) {
    document.dispatchEvent(new CustomEvent("fieldapp:redraw"));
  }
  pullFrom = null;
}, { passive: true });

// --- boot ------------------------------------------------------------------------------------
setLanguage(language());
await loadSession();
await refreshCount();
net();
await draw();
document.body.dataset.ready = "1";
if (session.token) { sync(); duty(); }
setInterval(sync, config.syncSeconds * 1000);
