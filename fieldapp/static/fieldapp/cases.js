// A case: its facts, the one-time notice and the receipt, an edit (If-Match: a stale one is
// refused with 412 and shown in the queue), and exactly the actions the server offers.
import { h, mountAt, here, field, toast } from "./dom.js";
import { t } from "./i18n.js";
import { get, openPdf } from "./api.js";
import { enqueue, pending } from "./queue.js";
import { actionForm, conflictBlock, fmt } from "./screens.js";
import { backAndNext, deskNav, windowOnly } from "./desk.js";
import { shrink } from "./photos.js";

const API = "/api/v1/";
const DESK_ONLY = new Set(["custody", "fee", "correct"]); // done at the desk, not in the field

function checklistInputs(materials, current) {
  const selects = {};
  const rows = materials.map((m) => {
    selects[m.key] = h("select", { name: `checklist-${m.key}` },
      ["provided", "missing", "not_applicable"].map((v) => h("option", { value: v, selected: (current?.[m.key] || "provided") === v }, t(v))));
    return field(m.name, selects[m.key]);
  });
  return { selects, rows };
}

// back to the resident: confirmed by the code on their copy of the receipt, or by a photo of
// their signature (made smaller on the phone like a visit's photos, sent as multipart)
function returnForm(offer, c, url, id) {
  const code = h("input", { name: "return_code", inputmode: "numeric", autocomplete: "off" });
  const chosen = h("p", { class: "hint", role: "status" });
  const signature = h("input", { type: "file", accept: "image/*", capture: "environment", id: "signature", name: "signature", class: "visually-hidden", onchange: () => {
    chosen.textContent = signature.files[0] ? t("signatureKept") : "";
  } });
  const pick = h("label", { for: "signature", class: "button secondary", role: "button", tabindex: "0", onkeydown: (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); signature.click(); }
  } }, t("signaturePhoto"));
  const label = `${t("caseAction.return")} ${c.tracking_code}`;
  return actionForm(offer, async () => {
    const file = signature.files[0];
    const returnCode = code.value.trim();
    if (!file && !returnCode) { chosen.textContent = t("codeOrSignature"); code.focus(); return; }
    if (!file) return send(url, id, c, "return", { return_code: returnCode });
    const small = await shrink(file);
    await enqueue({ method: "POST", url: `${url}actions/return/`, form: { fields: returnCode ? { return_code: returnCode } : {}, file: { field: "signature", blob: small.blob, name: small.name } }, label, task: `case:${c.id}`, current: url });
    toast(t("queued"));
    caseScreen(id);
  }, [field(t("returnCode"), code), h("p", { class: "hint" }, t("orSignature")), pick, signature, chosen], "caseAction");
}

// at the desk an action carries the version it was taken on (`expected_version`): if someone
// else changed the matter meanwhile, the server refuses it (412) and the screen shows the
// conflict and the current state. Phones do not: their offline queue replays in order.
function send(url, id, c, action, payload, version) {
  const json = version != null ? { ...payload, expected_version: version } : payload;
  return enqueue({ method: "POST", url: `${url}actions/${action}/`, json, label: `${t("caseAction." + action)} ${c.tracking_code}`, task: `case:${c.id}`, current: url })
    .then(() => { toast(version != null && navigator.onLine ? t("desk.sending") : t("queued")); caseScreen(id); });
}

export async function caseScreen(id) {
  const at = here();
  document.getElementById("title").textContent = t("caseTitle");
  const url = `${API}cases/${id}/`;
  const answer = await get(url);
  const c = answer.data;
  const queued = (await pending()).filter((q) => q.current === url);
  const nav = deskNav("cases", id);
  const act = (action, payload) => send(url, id, c, action, payload, nav ? c.version : undefined);

  const forms = h("div", { class: "actions" });
  for (const offer of queued.length ? [] : c.actions || []) {
    if (DESK_ONLY.has(offer.action)) continue;
    if (offer.action === "review" || offer.action === "accept") {
      const { selects, rows } = checklistInputs(offer.choices.checklist, c.checklist);
      const takes = offer.action === "accept" ? offer.choices.checklist.map((m) => {
        const box = h("input", { type: "checkbox", id: `take-${m.key}`, value: m.key });
        return { m, box, row: h("div", { class: "check" }, box, h("label", { for: `take-${m.key}` }, `${t("takeOriginal")}：${m.name}`)) };
      }) : [];
      forms.append(actionForm({ ...offer, needs: [] }, (payload) => act(offer.action, {
        ...payload,
        checklist: Object.fromEntries(Object.entries(selects).map(([k, el]) => [k, el.value])),
        ...(takes.length ? { originals: takes.filter((x) => x.box.checked).map((x) => ({ name: x.m.name, material_key: x.m.key })) } : {}),
      }), [...rows, ...takes.map((x) => x.row)], "caseAction"));
    } else if (offer.action === "return") {
      forms.append(returnForm(offer, c, url, id));
    } else if (offer.action === "close") {
      const rating = h("select", {}, [5, 4, 3, 2, 1].map((n) => h("option", { value: n }, "★".repeat(n))));
      const comment = h("textarea", { rows: 2 });
      forms.append(actionForm(offer, (payload) => act("close", { ...payload, rating: Number(rating.value), comment: comment.value }), [field(t("rating"), rating), field(t("comment"), comment)], "caseAction"));
    } else {
      const form = actionForm(offer, (payload) => act(offer.action, payload), [], "caseAction");
      if (form) forms.append(form);
    }
  }

  const description = h("textarea", { rows: 2, name: "description" }, c.description || "");
  const address = h("input", { name: "address", value: c.address || "" });
  const edit = h("details", { class: "action" }, h("summary", {}, t("edit")),
    h("form", { onsubmit: async (e) => {
      e.preventDefault();
      await enqueue({ method: "PATCH", url, json: { description: description.value, address: address.value }, ifMatch: `"${c.version}"`, label: `${t("edit")} ${c.tracking_code}`, task: `case:${c.id}`, current: url });
      toast(t("queued"));
      caseScreen(id);
    } }, field(t("description"), description), field(t("address"), address), h("button", { type: "submit", class: "secondary" }, t("save"))));

  const missing = Object.entries(c.checklist || {}).filter(([, v]) => v === "missing").map(([k]) => k);
  mountAt(at, nav ? backAndNext(nav) : h("a", { class: "back", href: "#/today" }, "‹ ", t("back")),
    answer.stale ? h("p", { class: "stale" }, t("offline")) : null,
    h("section", { class: `card light-${c.light || "none"}` },
      h("h2", {}, c.service_item_name),
      h("p", {}, h("span", { class: "label" }, t("status")), t("statusName." + c.status), c.light ? ` · ${t("light." + c.light)}` : ""),
      c.due_date ? h("p", {}, h("span", { class: "label" }, t("due")), c.due_date) : null,
      h("p", {}, h("span", { class: "label" }, t("applicant")), c.applicant_name, " ",
        h("a", { class: "button tel", href: `tel:${c.applicant_phone}`, "aria-label": `${t("call")} ${c.applicant_name}` }, "☎ ", t("call"))),
      h("p", {}, h("span", { class: "label" }, t("address")), c.address),
      c.description ? h("p", { class: "description" }, c.description) : null,
      h("p", { class: "hint" }, c.tracking_code, " · ", t("version"), " ", c.version),
      h("div", { class: "row" },
        missing.length ? h("button", { type: "button", class: "link", onclick: () => openPdf(`${API}service-items/${c.service_item}/notice.pdf?missing=${missing.join(",")}`).catch(() => toast(t("failed"))) }, t("notice")) : null,
        (c.register || []).length ? h("button", { type: "button", class: "link", onclick: () => openPdf(`${url}receipt.pdf`).catch(() => toast(t("failed"))) }, t("receipt")) : null)),
    queued.filter((q) => q.conflict).map((q) => h("section", { class: "card conflict" }, conflictBlock(q, () => caseScreen(id)))),
    queued.some((q) => !q.conflict) ? h("ul", { class: "badge block" }, queued.filter((q) => !q.conflict).map((q) => h("li", {}, q.label, " — ", t("queued")))) : null,
    h("section", { class: "card" }, h("h2", {}, t("actions")), forms.childNodes.length ? forms : h("p", {}, t("noActions"))),
    windowOnly() ? null : h("section", { class: "card" }, edit),
    h("section", { class: "card" }, h("ol", { class: "timeline" }, (c.events || []).slice(-8).map((e) => h("li", {}, fmt(e.at), " ", t("caseAction." + e.action), e.note ? `：${e.note}` : "")))),
  );
}
