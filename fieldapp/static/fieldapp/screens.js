// The screens other than a case's: sign-in, today, an appointment, a visit, notifications,
// the queue, and "me". Each draws from the API's answers; what may be done comes from the
// answer's `actions` (the server's action tables), never from a copy of the rules here.
import { h, mountAt, here, field, toast } from "./dom.js";
import { t, language, setLanguage } from "./i18n.js";
import { get, post, saveSession, session, uuid, HttpError } from "./api.js";
import { enqueue, pending, retry, discard } from "./queue.js";
import { shrink } from "./photos.js";
import { drawMap, tasksUrl } from "./mapview.js";

const API = "/api/v1/";
export const go = (hash) => { location.hash = hash; };

function header(title, back) {
  document.getElementById("title").textContent = title;
  return back ? h("a", { class: "back", href: back }, "‹ ", t("back")) : null;
}

function staleNote(answer) {
  return answer.stale ? h("p", { class: "stale", role: "note" }, `${t("offline")} · ${t("lastSync")} ${fmt(answer.at)}`) : null;
}

export function fmt(iso) {
  if (!iso) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso.slice(5).replace("-", "/"); // a date (a deadline)
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(language() === "en" ? "en-GB" : "zh-CN", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

function errorText(e) {
  return e instanceof HttpError && e.body?.error ? e.body.error.message : t("failed");
}

// --- sign-in --------------------------------------------------------------------------
export function signIn({ message } = {}) {
  const at = here();
  header(t("app"));
  const username = h("input", { name: "username", autocomplete: "username", required: true, value: session.user?.username || "" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const device = h("input", { name: "device", value: localStorage.getItem("fieldapp.device") || defaultDevice() });
  const status = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "card", onsubmit: async (e) => {
    e.preventDefault();
    status.textContent = "";
    try {
      localStorage.setItem("fieldapp.device", device.value);
      const answer = await post(API + "auth/login/", { username: username.value.trim(), password: password.value, device: device.value });
      await saveSession(answer.token, answer.user);
      document.dispatchEvent(new CustomEvent("fieldapp:signed-in"));
    } catch (err) {
      status.textContent = `${t("signInFailed")}: ${errorText(err)}`;
    }
  } },
  field(t("username"), username), field(t("password"), password), field(t("device"), device),
  h("button", { type: "submit", class: "primary" }, t("signIn")), status);
  mountAt(at, message ? h("p", { class: "note", role: "status" }, message) : null, form, languageSwitch());
}

function defaultDevice() {
  const ua = navigator.userAgent;
  const m = ua.match(/Android [\d.]+; ([^;)]+)/);
  return (m ? m[1] : "手机") + " · 便民代办";
}

export function languageSwitch() {
  const select = h("select", { onchange: (e) => { setLanguage(e.target.value); document.dispatchEvent(new CustomEvent("fieldapp:redraw")); } },
    h("option", { value: "zh", selected: language() === "zh" }, "中文"),
    h("option", { value: "en", selected: language() === "en" }, "English"));
  return field(t("language"), select);
}

// --- today ------------------------------------------------------------------------------
export async function today() {
  const at = here();
  header(t("today"));
  const answer = await get(API + "me/tasks/");
  const { tasks, suggested_order: order } = answer.data;
  const queued = await pending();
  const waitingOn = new Set(queued.map((q) => q.task));
  const position = new Map((order.stops || []).map((s, i) => [s.task, i + 1]));
  const list = h("ol", { class: "tasks", "aria-label": t("today") },
    tasks.map((task) => h("li", { class: `task light-${task.light || "none"}`, dataset: { key: task.key, urgency: task.urgency } },
      h("a", { href: hrefOf(task) },
        h("span", { class: "dot", role: "img", "aria-label": task.light ? t(`light.${task.light}`) : t("kind." + task.kind) }),
        h("span", { class: "what" },
          h("strong", {}, task.title),
          h("small", {}, [t("kind." + task.kind), t("statusName." + task.status), task.when ? fmt(task.when) : null].filter(Boolean).join(" · ")),
          h("small", {}, task.address)),
        h("span", { class: "side" },
          task.distance_m != null ? h("span", { class: "dist" }, t("distance", task.distance_m)) : null,
          position.has(task.key) ? h("span", { class: "order", "aria-label": `${t("order")} ${position.get(task.key)}` }, `#${position.get(task.key)}`) : null,
          waitingOn.has(task.key) ? h("span", { class: "badge" }, t("queue")) : null)))));
  const onMap = localStorage.getItem("fieldapp.todayView") === "map";
  const mapBox = onMap ? h("div", { class: "today-map", id: "today-map", role: "region", "aria-label": t("map") }) : null;
  mountAt(at, 
    staleNote(answer),
    h("div", { class: "row" },
      h("button", { type: "button", class: "secondary", id: "refresh", onclick: () => document.dispatchEvent(new CustomEvent("fieldapp:redraw")) }, "⟳ ", t("refresh")),
      h("button", { type: "button", class: "secondary", id: "today-view", "aria-pressed": onMap ? "true" : "false", onclick: () => {
        localStorage.setItem("fieldapp.todayView", onMap ? "list" : "map");
        today();
      } }, onMap ? `☰ ${t("list")}` : `⌖ ${t("map")}`),
      h("a", { class: "button secondary", href: "#/walk-in" }, "＋ ", t("walkIn"))),
    mapBox || (tasks.length ? list : h("p", { class: "empty" }, t("noTasks"))),
    order.stops?.length ? h("p", { class: "hint" }, `${t("order")}: ${t("distance", order.total_m)}`) : null,
  );
  if (mapBox && mapBox.isConnected) {
    const config = JSON.parse(document.getElementById("app-config").textContent).map;
    const url = tasksUrl(API, config);
    const points = url === API + "me/tasks/" ? answer : await get(url).catch(() => answer);
    await drawMap(mapBox, config, points.data, hrefOf);
    const unplaced = Number(mapBox.dataset.unplaced || 0);
    if (unplaced) mapBox.after(h("p", { class: "hint", id: "unplaced" }, t("unplaced", unplaced)));
  }
  // keep each task's detail for a day without signal (the answers stay under this user's id)
  if (!answer.stale) for (const task of tasks.slice(0, 40)) get(detailUrl(task)).catch(() => {});
}

function detailUrl(task) {
  const kind = task.kind === "case" ? "cases" : task.kind === "visit" ? "visits" : "appointments";
  return `${API}${kind}/${task.id}/`;
}

function hrefOf(task) {
  if (task.kind === "case") return `#/case/${task.id}`;
  if (task.kind === "visit") return `#/visit/${task.id}`;
  return `#/appointment/${task.id}`;
}

// --- an appointment ---------------------------------------------------------------------
export async function appointment(id) {
  const at = here();
  const back = header(t("kind.appointment"), "#/today");
  const url = `${API}appointments/${id}/`;
  const answer = await get(url);
  const a = answer.data;
  const key = a.status === "awaiting_confirmation" ? `appointment_to_confirm:${a.id}` : `appointment:${a.id}`;
  const queued = (await pending()).filter((q) => q.current === url);
  const routing = a.routing || {};
  const offers = queued.length ? [] : (a.actions || []);
  const forms = h("div", { class: "actions" });
  if (a.status === "confirmed" && !queued.length) {
    // a home visit (上门服务) for it: planned now, checked in at the door
    forms.append(h("button", { type: "button", class: "secondary", id: "plan-visit", onclick: async () => {
      await enqueue({ method: "POST", url: API + "visits/", json: { appointment: a.id, scheduled_for: new Date().toISOString(), client_uuid: uuid() }, label: `${t("planVisit")} ${a.tracking_code}`, task: key, current: url });
      toast(t("queued"));
      appointment(id);
    } }, t("planVisit")));
  }
  for (const offer of offers) {
    if (offer.action === "open_case") {
      forms.append(h("button", { type: "button", class: "primary", onclick: async () => {
        await enqueue({ method: "POST", url: API + "cases/", json: { appointment: a.id, client_uuid: uuid() }, label: `${t("openCase")} ${a.tracking_code}`, task: key, current: url, opens: `#/appointment/${a.id}` });
        toast(t("queued"));
        appointment(id);
      } }, t("action.open_case")));
      continue;
    }
    const form = actionForm(offer, async (payload) => {
      await enqueue({ method: "POST", url: `${API}appointments/${a.id}/actions/${offer.action}/`, json: payload, label: `${t("action." + offer.action)} ${a.tracking_code}`, task: key, current: url });
      toast(t("queued"));
      // declined or handed on: no longer this worker's once sent — back to the day
      if (offer.action === "decline" || offer.action === "hand_over") go("#/today");
      else appointment(id);
    });
    if (form) forms.append(form);
  }
  mountAt(at, back, staleNote(answer),
    h("section", { class: "card" },
      h("h2", {}, a.service_item_name),
      h("p", {}, h("span", { class: "label" }, t("status")), t("statusName." + a.status)),
      h("p", {}, h("span", { class: "label" }, t("applicant")), a.applicant_name, " ",
        h("a", { class: "button tel", href: `tel:${a.applicant_phone}`, "aria-label": `${t("call")} ${a.applicant_name}` }, "☎ ", t("call"))),
      h("p", {}, h("span", { class: "label" }, t("address")), a.address),
      a.preferred_start ? h("p", {}, fmt(a.preferred_start), " – ", fmt(a.preferred_end)) : null,
      a.description ? h("p", {}, a.description) : null),
    h("section", { class: "card routing" }, h("h2", {}, t("routing")),
      h("p", {}, [t("rule." + routing.rule), routing.grid ? `${t("grid")} ${routing.grid}` : null, routing.distance_m != null ? t("distance", routing.distance_m) : null].filter(Boolean).join(" · ")),
      routing.reason ? h("p", { class: "hint" }, t("why." + routing.reason)) : null,
      routing.outside_coverage ? h("p", { class: "flag" }, t("outside")) : null,
      (routing.candidates || []).length ? h("ol", { class: "candidates", "aria-label": t("candidates") }, routing.candidates.map((c) => h("li", {},
        `${c.name}（${t("kindOf." + c.kind)}）`, c.distance_m != null ? ` ${t("distance", c.distance_m)}` : "", ` · ${t("outcome." + c.outcome)}`))) : null),
    queued.length ? h("p", { class: "badge block" }, queued.map((q) => q.label).join("；"), " — ", t("queued")) : null,
    h("section", { class: "card" }, h("h2", {}, t("actions")), forms.childNodes.length ? forms : h("p", {}, t("noActions"))),
  );
}

// one form per offered action, its fields from `needs` and `choices`
export function actionForm(offer, submit, extra = [], words = "action") {
  const inputs = {};
  const parts = [];
  for (const need of offer.needs) {
    if (need === "to" && !offer.choices?.to?.length) return null; // nobody to hand it to
    if (Array.isArray(offer.choices?.[need]) && need !== "checklist") {
      // a pick from the server's choices (`to`: a colleague; a complaint's `outcome`)
      inputs[need] = h("select", { required: true, name: need }, offer.choices[need].map((c) => h("option", { value: c.id }, c.name)));
      parts.push(field(t(need), inputs[need]));
    } else if (need !== "checklist") {
      inputs[need] = h("textarea", { required: true, rows: 2, name: need });
      parts.push(field(t(need === "reason" ? "reason" : need), inputs[need]));
    }
  }
  const name = t(`${words}.${offer.action}`);
  const button = h("button", { type: "submit", class: offer.needs.length || extra.length ? "secondary" : "primary" }, name);
  const form = h("form", { class: "action", dataset: { action: offer.action }, onsubmit: async (e) => {
    e.preventDefault();
    const payload = {};
    for (const [k, el] of Object.entries(inputs)) payload[k] = k === "to" ? Number(el.value) : el.value;
    for (const el of form.querySelectorAll("[data-extra]")) payload[el.dataset.extra] = el.value; // optional fields
    button.disabled = true;
    try { await submit(payload, form); } finally { button.disabled = false; }
  } }, ...extra, ...parts, button);
  if (!offer.needs.length && !extra.length) return form;
  return h("details", { class: "action" }, h("summary", {}, name), form);
}

// --- a visit ----------------------------------------------------------------------------
export async function visit(id) {
  const at = here();
  const back = header(t("visit"), "#/today");
  const url = `${API}visits/${id}/`;
  const answer = await get(url);
  const v = answer.data;
  const key = `visit:${v.id}`;
  const queued = (await pending()).filter((q) => q.task === key);
  const checkedIn = v.status !== "scheduled" || queued.some((q) => q.url.endsWith("/check-in/"));
  const checkedOut = queued.some((q) => q.url.endsWith("/check-out/"));
  const status = h("p", { role: "status", class: "hint" });
  const photo = h("input", { type: "file", accept: "image/*", capture: "environment", id: "photo", class: "visually-hidden", onchange: async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const small = await shrink(file);
    await enqueue({ method: "POST", url: `${API}visits/${v.id}/attachments/`, form: { fields: { kind: "document_photo", client_uuid: uuid() }, file: { field: "file", blob: small.blob, name: small.name } }, label: t("photo"), task: key, current: url });
    toast(t("photoSaved"));
    visit(id);
  } });
  const where = async (then) => {
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition(async (p) => {
      status.textContent = `${t("accuracy", p.coords.accuracy)}`;
      await then({ position: { type: "Point", coordinates: [p.coords.longitude, p.coords.latitude] }, accuracy_m: p.coords.accuracy });
    }, () => { status.textContent = t("noPosition"); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  };
  mountAt(at, back, staleNote(answer),
    h("section", { class: "card" },
      h("h2", {}, t("visit"), " #", v.id),
      h("p", {}, h("span", { class: "label" }, t("status")), t("statusName." + v.status)),
      v.check_in_distance_m != null ? h("p", {}, t("distance", v.check_in_distance_m), v.check_in_flagged ? h("strong", { class: "flag" }, " ⚠ ", t("beyond")) : null) : null,
      v.appointment ? h("p", {}, h("a", { href: `#/appointment/${v.appointment}` }, t("kind.appointment"))) : null,
      v.case ? h("p", {}, h("a", { href: `#/case/${v.case}` }, t("caseTitle"))) : null),
    queued.length ? h("ul", { class: "badge block" }, queued.map((q) => h("li", {}, q.label, " — ", t("queued")))) : null,
    h("section", { class: "card actions" },
      !checkedIn ? h("button", { type: "button", class: "primary", id: "check-in", onclick: () => where(async (body) => {
        await enqueue({ method: "POST", url: `${API}visits/${v.id}/check-in/`, json: body, label: t("checkIn"), task: key, current: url });
        toast(t("queued"));
        visit(id);
      }) }, t("checkIn")) : null,
      h("label", { for: "photo", class: "button secondary", role: "button", tabindex: "0", onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); photo.click(); } } }, t("photo")), photo,
      checkedIn && v.status !== "done" && !checkedOut ? checkOutForm() : null,
      status),
    v.status === "done" && v.record ? h("section", { class: "card record" }, h("h2", {}, t("visitRecord")),
      (v.record.papers_collected || []).length ? h("p", {}, h("span", { class: "label" }, t("papersCollected")), v.record.papers_collected.join("、")) : null,
      v.record.notes ? h("p", {}, h("span", { class: "label" }, t("notes")), v.record.notes) : null) : null);

  // leaving: the visit record (papers taken, notes) with where the phone was
  function checkOutForm() {
    const papers = h("textarea", { rows: 2, name: "papers_collected", placeholder: t("onePerLine") });
    const notes = h("textarea", { rows: 2, name: "notes" });
    return h("form", { class: "check-out", onsubmit: (e) => {
      e.preventDefault();
      const record = { papers_collected: papers.value.split("\n").map((x) => x.trim()).filter(Boolean), notes: notes.value.trim() };
      where(async (body) => {
        await enqueue({ method: "POST", url: `${API}visits/${v.id}/check-out/`, json: { ...body, record }, label: t("checkOut"), task: key, current: url });
        toast(t("queued"));
        visit(id);
      });
    } }, field(t("papersCollected"), papers), field(t("notes"), notes),
    h("button", { type: "submit", class: "secondary", id: "check-out" }, t("checkOut")));
  }
}

// --- notifications ------------------------------------------------------------------------
export async function notifications() {
  const at = here();
  header(t("notifications"));
  const answer = await get(API + "me/notifications/");
  const rows = answer.data.results || [];
  mountAt(at, staleNote(answer),
    h("div", { class: "row" }, h("button", { type: "button", class: "secondary", onclick: async () => {
      try { await post(API + "me/notifications/read-all/"); } catch (e) { toast(errorText(e)); }
      document.dispatchEvent(new CustomEvent("fieldapp:notes-read")); // the count at once
      document.dispatchEvent(new CustomEvent("fieldapp:redraw"));
    } }, t("markAllRead"))),
    rows.length ? h("ul", { class: "notes" }, rows.map((n) => h("li", { class: n.read_at ? "read" : "unread" },
      h("strong", {}, n.read_at ? "" : "● ", n.title), h("p", {}, n.body), h("small", {}, fmt(n.created_at)),
      n.read_at ? null : h("button", { type: "button", class: "link", "aria-label": `${t("markRead")}: ${n.title}`, onclick: async () => {
        try { await post(`${API}me/notifications/${n.id}/read/`); } catch (e) { toast(errorText(e)); }
        document.dispatchEvent(new CustomEvent("fieldapp:notes-read"));
        document.dispatchEvent(new CustomEvent("fieldapp:redraw"));
      } }, t("markRead"))))) : h("p", { class: "empty" }, t("noNotifications")));
}

// --- the queue ----------------------------------------------------------------------------
export async function queue() {
  const at = here();
  header(t("queue"));
  const items = await pending();
  mountAt(at, items.length ? h("ol", { class: "queue" }, items.map((item) => h("li", { class: item.conflict ? "conflict card" : "card", dataset: { seq: item.seq } },
    h("strong", {}, item.label), h("small", {}, fmt(item.created)),
    item.conflict ? conflictBlock(item, queue) : null))) : h("p", { class: "empty" }, t("queueEmpty")));
}

// a write the server refused (409/412/…): why, the matter as it is now on the server (its state,
// version, the last change and who made it), and the choice: retry with that version or drop it.
// Used by the queue screen and, at the desk, on the matter's own screen.
export function conflictBlock(item, then) {
  const now = item.conflict.current;
  const last = now?.events?.length ? now.events[now.events.length - 1] : null;
  return h("div", { role: "alert", class: "conflict-block" },
    h("p", { class: "error" }, `${t("conflict")} (${item.conflict.status}): ${item.conflict.error?.message || ""}`),
    now ? h("div", { class: "current" }, h("h3", {}, t("serverNow")),
      h("p", {}, t("statusName." + now.status), now.version != null ? [" · ", t("version"), " ", now.version] : null),
      last ? h("p", { class: "hint" }, fmt(last.at), " ", last.actor || "", " ", t("caseAction." + last.action)) : null,
      now.description != null ? h("p", {}, now.description) : null) : null,
    h("div", { class: "row" },
      h("button", { type: "button", class: "primary", onclick: async () => { await retry(item); then(); } }, t("retry")),
      h("button", { type: "button", class: "danger", onclick: async () => { await discard(item); then(); } }, t("discard"))));
}

// --- me -----------------------------------------------------------------------------------
export async function me() {
  const at = here();
  header(t("me"));
  const duty = h("input", { type: "checkbox", id: "duty", checked: localStorage.getItem("fieldapp.duty") === "1", onchange: (e) => {
    localStorage.setItem("fieldapp.duty", e.target.checked ? "1" : "0");
    document.dispatchEvent(new CustomEvent("fieldapp:duty"));
  } });
  mountAt(at, h("section", { class: "card" },
    h("p", {}, session.user?.username),
    h("p", {}, `${t("lastSync")}: `, document.body.dataset.syncedAt ? fmt(document.body.dataset.syncedAt) : t("never")),
    h("div", { class: "check" }, duty, h("label", { for: "duty" }, t("onDuty"))),
    h("p", { class: "hint" }, t("dutyNote"))),
    h("section", { class: "card" }, languageSwitch()),
    h("button", { type: "button", class: "danger", id: "sign-out", onclick: () => document.dispatchEvent(new CustomEvent("fieldapp:sign-out")) }, t("signOut")));
}

// --- a walk-in case ----------------------------------------------------------------------
export async function walkIn() {
  const at = here();
  const back = header(t("walkIn"), "#/today");
  const inputs = {
    service_item: h("input", { required: true, name: "service_item" }),
    applicant_name: h("input", { required: true, name: "applicant_name", autocomplete: "off" }),
    applicant_phone: h("input", { required: true, name: "applicant_phone", type: "tel", inputmode: "tel" }),
    address: h("input", { required: true, name: "address" }),
  };
  let items = [];
  try {
    const data = (await get(API + "service-items/")).data; // the catalogue: a plain list
    items = Array.isArray(data) ? data : data.results || [];
  } catch { /* typed by hand */ }
  if (items.length) {
    inputs.service_item = h("select", { required: true, name: "service_item" }, items.map((i) => h("option", { value: i.code }, `${i.name}（${i.code}）`)));
  }
  mountAt(at, back, h("form", { class: "card", onsubmit: async (e) => {
    e.preventDefault();
    const json = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value.trim()]));
    await enqueue({ method: "POST", url: API + "cases/", json: { ...json, client_uuid: uuid() }, label: `${t("walkIn")} ${json.applicant_name}` });
    toast(t("queued"));
    go("#/today");
  } },
  field(t("serviceItem"), inputs.service_item), field(t("applicantName"), inputs.applicant_name),
  field(t("phone"), inputs.applicant_phone), field(t("address"), inputs.address),
  h("button", { type: "submit", class: "primary" }, t("send"))));
}

// --- a station's work (managers): each agent's load, the unrouted queue, the overdue list ------
export async function station() {
  const at = here();
  header(t("station"));
  const me = (await get(API + "me/")).data;
  const code = me.staff?.centre?.code;
  if (!code) return mountAt(at, h("p", { class: "empty" }, t("noStation")));
  const answer = await get(`${API}stations/${code}/work/`);
  const work = answer.data;
  let queue = [];
  try { queue = (await get(API + "appointments/unrouted/")).data.results || []; } catch { /* kept below */ }
  mountAt(at, staleNote(answer),
    h("section", { class: "card" }, h("h2", {}, work.station?.name || me.staff.centre.name),
      h("table", { class: "load" },
        h("caption", { class: "visually-hidden" }, t("agents")),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("agent")), h("th", { scope: "col" }, t("toConfirm")), h("th", { scope: "col" }, t("kind.case")), h("th", { scope: "col" }, t("light.red")))),
        h("tbody", {}, work.agents.map((a) => h("tr", {}, h("th", { scope: "row" }, a.name), h("td", {}, a.awaiting), h("td", {}, a.cases), h("td", { class: a.red ? "flag" : "" }, a.red))))),
    ),
    h("section", { class: "card" }, h("h2", {}, t("unrouted"), ` (${work.unrouted})`),
      queue.length ? h("ul", { class: "links" }, queue.map((q) => h("li", {}, h("a", { href: `#/appointment/${q.id}` }, `${q.service_item_name} · ${q.address}`)))) : h("p", { class: "hint" }, t("none"))),
    h("section", { class: "card" }, h("h2", {}, t("overdue")),
      work.overdue.length ? h("ul", { class: "links" }, work.overdue.map((c) => h("li", {}, h("a", { href: `#/case/${c.id}` }, `${c.item} · ${c.agent} · ${fmt(c.due_date)}`)))) : h("p", { class: "hint" }, t("none"))));
}
