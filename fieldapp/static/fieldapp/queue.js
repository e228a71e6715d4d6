// Every write of work is queued here first (IndexedDB, under the user's id) with its
// Idempotency-Key (and the client_uuid the caller put in its body), then sent in order.
// A refusal (409/412/422/…) stops the line and waits for the worker: retry with the current
// version (a new key: the old one would replay the refusal) or discard. Never dropped silently;
// the same key makes a replay after a lost answer harmless, so nothing is applied twice.
import { queueAdd, queueDelete, queueOf, queuePut } from "./store.js";
import { editKept, forget, get, headers, session, uuid } from "./api.js";

const listeners = new Set();
export const onQueueChange = (fn) => listeners.add(fn);
let running = null;
const RETRY_MS = 4000;

export async function pending() {
  return session.user ? queueOf(session.user.id) : [];
}

async function changed() {
  const items = await pending();
  document.body.dataset.pending = String(items.length);
  for (const fn of listeners) fn(items);
  return items;
}

// item: {method, url, json | form: {fields, file: {field, blob, name}}, label, ifMatch?, current?}
export async function enqueue(item) {
  const full = { ...item, user: session.user.id, key: uuid(), created: new Date().toISOString() };
  await queueAdd(full);
  await changed();
  replay();
  return full;
}

function requestOf(item) {
  const extra = { "Idempotency-Key": item.key };
  if (item.ifMatch) extra["If-Match"] = item.ifMatch;
  if (item.form) {
    const form = new FormData();
    for (const [k, v] of Object.entries(item.form.fields || {})) form.append(k, v);
    if (item.form.file) form.append(item.form.file.field, item.form.file.blob, item.form.file.name);
    return { method: item.method, headers: headers(extra), body: form };
  }
  return {
    method: item.method,
    headers: headers({ ...extra, "Content-Type": "application/json" }),
    body: JSON.stringify(item.json || {}),
  };
}

async function sendOne(item) {
  let response;
  try {
    response = await fetch(item.url, requestOf(item));
  } catch {
    return "offline";
  }
  if (response.ok) {
    await queueDelete(item.seq);
    let answer = null;
    try { answer = await response.json(); } catch { /* no body */ }
    await goneIfHidden(item, answer);
    for (const fn of sentListeners) fn(item, answer);
    return "sent";
  }
  let error = null;
  try { error = await response.json(); } catch { /* not JSON */ }
  if (response.status === 401) return "unauthorized";
  if (response.status >= 500 || error?.error?.code === "request_in_progress" || response.status === 429) return "later";
  let current = null;
  if (item.current) {
    try { current = (await get(item.current)).data; } catch { /* shown without it */ }
  }
  item.conflict = { status: response.status, error: error?.error || null, current };
  await queuePut(item);
  return "refused";
}

// Declined or handed on: the server answers 200 {id, action, visible: false} — done, and no
// longer the worker's to read. Its kept answers go, and Today (also offline) drops its task.
async function goneIfHidden(item, answer) {
  if (answer?.visible !== false || !item.current) return;
  await forget(item.current);
  const id = Number(answer.id);
  const gone = (key) => key === `appointment_to_confirm:${id}` || key === `appointment:${id}`;
  await editKept("/api/v1/me/tasks/", (data) => ({
    ...data,
    tasks: (data.tasks || []).filter((task) => !gone(task.key)),
    suggested_order: { ...data.suggested_order, stops: (data.suggested_order?.stops || []).filter((stop) => !gone(stop.task)) },
  }));
  for (const fn of goneListeners) fn(item);
}
const goneListeners = new Set();
export const onGone = (fn) => goneListeners.add(fn);
// told of each write the server took, with its answer (e.g. the case a request opened)
const sentListeners = new Set();
export const onSent = (fn) => sentListeners.add(fn);

// send the user's queue in order; stops at the first that cannot go (offline, refused)
export function replay() {
  if (running || !session.token || !session.user) return running;
  running = (async () => {
    let outcome = "empty";
    try {
      for (const item of await pending()) {
        if (item.conflict) { outcome = "blocked"; break; }
        outcome = await sendOne(item);
        await changed();
        if (outcome !== "sent") break;
      }
    } finally {
      running = null;
    }
    if (outcome === "unauthorized") document.dispatchEvent(new CustomEvent("fieldapp:unauthorized"));
    // a flaky line (an answer lost, the server busy): try again soon, not at the next sync
    if ((outcome === "offline" || outcome === "later") && navigator.onLine) setTimeout(replay, RETRY_MS);
    return outcome;
  })();
  return running;
}

export async function retry(item) {
  item.key = uuid(); // the old key would answer with the old refusal
  if (item.ifMatch && item.conflict?.current?.version != null) item.ifMatch = `"${item.conflict.current.version}"`;
  if (item.json?.expected_version != null && item.conflict?.current?.version != null) item.json.expected_version = item.conflict.current.version;
  delete item.conflict;
  await queuePut(item);
  await changed();
  return replay();
}

export async function discard(item) {
  await queueDelete(item.seq);
  await changed();
}

export const refreshCount = changed;
