/* 网格覆盖审查地图: vector tiles of /api/v1/tiles/. The grids and the area boundaries — tens of
 * thousands of shapes at district zoom — are drawn on canvas by L.MvtCanvas (mvt-canvas.js: no
 * object per shape, restyled from the decoded tiles without fetching them again); the canvases
 * take no pointer events, so a map click reaches the map (and the zone console's tools) and is
 * matched to the grid drawn under it. The layers with few shapes and popups (gaps, open work,
 * agents) are Leaflet.VectorGrid's SVG. A grid click opens its panel (/api/v1/grids/{code}/panel/).
 * Configuration comes from the page (#map-config). The page sets data-grids-drawn on #map to the
 * number of grid shapes drawn once the grid tiles in view have loaded (the browser test waits for
 * it), and data-grids-figure to the figure the grids are coloured by. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("map-config").textContent);
  var mapEl = document.getElementById("map");
  var panel = document.getElementById("panel");
  var figureSelect = document.getElementById("figure");

  var LIGHT_ZH = { red: "红灯", yellow: "黄灯", green: "绿灯" };
  var LEVEL_STYLE = {
    district: { color: "#1f4e79", weight: 3 },
    street: { color: "#2f6fa6", weight: 2, dash: "6 3" },
    community: { color: "#5b8fc7", weight: 1, dash: "2 3" }
  };
  var LIGHT_COLOUR = { red: "#d7301f", yellow: "#f0b400", green: "#2b9348" };
  var PALETTE = {
    agents: ["#d7301f", "#fdae61", "#a6d96a", "#1a9850"],
    open_work: ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"],
    overdue: ["#f7f7f7", "#fcae91", "#fb6a4a", "#a50f15"]
  };

  var map = L.map(mapEl, { minZoom: 3, maxZoom: 19 });
  map.fitBounds(cfg.bounds);
  window.gridMap = map; // for tests and the console

  if (cfg.basemap) {
    L.tileLayer(cfg.basemap.url, {
      attribution: cfg.basemap.attribution,
      subdomains: cfg.basemap.subdomains,
      maxZoom: 18
    }).addTo(map);
  }

  function tileUrl(layer) {
    return cfg.tilesUrl.replace("{layer}", layer);
  }

  function vectorLayer(name, options) {
    return L.vectorGrid.protobuf(
      tileUrl(name) + (options.query || ""),
      L.extend(
        {
          rendererFactory: L.svg.tile,
          fetchOptions: { credentials: "same-origin" },
          minZoom: cfg.minZoom[name],
          maxNativeZoom: 19
        },
        options
      )
    );
  }

  // --- grids, coloured by the chosen figure ----------------------------------------------
  var figure = cfg.defaultFigure;

  function figureSpec(key) {
    for (var i = 0; i < cfg.figures.length; i++) {
      if (cfg.figures[i].key === key) return cfg.figures[i];
    }
    return cfg.figures[0];
  }

  function colourFor(value) {
    var spec = figureSpec(figure);
    var colours = PALETTE[spec.key];
    var k = 0;
    while (k < spec.breaks.length && value >= spec.breaks[k]) k++;
    return colours[Math.min(k, colours.length - 1)];
  }

  // the grid tiles carry every figure (agents, open_work, overdue) and `value`, the figure asked
  // for in the URL: a change of figure recolours the drawn tiles; if the tiles lack the figure,
  // they are fetched again for it
  var lacksFigure = false;
  function valueOf(p) {
    if (p[figure] !== undefined) return p[figure] || 0;
    if (grids.options.figure !== figure) lacksFigure = true;
    return p.value || 0;
  }

  var selected = null;
  // the layers whose shapes all lie in the areas the requester sees ask for no tile outside
  // them (a district's map would otherwise fetch the empty tiles around it); open work and
  // agents' positions can lie outside, so those layers are not bounded
  // (padded: a grid or area may reach a few metres past its parent, geo.rules' PARENT_TOLERANCE_M)
  var tileBounds = L.latLngBounds(cfg.tileBounds).pad(0.01);

  var grids = L.mvtCanvas(tileUrl("grids") + "?figure={figure}", {
    layer: "grids",
    bounds: tileBounds,
    figure: figure,
    minZoom: cfg.minZoom.grids,
    maxNativeZoom: 19,
    zIndex: 1,
    style: function (p) {
      var s = { fill: colourFor(valueOf(p)), fillOpacity: 0.6, color: "#4a4a4a", weight: 1 };
      if (p.code === selected) L.extend(s, { color: "#000", weight: 3, last: true });
      return s;
    }
  });
  var drawnOnce = false;
  grids.on("load", function () {
    mapEl.setAttribute("data-grids-drawn", String(grids.featureCount()));
    // the first complete draw, for benchmarks/map_page.py (once: the console redraws every minute)
    if (!drawnOnce && window.performance && performance.mark) performance.mark("gridproxy:grids-drawn");
    drawnOnce = true;
  });
  map.on("click", function (e) {
    if (!map.hasLayer(grids) || (map.pm && map.pm.globalDrawModeEnabled())) return;
    var f = grids.featureAt(e.latlng);
    if (f) grids.fire("click", { layer: f, latlng: e.latlng, originalEvent: e.originalEvent });
  });
  grids.on("click", function (e) {
    var before = selected;
    selected = e.layer.properties.code;
    grids.restyle(function (p) {
      return p.code === before || p.code === selected;
    });
    showPanel(selected);
  });

  // --- the other layers --------------------------------------------------------------------
  var areas = L.mvtCanvas(tileUrl("areas"), {
    layer: "areas",
    bounds: tileBounds,
    minZoom: cfg.minZoom.areas,
    maxNativeZoom: 19,
    zIndex: 3,
    style: function (p) {
      return L.extend({ opacity: 0.9 }, LEVEL_STYLE[p.level] || LEVEL_STYLE.community);
    }
  });
  var gaps = vectorLayer("gaps", {
    bounds: tileBounds,
    interactive: true,
    zIndex: 2,
    vectorTileLayerStyles: {
      gaps: { fill: true, fillColor: "#ff00aa", fillOpacity: 0.35, color: "#b0007a", weight: 1, dashArray: "4 2" }
    }
  });
  gaps.on("click", function (e) {
    var p = e.layer.properties;
    L.popup().setLatLng(e.latlng).setContent(text("覆盖缺口 · " + p.name + " · 约 " + p.area_m2 + " 平方米")).openOn(map);
  });
  var work = vectorLayer("appointments", {
    interactive: true,
    zIndex: 4,
    vectorTileLayerStyles: {
      appointments: function (p) {
        if (p.kind === "case" && p.light !== "red") return []; // only overdue cases on the map
        var colour = LIGHT_COLOUR[p.light] || "#888";
        return p.kind === "case"
          ? { radius: 7, fill: true, fillColor: colour, fillOpacity: 1, color: "#000", weight: 2 }
          : { radius: 5, fill: true, fillColor: colour, fillOpacity: 0.9, color: "#fff", weight: 1 };
      }
    }
  });
  work.on("click", function (e) {
    var p = e.layer.properties;
    var what = p.kind === "case" ? "超期办件 " : "预约 ";
    L.popup().setLatLng(e.latlng).setContent(text(what + p.tracking_code + " · " + (LIGHT_ZH[p.light] || "无灯"))).openOn(map);
  });

  var overlays = {
    "区域边界": areas,
    "网格（按所选指标着色）": grids,
    "覆盖缺口": gaps,
    "待办预约与超期办件": work
  };
  if (cfg.layers.agents) {
    var agents = vectorLayer("agents", {
      interactive: true,
      zIndex: 5,
      vectorTileLayerStyles: {
        agents: function (p) {
          return { radius: 6, fill: true, fillColor: p.fresh ? "#6a3d9a" : "#bbb", fillOpacity: 1, color: "#fff", weight: 2 };
        }
      }
    });
    agents.on("click", function (e) {
      var p = e.layer.properties;
      var at = new Date(p.at * 1000).toLocaleString("zh-CN", { hour12: false });
      L.popup().setLatLng(e.latlng).setContent(text("代办员 " + p.name + " · 定位于 " + at + (p.fresh ? "" : "（较旧）"))).openOn(map);
    });
    overlays["代办员位置"] = agents;
  }
  grids.addTo(map); // first: the grid tiles are asked for before the other layers' tiles
  Object.keys(overlays).forEach(function (name) {
    overlays[name].addTo(map);
  });
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  window.gridLayers = overlays;
  window.gridMapLayers = { areas: areas, grids: grids, gaps: gaps, work: work }; // for the console

  // --- legend and the figure selector ------------------------------------------------------
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    this._div = L.DomUtil.create("div", "legend");
    this.update();
    return this._div;
  };
  legend.update = function () {
    var spec = figureSpec(figure);
    var colours = PALETTE[spec.key];
    var div = this._div;
    div.textContent = "";
    div.appendChild(el("h4", null, [spec.label]));
    var bounds = [0].concat(spec.breaks);
    bounds.forEach(function (low, i) {
      var high = bounds[i + 1];
      var label = high === undefined ? "≥ " + low : high - 1 === low ? String(low) : low + "–" + (high - 1);
      var swatch = el("i");
      swatch.style.background = colours[Math.min(i, colours.length - 1)];
      div.appendChild(el("div", null, [swatch, label]));
    });
  };
  legend.addTo(map);

  figureSelect.addEventListener("change", function () {
    figure = figureSelect.value;
    lacksFigure = false;
    grids.restyle();
    if (lacksFigure) {
      grids.options.figure = figure;
      mapEl.setAttribute("data-grids-drawn", "0");
      grids.redraw();
    }
    mapEl.setAttribute("data-grids-figure", figure);
    legend.update();
  });

  // --- the grid panel ----------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return node;
  }

  function text(s) {
    return el("span", null, [s]);
  }

  function light(l) {
    return el("span", { class: "light " + (l || ""), title: LIGHT_ZH[l] || "无灯" });
  }

  function table(headers, rows) {
    var head = el("tr", null, headers.map(function (h) { return el("th", null, [h]); }));
    return el("table", null, [head].concat(rows.map(function (r) {
      return el("tr", null, r.map(function (c) { return el("td", null, [c]); }));
    })));
  }

  function section(title, items, empty, render) {
    var nodes = [el("h3", null, [title + "（" + items.length + "）"])];
    nodes.push(items.length ? render(items) : el("p", { class: "muted" }, [empty]));
    return nodes;
  }

  function showPanel(code) {
    panel.textContent = "";
    panel.appendChild(el("p", { class: "muted" }, ["正在读取网格 " + code + " …"]));
    fetch(cfg.panelUrl.replace("{code}", encodeURIComponent(code)), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw new Error((body.error && body.error.message) || r.status);
          return body;
        });
      })
      .then(renderPanel)
      .catch(function (err) {
        panel.textContent = "";
        panel.appendChild(el("p", { class: "error" }, ["读取失败：" + err.message]));
      });
  }

  function renderPanel(d) {
    var g = d.grid;
    var nodes = [
      el("h2", null, [g.name + "（" + g.code + "）"]),
      el("p", { class: "muted" }, [g.community.name + " · " + d.date + (g.active ? "" : " · 已撤销")])
    ];
    nodes = nodes.concat(section("代办员", d.agents, "今天没有在岗的代办员。", function (items) {
      return table(["姓名", "职责", "在办", "超期", "电话"], items.map(function (a) {
        return [a.name, a.kind_display, a.open_work, a.overdue, a.phone];
      }));
    }));
    nodes = nodes.concat(section("待办预约", d.appointments, "没有待办预约。", function (items) {
      return table(["", "编号", "事项", "状态", "代办员"], items.map(function (a) {
        return [light(a.light), a.tracking_code, a.item, a.status_display, a.agent || "—"];
      }));
    }));
    nodes = nodes.concat(section("超期办件", d.overdue, "没有超期办件。", function (items) {
      return table(["编号", "事项", "代办员", "办结时限"], items.map(function (c) {
        return [c.tracking_code, c.item, c.agent, c.due_date];
      }));
    }));
    panel.textContent = "";
    nodes.forEach(function (n) {
      panel.appendChild(n);
    });
  }
})();
