// The mobile API as the app uses it: the token from IndexedDB, answers last read kept per user
// (so the last known day opens offline), 401 → the sign-in screen (queued work is kept).
import { kvGet, kvSet, kvDelete } from "./store.js";
import { acceptLanguage } from "./i18n.js";

export const session = { token: null, user: null };
const listeners = { unauthorized: () => {} };
export const onUnauthorized = (fn) => { listeners.unauthorized = fn; };

export async function loadSession() {
  const saved = await kvGet("session");
  Object.assign(session, saved || { token: null, user: null });
  return session;
}

export async function saveSession(token, user) {
  Object.assign(session, { token, user });
  await kvSet("session", { token, user });
}

export async function endSession() {
  Object.assign(session, { token: null });
  const saved = await kvGet("session");
  // the user is remembered (their queue stays theirs); only the token goes
  if (saved) await kvSet("session", { token: null, user: saved.user });
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export function headers(extra = {}) {
  const h = { "Accept-Language": acceptLanguage(), Accept: "application/json", ...extra };
  if (session.token) h.Authorization = `Token ${session.token}`;
  return h;
}

export class HttpError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function body(response) {
  try { return await response.json(); } catch { return null; }
}

const cacheKey = (url) => `cache:${session.user?.id}:${url}`;

// GET: the network when it answers, else the answer last kept for this user (`stale` true)
export async function get(url) {
  let response;
  try {
    response = await fetch(url, { headers: headers(), cache: "no-store" });
  } catch {
    const kept = await kvGet(cacheKey(url));
    if (kept) return { data: kept.data, stale: true, at: kept.at };
    throw new HttpError(0, null);
  }
  if (response.status === 401) { listeners.unauthorized(); throw new HttpError(401, await body(response)); }
  const data = await body(response);
  if (!response.ok) throw new HttpError(response.status, data);
  await kvSet(cacheKey(url), { data, at: new Date().toISOString() });
  return { data, stale: false, etag: response.headers.get("ETag") };
}

export const forget = (url) => kvDelete(cacheKey(url));

// changes an answer kept for offline use (e.g. a task the server no longer shows this user)
export async function editKept(url, fn) {
  const kept = await kvGet(cacheKey(url));
  if (kept) await kvSet(cacheKey(url), { ...kept, data: fn(kept.data) });
}

// a write made at once (sign-in, mark read); writes of work go through the queue
export async function post(url, json) {
  const response = await fetch(url, {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify(json || {}),
  });
  const data = await body(response);
  if (response.status === 401 && session.token) listeners.unauthorized();
  if (!response.ok) throw new HttpError(response.status, data);
  return data;
}

export async function openPdf(url) {
  const response = await fetch(url, { headers: headers({ Accept: "application/pdf" }) });
  if (!response.ok) throw new HttpError(response.status, await body(response));
  const blob = await response.blob();
  window.open(URL.createObjectURL(blob), "_blank");
}
