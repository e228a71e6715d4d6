// A tiny element builder: no innerHTML with data, handlers attached in code (CSP: no inline).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// A screen begins with `here()`: the address it draws and when it began. Two drawings of one
// screen may overlap (the worker's own redraw after queuing, the redraw when the queue has
// emptied): the one begun later wins, so an older answer is never drawn over a newer one.
let begun = 0;
let mounted = 0;
const address = () => location.hash || "#/today";
export function here() {
  const at = new String(address()); // eslint-disable-line no-new-wrappers
  at.seq = ++begun;
  return at;
}

// a form sent (a tap or Enter) ends the typing: the screen it leads to is drawn
document.addEventListener("submit", () => document.activeElement?.blur?.(), true);

// the worker is typing into this screen: a field in it has focus and a changed value
function typingIn(main) {
  const el = document.activeElement;
  if (!el || !main.contains(el) || !/^(INPUT|TEXTAREA)$/.test(el.tagName) || /^(file|checkbox|radio)$/.test(el.type)) return false;
  return el.value !== el.defaultValue;
}

// draws a screen begun at address `at`: an answer that arrives after the worker moved on to
// another screen, or after a later drawing of this one, is not drawn over it
export function mountAt(at, ...children) {
  const main = document.getElementById("main");
  if (String(at) !== address() || (at.seq ?? 0) < mounted) return main;
  if (typingIn(main)) return main; // a redraw of this screen must not wipe what is being typed
  mounted = at.seq ?? mounted;
  main.replaceChildren(...children.flat().filter((c) => c != null && c !== false));
  return main;
}

export function toast(text) {
  const el = h("div", { class: "toast", role: "status" }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 3000);
}

export function field(label, input) {
  const id = input.id || (input.id = "f" + Math.random().toString(36).slice(2, 8));
  return h("div", { class: "field" }, h("label", { for: id }, label), input);
}
