// The desk (#/desk): street/town centre staff and approval-window staff work their queues at a
// desktop browser. The server cuts the queues (/api/v1/desk/), from what each may see; a matter
// opens in the field app's own case screen (cases.js), which offers the actions the server
// lists. A complaint opens here (#/complaint/N): its history, the actions offered, its outcome.
// Keyboard: ↑/↓ move between matters, Enter opens, N opens the next, / searches; on a matter
// N opens the next one and Esc goes back to the queue.
import { h, mountAt, here, field, toast } from "./dom.js";
import { t } from "./i18n.js";
import { get, session } from "./api.js";
import { enqueue, pending } from "./queue.js";
import { actionForm, conflictBlock, fmt } from "./screens.js";

const API = "/api/v1/";
const DESK_ROLES = ["centre_staff", "centre_lead", "district_staff", "admin", "window_staff"];
const LIST = "fieldapp.desk.list"; // the queue last drawn: where "back" and "next" lead

export const atDesk = () => (session.user?.roles || []).some((r) => DESK_ROLES.includes(r));
// approval-window staff only decide at their window: no day of visits, no case edits
export const windowOnly = () => { const roles = session.user?.roles || []; return roles.length > 0 && roles.every((r) => r === "window_staff"); };
export const home = () => (atDesk() && !(session.user?.roles || []).includes("agent") ? "#/desk" : "#/today");

function remembered() {
  try { return JSON.parse(sessionStorage.getItem(LIST)) || null; } catch { return null; }
}

// where a matter opened from a queue goes back to, and the next one in that queue
export function deskNav(kind, id) {
  const list = remembered();
  if (!list || list.kind !== kind) return null;
  const at = list.ids.indexOf(Number(id));
  if (at < 0) return null;
  const nextId = list.ids[at + 1];
  return { back: list.back, next: nextId != null ? `#/${kind === "complaints" ? "complaint" : "case"}/${nextId}` : null };
}

function params(query) {
  return new URLSearchParams(query || "");
}

const light = (value) => h("span", { class: `light light-${value || "none"}` },
  h("span", { class: "dot", "aria-hidden": "true" }), value ? t(`light.${value}`) : t("none"));

function figures(f) {
  if (!f) return null;
  const pct = f.on_time_pct == null ? "—" : `${f.on_time_pct}%`;
  return h("section", { class: "figures", "aria-label": `${t("desk.figures")} · ${f.unit.name}` },
    h("div", { class: "figure" }, h("span", { class: "label" }, t("desk.onTime")), h("strong", { id: "figure-on-time" }, pct),
      h("small", {}, t("desk.onTimeOf", f.cases_on_time, f.cases_completed))),
    h("div", { class: `figure${f.overdue_now ? " bad" : ""}` }, h("span", { class: "label" }, t("desk.overdueNow")), h("strong", { id: "figure-overdue" }, f.overdue_now)),
    h("p", { class: "hint" }, `${f.unit.name} · ${fmt(f.from)}–${fmt(f.to)} · ${t("desk.figuresSource")}`));
}

// --- a queue ------------------------------------------------------------------------------------
export async function queueScreen(key, query) {
  const at = here();
  document.getElementById("title").textContent = t("desk.title");
  const summary = (await get(API + "desk/")).data;
  const queues = summary.queues;
  const queue = queues.find((q) => q.key === key) || queues[0];
  if (!queue) return mountAt(at, h("p", { class: "empty" }, t("desk.none")));
  const p = params(query);
  const isComplaints = queue.kind === "complaints";
  const answer = (await get(`${API}desk/queues/${queue.key}/?${p}`)).data;
  const rows = answer.results;
  const hashOf = (changes) => {
    const next = params(query);
    for (const [k, v] of Object.entries(changes)) { if (v) next.set(k, v); else next.delete(k); }
    const qs = next.toString();
    return `#/desk/${queue.key}${qs ? "?" + qs : ""}`;
  };
  const here_ = hashOf({});
  sessionStorage.setItem(LIST, JSON.stringify({ kind: queue.kind, back: here_, ids: rows.map((r) => r.id) }));

  const tabs = h("nav", { class: "desk-queues", "aria-label": t("desk.queues") },
    queues.map((q) => h("a", {
      href: `#/desk/${q.key}`, id: `queue-${q.key}`, dataset: { count: q.count },
      "aria-current": q.key === queue.key ? "page" : null, "aria-label": `${t("desk.queue." + q.key)}（${q.count}）`,
    }, h("span", {}, t("desk.queue." + q.key)), h("span", { class: "count", "aria-hidden": "true" }, q.count))));

  // filters: a form whose fields become the address (so the browser's back button keeps them)
  const search = h("input", { type: "search", name: "q", id: "desk-search", value: p.get("q") || "", placeholder: t("desk.searchHint"), "aria-keyshortcuts": "/" });
  const selects = isComplaints
    ? [["state", ["open", "closed", "all"].map((v) => [v, t("desk.state." + v)])],
      ["sort", [["created", t("desk.sort.created")], ["-created", t("desk.sort.-created")]]]]
    : [["light", [["", t("desk.all")], ...["red", "yellow", "green"].map((v) => [v, t("light." + v)])]],
      summary.desks.includes("centre") ? ["window", [["", t("desk.all")], ...summary.windows.map((w) => [w.code, w.name])]] : null,
      ["sort", ["due", "-due", "opened", "-opened", "code"].map((v) => [v, t("desk.sort." + v)])]].filter(Boolean);
  const inputs = selects.map(([name, options]) => h("select", { name, id: `desk-${name}`, onchange: () => form.requestSubmit() },
    options.map(([v, label]) => h("option", { value: v, selected: (p.get(name) || "") === v }, label))));
  const form = h("form", { class: "filters", role: "search", "aria-label": t("desk.filters"), onsubmit: (e) => {
    e.preventDefault();
    location.hash = hashOf(Object.fromEntries([["q", search.value.trim()], ...inputs.map((el) => [el.name, el.value])]));
  } }, field(t("desk.search"), search), inputs.map((el, i) => field(t("desk.filter." + selects[i][0]), el)),
  h("button", { type: "submit", class: "secondary" }, t("desk.apply")));

  // the windows of the centre's open matters, each with its deadline light
  const windows = !isComplaints && summary.desks.includes("centre") && summary.windows.length && ["at_window", "forwarded"].includes(queue.key)
    ? h("ul", { class: "windows", "aria-label": t("desk.windows") }, summary.windows.map((w) => h("li", {},
      h("a", { href: hashOf({ window: w.code }) }, w.name), " ",
      h("span", { class: "hint" }, t("desk.windowOpen", w.open)), " ", light(w.red ? "red" : "green")))) : null;

  const sortable = (label, asc, desc) => {
    const current = p.get("sort") || (isComplaints ? "created" : "due");
    const state = current === asc ? "ascending" : current === desc ? "descending" : "none";
    return h("th", { scope: "col", "aria-sort": state }, h("button", { type: "button", class: "sort", onclick: () => { location.hash = hashOf({ sort: current === asc ? desc : asc }); } },
      label, state === "ascending" ? " ▲" : state === "descending" ? " ▼" : ""));
  };
  const caption = h("caption", {}, `${t("desk.queue." + queue.key)}：${t("desk.count", answer.count)}`,
    answer.count > rows.length ? ` ${t("desk.firstOnly", rows.length)}` : "");
  const table = isComplaints
    ? h("table", { class: "desk-table", id: "desk-table" }, caption,
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("desk.col.code")), h("th", { scope: "col" }, t("status")), h("th", { scope: "col" }, t("desk.col.about")),
        h("th", { scope: "col" }, t("desk.col.text")), sortable(t("desk.col.received"), "created", "-created"))),
      h("tbody", {}, rows.map((c) => h("tr", { dataset: { id: c.id } },
        h("th", { scope: "row" }, h("a", { href: `#/complaint/${c.id}`, class: "open" }, c.tracking_code)),
        h("td", {}, t("statusName." + c.status)), h("td", {}, [c.staff?.full_name, c.case].filter(Boolean).join(" · ")),
        h("td", { class: "text" }, c.text), h("td", {}, fmt(c.created_at))))))
    : h("table", { class: "desk-table", id: "desk-table" }, caption,
      h("thead", {}, h("tr", {}, sortable(t("desk.col.code"), "code", "code"), h("th", { scope: "col" }, t("item")), h("th", { scope: "col" }, t("applicant")),
        h("th", { scope: "col" }, t("desk.col.station")), h("th", { scope: "col" }, t("desk.col.window")), h("th", { scope: "col" }, t("status")),
        h("th", { scope: "col" }, t("desk.col.light")), sortable(t("due"), "due", "-due"), sortable(t("desk.col.opened"), "opened", "-opened"))),
      h("tbody", {}, rows.map((c) => h("tr", { dataset: { id: c.id }, class: `light-${c.light || "none"}` },
        h("th", { scope: "row" }, h("a", { href: `#/case/${c.id}`, class: "open" }, c.tracking_code)),
        h("td", {}, c.service_item_name), h("td", {}, c.applicant_name), h("td", {}, c.centre_name),
        h("td", {}, c.window_name || ""), h("td", {}, t("statusName." + c.status), c.refusal_reason ? h("small", { class: "reason" }, `${t("reason")}：${c.refusal_reason}`) : null),
        h("td", {}, light(c.light)), h("td", {}, c.due_date ? fmt(c.due_date) : ""), h("td", {}, fmt(c.opened_at))))));

  mountAt(at, figures(summary.figures), tabs, form, windows,
    rows.length ? h("div", { class: "table-wrap" }, table) : h("p", { class: "empty", role: "status" }, t("desk.empty")),
    h("p", { class: "hint keys" }, t("desk.keys")));
}

// --- a complaint --------------------------------------------------------------------------------
export async function complaintScreen(id) {
  const at = here();
  document.getElementById("title").textContent = t("desk.complaint");
  const url = `${API}complaints/${id}/`;
  const c = (await get(url)).data;
  const nav = deskNav("complaints", id);
  const queued = (await pending()).filter((q) => q.current === url);
  const send = (action, payload) => enqueue({ method: "POST", url: `${url}actions/${action}/`, json: payload, label: `${t("complaintAction." + action)} ${c.tracking_code}`, task: `complaint:${c.id}`, current: url })
    .then(() => { toast(navigator.onLine ? t("desk.sending") : t("queued")); complaintScreen(id); });
  const forms = h("div", { class: "actions" });
  for (const offer of queued.length ? [] : c.actions || []) {
    const extra = offer.action === "close" ? [field(t("notes"), h("textarea", { rows: 2, name: "note", dataset: { extra: "note" } }))] : [];
    const form = actionForm(offer, (payload) => send(offer.action, payload), extra, "complaintAction");
    if (form) forms.append(form);
  }
  mountAt(at, backAndNext(nav),
    h("section", { class: "card" },
      h("h2", {}, c.tracking_code, " · ", t("statusName." + c.status)),
      c.staff ? h("p", {}, h("span", { class: "label" }, t("desk.col.about")), c.staff.full_name) : null,
      c.case ? h("p", {}, h("span", { class: "label" }, t("caseTitle")), c.case) : null,
      h("p", {}, h("span", { class: "label" }, t("desk.complainant")), c.complainant_name, " ", c.complainant_phone),
      h("p", { class: "description" }, c.text),
      h("p", { class: "hint" }, fmt(c.created_at), " · ", c.centre_name),
      c.reply ? h("p", {}, h("span", { class: "label" }, t("reply")), c.reply) : null,
      c.outcome ? h("p", { id: "outcome" }, h("span", { class: "label" }, t("outcome")), t("desk.outcome." + c.outcome), c.outcome_note ? `：${c.outcome_note}` : "") : null),
    queued.map((q) => q.conflict ? h("section", { class: "card conflict" }, conflictBlock(q, () => complaintScreen(id))) : h("p", { class: "badge block" }, q.label, " — ", t("queued"))),
    h("section", { class: "card" }, h("h2", {}, t("actions")), forms.childNodes.length ? forms : h("p", {}, t("noActions"))),
    h("section", { class: "card" }, h("h2", {}, t("desk.history")),
      h("ol", { class: "timeline", id: "history" }, (c.events || []).map((e) => h("li", {}, fmt(e.at), " ", e.actor || "", " ", t("complaintAction." + e.action),
        e.note ? `：${e.note.replace(/^(partly_upheld|not_upheld|upheld)\b/, (m) => t("desk.outcome." + m))}` : "")))));
}

// the way back to the queue and on to the next matter (a case's screen uses it too)
export function backAndNext(nav) {
  if (!nav) return null;
  return h("div", { class: "row desk-nav" },
    h("a", { class: "back", href: nav.back, id: "back-to-queue", "aria-keyshortcuts": "Escape" }, "‹ ", t("desk.backToQueue")),
    nav.next ? h("a", { class: "button secondary", href: nav.next, id: "next-matter", "aria-keyshortcuts": "N" }, t("desk.next"), " ›") : h("span", { class: "hint" }, t("desk.last")));
}

// --- the keyboard -------------------------------------------------------------------------------
const typing = (el) => el && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || !atDesk()) return;
  const hash = location.hash;
  if (typing(document.activeElement)) {
    if (e.key === "Escape") document.activeElement.blur();
    return;
  }
  if (/^#\/desk/.test(hash)) {
    const links = [...document.querySelectorAll("#desk-table a.open")];
    const at = links.indexOf(document.activeElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!links.length) return;
      e.preventDefault();
      const next = e.key === "ArrowDown" ? Math.min(at + 1, links.length - 1) : Math.max(at - 1, 0);
      links[next].focus();
    } else if (e.key === "n" || e.key === "N") {
      if (links.length) { e.preventDefault(); location.hash = links[0].getAttribute("href"); }
    } else if (e.key === "/") {
      e.preventDefault();
      document.getElementById("desk-search")?.focus();
    }
  } else if (/^#\/(case|complaint)\//.test(hash)) {
    if (e.key === "Escape") document.getElementById("back-to-queue")?.click();
    else if (e.key === "n" || e.key === "N") document.getElementById("next-matter")?.click();
  }
});
