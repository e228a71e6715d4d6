/* The booking form's map (Leaflet, vendored with the map page): a tap puts the home's marker,
 * "用我现在的位置" starts it at the phone's position. The marker's place goes in the form's
 * lon/lat in the basemap's coordinates; the server is told which (`crs`, GCJ-02 for AMap or
 * Tencent tiles) and converts. The phone's position (WGS-84) is converted for the map by the
 * server (portal:point, core.coords), never by a second copy of the formulas here. Without
 * JavaScript the map stays hidden and the community list stands in for it. */
(function () {
  "use strict";
  var cfgEl = document.getElementById("map-config");
  var box = document.querySelector("[data-map]");
  if (!cfgEl || !box || !window.L) return;
  var cfg = JSON.parse(cfgEl.textContent);
  var form = box.closest("form");
  var status = box.querySelector(".status");
  var button = box.querySelector(".locate");
  box.hidden = false;

  var map = L.map("map", { zoomControl: true, attributionControl: !!cfg.basemap });
  if (cfg.basemap) {
    L.tileLayer(cfg.basemap.url, {
      attribution: cfg.basemap.attribution,
      subdomains: cfg.basemap.subdomains,
      maxZoom: 18
    }).addTo(map);
  }
  var points = cfg.stations.map(function (s) { return [s.lat, s.lon]; });
  cfg.stations.forEach(function (s) {
    L.circleMarker([s.lat, s.lon], { radius: 7, color: "#0b4f94", weight: 2, fillOpacity: 0.6 })
      .bindTooltip(s.name)
      .addTo(map);
  });
  if (points.length) map.fitBounds(points, { padding: [20, 20], maxZoom: 16 });
  else map.setView([41.12, 122.07], 12);

  var marker = null;
  function place(lat, lon, zoom) {
    if (marker) marker.setLatLng([lat, lon]);
    else {
      marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: "您家的位置", alt: "您家的位置" }).addTo(map);
      marker.on("dragend", function () {
        var at = marker.getLatLng();
        place(at.lat, at.lng);
      });
    }
    form.elements.lon.value = lon.toFixed(6);
    form.elements.lat.value = lat.toFixed(6);
    box.dataset.placed = "1";
    if (zoom) map.setView([lat, lon], zoom);
    status.textContent = "已经标出您家的位置。不对的话，在地图上再点一下。";
  }
  if (form.elements.lon.value && form.elements.lat.value) {
    place(parseFloat(form.elements.lat.value), parseFloat(form.elements.lon.value), 16);
  }
  map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng); });
  // by keyboard: the arrow keys move the map (Leaflet), Enter puts the marker at its centre
  map.getContainer().addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.target !== map.getContainer()) return;
    e.preventDefault();
    var at = map.getCenter();
    place(at.lat, at.lng);
  });

  if (!navigator.geolocation) { button.hidden = true; return; }
  button.addEventListener("click", function () {
    status.textContent = "正在定位，请稍候……";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        var url = cfg.point + "?lon=" + pos.coords.longitude + "&lat=" + pos.coords.latitude;
        fetch(url, { credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (p) { place(p.lat, p.lon, 17); })
          .catch(function () { status.textContent = "定位出了问题，请在地图上点一下您家的位置。"; });
      },
      function () {
        status.textContent = "没有取得位置。请允许网页使用位置，或者在地图上点一下您家的位置。";
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  });
})();
