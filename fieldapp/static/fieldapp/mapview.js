// Today on a map: Leaflet as vendored for the map page, loaded only when the worker asks for
// the map (the list stays the app's fast first screen). No basemap unless the server names one
// (MAP_BASEMAP_URL); when its tiles are drawn in GCJ-02 (AMap, Tencent) the tasks are asked for
// in GCJ-02 too (`?crs=gcj02`), so each dot sits on the basemap's street.
import { h } from "./dom.js";
import { t } from "./i18n.js";

const LIGHT = { red: "#d7301f", yellow: "#f0b400", green: "#2b9348" };
let loading = null;

function leaflet(config) {
  if (window.L) return Promise.resolve(window.L);
  loading ||= new Promise((resolve, reject) => {
    document.head.append(h("link", { rel: "stylesheet", href: config.css }));
    const script = h("script", { src: config.script });
    script.addEventListener("load", () => resolve(window.L));
    script.addEventListener("error", () => { loading = null; reject(new Error("leaflet")); });
    document.head.append(script);
  });
  return loading;
}

// the tasks' URL for the map: GCJ-02 points for a GCJ-02 basemap
export const tasksUrl = (api, config) => `${api}me/tasks/${config.basemap?.crs === "gcj02" ? "?crs=gcj02" : ""}`;

// draws the day into `box`: a dot per task (its deadline light), the suggested order as a line
// from where the worker is; a tap on a dot names the task with a link to it
export async function drawMap(box, config, answer, hrefOf) {
  let L;
  try {
    L = await leaflet(config);
  } catch {
    box.replaceChildren(h("p", { class: "empty" }, t("mapNeedsNetwork")));
    return null;
  }
  const { tasks, origin, suggested_order: order } = answer;
  const map = L.map(box, { zoomControl: true, attributionControl: !!config.basemap });
  if (config.basemap) {
    L.tileLayer(config.basemap.url, { attribution: config.basemap.attribution, subdomains: config.basemap.subdomains, maxZoom: 18 }).addTo(map);
  }
  const at = (g) => (g?.type === "Point" ? [g.coordinates[1], g.coordinates[0]] : null);
  // one dot per place: a visit and its appointment share a door (the most urgent's light)
  const places = new Map();
  const byKey = new Map();
  for (const task of tasks) {
    const ll = at(task.location);
    if (!ll) continue;
    byKey.set(task.key, ll);
    const place = ll.map((x) => x.toFixed(5)).join(",");
    if (!places.has(place)) places.set(place, { ll, tasks: [] });
    places.get(place).tasks.push(task);
  }
  const points = [];
  for (const { ll, tasks: here } of places.values()) {
    points.push(ll);
    const light = ["red", "yellow", "green"].find((l) => here.some((task) => task.light === l));
    const list = h("ul", { class: "map-tasks" }, here.map((task) => h("li", {}, h("a", { href: hrefOf(task) }, task.title), h("br"), h("small", {}, `${t("kind." + task.kind)} · ${task.address}`))));
    L.circleMarker(ll, { radius: 9 + Math.min(here.length - 1, 3) * 2, color: "#fff", weight: 2, fillColor: LIGHT[light] || "#0b5cad", fillOpacity: 0.95, className: `task-dot light-${light || "none"}` })
      .bindPopup(list)
      .addTo(map)
      .on("add", (e) => e.target.getElement()?.setAttribute("data-keys", here.map((task) => task.key).join(" ")));
  }
  const here = at(origin?.location);
  if (here) {
    points.push(here);
    L.circleMarker(here, { radius: 6, color: "#0b5cad", weight: 3, fillColor: "#fff", fillOpacity: 1, className: "origin-dot" }).addTo(map);
  }
  const route = [here, ...(order?.stops || []).map((s) => byKey.get(s.task))].filter(Boolean);
  if (route.length > 1) L.polyline(route, { color: "#0b5cad", weight: 3, dashArray: "6 6", className: "route", interactive: false }).addTo(map);
  if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.2), { maxZoom: 17 });
  else map.setView([41.2, 122.07], 12);
  box.dataset.dots = String(byKey.size);
  box.dataset.unplaced = String(tasks.length - byKey.size); // e.g. a walk-in with no address point
  return map;
}
