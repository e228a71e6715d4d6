/* 网格编辑台, part 3: edit mode on /map/. The grids in view come from the grid list API as
 * GeoJSON (not from the vector tiles) so that Leaflet-Geoman can snap to their vertices and
 * edges; every edit is sent to the API (docs/zone-console-api.md), which decides. A refusal is
 * drawn where its details say (an overlap as the overlapping polygon, other rules at their
 * location), nothing is saved and the drawing stays to be fixed. After a save the map's tiles
 * are drawn again (only changed tiles travel: ETag per data generation).
 *
 * State for tests: #map[data-console-grids] = grids loaded, [data-console-saves] = edits saved.
 * Operations of part 4 (ops.js: split, merge, fill a gap, proposals) plug into ZC.editor. */
(function () {
  "use strict";

  var ZC = window.ZoneConsole;
  var el = ZC.el;
  var map = window.gridMap;
  var mapEl = document.getElementById("map");
  var box = document.getElementById("console");
  var toggle = document.getElementById("edit-toggle");
  var MIN_ZOOM = 12;
  var SNAP = { snappable: true, snapDistance: 20, allowSelfIntersection: false };

  if (!map.pm) map.pm = new L.PM.Map(map); // the map was made before Geoman loaded
  map.pm.setLang("zh");
  map.pm.setGlobalOptions(L.extend({ removeVertexOn: "contextmenu" }, SNAP));

  var STYLE = { color: "#1f4e79", weight: 2, fillColor: "#5b8fc7", fillOpacity: 0.08 };
  var STYLE_SELECTED = { color: "#000", weight: 4, fillOpacity: 0.18 };
  var STYLE_NO_PRIMARY = { color: "#c0392b", weight: 3, dashArray: "6 4" };

  var E = (ZC.editor = {
    on: false,
    features: {}, // code → GeoJSON Feature as the API gave it
    layers: {}, // code → its Leaflet layer in gridLayer
    selected: null,
    mode: null, // "draw" | "edit" | "split" | "merge" | "fill" | "retire" | null
    work: null, // the layer being drawn or edited
    saves: 0,
    gridLayer: L.featureGroup().addTo(map),
    workGroup: L.featureGroup().addTo(map),
    refusals: L.featureGroup({ pmIgnore: true, snapIgnore: true }).addTo(map),
    overlay: L.featureGroup({ pmIgnore: true, snapIgnore: true }).addTo(map)
  });

  // --- the console's panel ------------------------------------------------------------------
  var tools = {};
  function tool(key, label, hint, needsGrid) {
    var b = ZC.button(label, function () {
      if (E.ops[key]) E.ops[key]();
    }, { id: "tool-" + key, title: hint, "aria-label": label + "：" + hint });
    b.needsGrid = needsGrid;
    tools[key] = b;
    return b;
  }
  E.ops = {};
  var gridSelect = el("select", { id: "grid-select", "aria-label": "选择网格" });
  var status = el("p", { id: "console-status", class: "console-status", role: "status", "aria-live": "polite" });
  var form = el("div", { id: "console-form" });
  var proposals = el("div", { id: "console-proposals" });
  var staffingBox = el("div", { id: "console-staffing" });
  box.appendChild(el("h2", null, ["网格编辑"]));
  box.appendChild(el("div", { role: "toolbar", "aria-label": "编辑工具", class: "tools" }, [
    tool("draw", "新建网格", "在社区内画出新网格", false),
    tool("fill", "填补缺口", "把一个覆盖缺口变成新网格", false),
    tool("edit", "修改边界", "拖动、增加（点中点）或删除（右键）顶点", true),
    tool("split", "沿线拆分", "画一条穿过网格的线，把网格拆成几块", true),
    tool("merge", "合并网格", "与一个相邻网格合并", true),
    tool("retire", "撤销网格", "网格停止使用（编码与历史保留）", true)
  ]));
  box.appendChild(el("label", { class: "grid-pick" }, ["当前网格 ", gridSelect]));
  box.appendChild(status);
  box.appendChild(form);
  box.appendChild(proposals);
  box.appendChild(staffingBox);
  E.form = form;
  E.proposalsBox = proposals;

  E.say = function (message, kind) {
    status.textContent = message;
    status.className = "console-status " + (kind || "");
    status.setAttribute("role", kind === "error" ? "alert" : "status");
  };

  function updateTools() {
    Object.keys(tools).forEach(function (k) {
      tools[k].disabled = (tools[k].needsGrid && !E.selected) || (E.mode !== null && E.mode !== k);
      tools[k].setAttribute("aria-pressed", String(E.mode === k));
    });
  }
  E.updateTools = updateTools;

  // --- staffing -----------------------------------------------------------------------------
  E.staffing = new ZC.Staffing(function (code, message) {
    E.say(message + "。", "ok");
    afterChange();
  });

  // --- grids in view ------------------------------------------------------------------------
  E.styleFor = function (code) {
    var s = L.extend({}, STYLE);
    if (E.staffing.withoutPrimary()[code]) L.extend(s, STYLE_NO_PRIMARY);
    if (code === E.selected) L.extend(s, STYLE_SELECTED);
    return s;
  };

  function restyle() {
    Object.keys(E.layers).forEach(function (code) {
      E.layers[code].setStyle(E.styleFor(code));
    });
  }
  E.restyle = restyle;

  E.load = function () {
    if (!E.on) return Promise.resolve();
    if (map.getZoom() < MIN_ZOOM) {
      E.gridLayer.clearLayers();
      E.layers = {};
      E.features = {};
      E.say("放大地图后才能编辑网格。");
      return Promise.resolve();
    }
    var b = map.getBounds();
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); });
    var url = ZC.urls.grids + "?crs=wgs84&page_size=1000&bbox=" + bbox.join(",");
    return ZC.getAllFeatures(url).then(function (features) {
      E.gridLayer.clearLayers();
      E.layers = {};
      E.features = {};
      var editing = E.work && E.work.gridCode;
      var communities = {};
      features.forEach(function (f) {
        var code = f.properties.code || f.id;
        E.features[code] = f;
        communities[f.properties.community] = true;
        if (code === editing) return; // its copy is being edited in workGroup
        var layer = L.geoJSON(f, { style: function () { return E.styleFor(code); } }).getLayers()[0];
        layer.gridCode = code;
        layer.bindTooltip(f.properties.name + "（" + code + "）", { sticky: true });
        layer.on("click", function (e) {
          L.DomEvent.stop(e);
          if (E.onGridClick && E.onGridClick(code)) return;
          E.select(code);
        });
        E.gridLayer.addLayer(layer);
        E.layers[code] = layer;
      });
      fillSelect();
      mapEl.setAttribute("data-console-grids", String(features.length));
      // staffing marks: the stations' lists say which grids have no primary agent
      Object.keys(communities).filter(function (c) { return !E.staffing.known(c); }).slice(0, 12).forEach(function (c) {
        E.staffing.station(c).then(function () {
          restyle();
          fillSelect();
        }, function () {});
      });
      restyle();
    }).catch(function (err) {
      E.say("读取网格失败：" + err.message, "error");
    });
  };

  function fillSelect() {
    var codes = Object.keys(E.features).sort();
    gridSelect.textContent = "";
    gridSelect.appendChild(el("option", { value: "" }, ["（在地图上点击或在此选择）"]));
    codes.forEach(function (code) {
      var f = E.features[code];
      gridSelect.appendChild(el("option", { value: code, selected: code === E.selected }, [f.properties.name + "（" + code + "）" + (E.staffing.withoutPrimary()[code] ? " · 无主责" : "")]));
    });
  }
  gridSelect.addEventListener("change", function () {
    if (E.onGridClick && gridSelect.value && E.onGridClick(gridSelect.value)) return;
    E.select(gridSelect.value || null);
  });

  E.select = function (code) {
    E.selected = code;
    gridSelect.value = code || "";
    restyle();
    updateTools();
    if (code) {
      mapEl.setAttribute("data-console-selected", code);
      E.staffing.show(code, staffingBox);
    } else {
      mapEl.removeAttribute("data-console-selected");
      staffingBox.textContent = "";
    }
  };

  E.revision = function (code) {
    var f = E.features[code];
    return f ? '"' + f.properties.revision + '"' : null;
  };

  // --- the work layer, its form and refusals -----------------------------------------------
  E.startWork = function (layer, gridCode) {
    E.clearWork();
    layer.gridCode = gridCode || null;
    E.work = layer;
    E.workGroup.addLayer(layer);
    if (layer.setStyle) layer.setStyle({ color: "#e67e22", weight: 3, fillColor: "#f5b041", fillOpacity: 0.25 });
    if (layer.pm) layer.pm.enable(SNAP);
    return layer;
  };

  E.clearWork = function () {
    if (E.work && E.work.pm) E.work.pm.disable();
    E.workGroup.clearLayers();
    E.work = null;
  };

  E.clearRefusals = function () {
    E.refusals.clearLayers();
  };

  /* end the current operation: drawing off, forms gone, the grid's original shown again */
  E.finish = function (noReload) {
    map.pm.disableDraw();
    E.clearWork();
    E.overlay.clearLayers();
    E.onGridClick = null;
    form.textContent = "";
    E.mode = null;
    updateTools();
    return noReload ? Promise.resolve() : E.load();
  };

  E.begin = function (mode) {
    map.pm.disableDraw();
    E.clearRefusals();
    E.overlay.clearLayers();
    E.mode = mode;
    form.textContent = "";
    updateTools();
  };

  /* a form in the console: fields, then 保存 and 放弃 */
  E.showForm = function (title, fields, saveLabel, onSave) {
    form.textContent = "";
    var save = ZC.button(saveLabel, function () {
      save.disabled = true;
      E.say("正在保存 …");
      Promise.resolve(onSave()).then(
        function () { save.disabled = false; },
        function (err) {
          save.disabled = false;
          E.refused(err);
        }
      );
    }, { id: "console-save", class: "primary" });
    var cancel = ZC.button("放弃", function () {
      E.clearRefusals();
      E.say("已放弃，未保存。");
      E.finish();
    }, { id: "console-cancel" });
    form.appendChild(el("fieldset", { class: "console-fieldset" }, [el("legend", null, [title])].concat(fields, [el("div", { class: "actions" }, [save, cancel])])));
    var first = form.querySelector("input, select");
    if (first) first.focus();
  };

  E.input = function (id, label, value, attrs) {
    var input = el("input", L.extend({ id: id, type: "text", value: value || "" }, attrs || {}));
    return { input: input, node: el("label", { class: "field" }, [label + " ", input]) };
  };

  function lonLat(p) {
    return L.latLng(p[1], p[0]);
  }

  /* a refusal on the map, where its details say, with its message; the drawing stays */
  E.refused = function (err) {
    if (!(err instanceof ZC.ApiError)) {
      E.say("出错了：" + err.message, "error");
      return;
    }
    if (err.status === 412 && err.code === "stale_version") return E.conflict(err);
    E.clearRefusals();
    var d = err.details || {};
    var drawn = 0;
    (d.overlaps || []).forEach(function (o) {
      if (o.overlap) {
        L.geoJSON(o.overlap, { pmIgnore: true, snapIgnore: true, interactive: false, className: "refusal-overlap", style: { color: "#b00020", weight: 2, fillColor: "#ff1744", fillOpacity: 0.55 } }).addTo(E.refusals);
        drawn++;
      }
      if (o.location) {
        L.marker(lonLat(o.location), { pmIgnore: true, snapIgnore: true, opacity: 0, interactive: false, keyboard: false })
          .bindTooltip("与网格 " + o.grid + " 重叠约 " + Math.round(o.overlap_area_m2) + " 平方米", { permanent: true, className: "refusal-tip", direction: "top" })
          .addTo(E.refusals);
      }
    });
    if (d.location) {
      L.circleMarker(lonLat(d.location), { pmIgnore: true, snapIgnore: true, radius: 10, color: "#b00020", weight: 3, fillOpacity: 0.3, className: "refusal-point" })
        .bindTooltip(err.message, { permanent: true, className: "refusal-tip", direction: "top" })
        .addTo(E.refusals);
      drawn++;
    }
    if (d.line) {
      L.geoJSON(d.line, { pmIgnore: true, snapIgnore: true, style: { color: "#b00020", dashArray: "4 4" } }).addTo(E.refusals);
    }
    mapEl.setAttribute("data-console-refused", err.code);
    E.say("未保存：" + err.message + (drawn ? "（已在地图上标出）" : ""), "error");
  };

  /* 412: someone saved the grid meanwhile; show their version next to ours */
  E.conflict = function (err) {
    var d = err.details;
    var current = d.current;
    E.clearRefusals();
    if (current) {
      var code = d.grid;
      E.features[code] = current;
      L.geoJSON(current, { pmIgnore: true, snapIgnore: true, interactive: false, style: { color: "#6a1b9a", weight: 3, dashArray: "8 5", fillOpacity: 0.05 } }).addTo(E.refusals);
    }
    mapEl.setAttribute("data-console-refused", err.code);
    var who = current && current.properties ? "（当前为第 " + d.current_version + " 次修订" + (current.properties.name ? "，名称“" + current.properties.name + "”" : "") + "）" : "";
    E.say("此网格已被他人修改" + who + "，你的修改未保存。紫色虚线是对方保存的版本；可以在其基础上重新修改。", "error");
    var restart = ZC.button("以最新版本重新修改", function () {
      E.clearRefusals();
      var mode = E.mode;
      E.finish().then(function () {
        E.select(d.grid);
        if (E.ops[mode]) E.ops[mode]();
      });
    }, { id: "console-restart" });
    form.appendChild(restart);
  };

  /* what an edit moved: re-routed appointments, ended and new assignments */
  E.report = function (body, what) {
    var parts = [what];
    if (body && body.rerouted_count) {
      var to = {};
      (body.rerouted || []).forEach(function (r) {
        var name = r.to_agent ? r.to_agent.name : r.to_queue ? "队列 " + r.to_queue : "待分派";
        to[name] = (to[name] || 0) + 1;
      });
      parts.push(body.rerouted_count + " 个待办预约已改派至 " + Object.keys(to).map(function (n) { return n + (to[n] > 1 ? "（" + to[n] + "）" : ""); }).join("、"));
    }
    if (body && body.assignments_ended) parts.push("结束原指派 " + body.assignments_ended + " 项");
    if (body && body.assignments && body.assignments.length) parts.push("新指派 " + body.assignments.length + " 项");
    E.say(parts.join("；") + "。", "ok");
  };

  /* tiles and grids read again; data-console-saves counts changes once all is shown */
  function afterChange(selectCode) {
    ZC.refreshTiles();
    E.staffing.forget();
    return E.load().then(function () {
      if (selectCode !== undefined) E.select(selectCode && E.features[selectCode] ? selectCode : null);
      E.saves++;
      mapEl.setAttribute("data-console-saves", String(E.saves));
    });
  }

  /* after a save: the operation ends, the grids and tiles are read again */
  E.saved = function (body, what, selectCode) {
    E.clearRefusals();
    mapEl.removeAttribute("data-console-refused");
    return E.finish(true).then(function () {
      E.report(body, what);
      if (E.loadProposals) E.loadProposals();
      return afterChange(selectCode || null);
    });
  };

  // --- operations of this file: draw, edit, retire -----------------------------------------
  E.communityField = function (bounds, fixed) {
    var select = el("select", { id: "grid-community", "aria-label": "所属社区" });
    var node = el("label", { class: "field" }, ["所属社区 ", select]);
    var b = bounds;
    var url = ZC.urls.areas + "?level=community&crs=wgs84&bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
    ZC.getAllFeatures(url).then(function (areas) {
      areas.forEach(function (a) {
        var code = a.properties.code || a.id;
        select.appendChild(el("option", { value: code, selected: code === fixed }, [a.properties.name + "（" + code + "）"]));
      });
    });
    return { input: select, node: node };
  };

  E.newGridForm = function (layer, community) {
    var name = E.input("grid-name", "网格名称", "", { required: true });
    var comm = E.communityField(layer.getBounds(), community);
    E.showForm("新网格", [name.node, comm.node], "保存新网格", function () {
      return ZC.request("POST", ZC.urls.grids, {
        body: { community: comm.input.value, name: name.input.value, boundary: layer.toGeoJSON(false).geometry, crs: "wgs84" }
      }).then(function (res) {
        return E.saved(res.body, "已新建网格 " + res.body.properties.name + "（" + (res.body.properties.code || res.body.id) + "）", res.body.properties.code || res.body.id);
      });
    });
  };

  E.ops.draw = function () {
    E.begin("draw");
    E.say("在地图上依次点击顶点（会吸附到相邻网格的顶点和边），点击第一个顶点闭合；Esc 取消。");
    map.pm.enableDraw("Polygon", L.extend({ continueDrawing: false }, SNAP));
  };

  map.on("pm:create", function (e) {
    if (E.mode === "draw" && e.shape === "Polygon") {
      E.startWork(e.layer);
      E.say("可以继续调整顶点，然后填写名称并保存。");
      E.newGridForm(e.layer, null);
    } else if (E.onLineDrawn && e.shape === "Line") {
      E.onLineDrawn(e.layer);
    } else {
      map.removeLayer(e.layer);
    }
  });

  E.ops.edit = function () {
    var code = E.selected;
    var f = E.features[code];
    if (!f) return;
    E.begin("edit");
    var layer = L.geoJSON(f).getLayers()[0];
    if (E.layers[code]) E.gridLayer.removeLayer(E.layers[code]);
    E.startWork(layer, code);
    E.say("拖动顶点修改边界，点边中点增加顶点，右键顶点删除；会吸附到相邻网格，共用的边保持共用。");
    var note = E.input("edit-note", "修改说明", "");
    E.showForm("修改 " + f.properties.name + " 的边界", [note.node], "保存边界", function () {
      return ZC.request("PATCH", ZC.url("grid", { code: code }), {
        ifMatch: E.revision(code),
        body: { boundary: layer.toGeoJSON(false).geometry, crs: "wgs84", note: note.input.value }
      }).then(function (res) {
        if (res.status === 202) {
          var p = res.body;
          return E.saved(null, "").then(function () {
            E.say("修改超出你管辖的范围（" + (p.reason_message || p.reason) + "），已作为变更申请提交，等待管辖双方的人员批准。", "ok");
            mapEl.setAttribute("data-console-proposed", String(p.id));
          });
        }
        return E.saved(res.body, "已保存 " + f.properties.name + " 的新边界", code);
      });
    });
  };

  E.ops.retire = function () {
    var code = E.selected;
    var f = E.features[code];
    if (!f) return;
    E.begin("retire");
    var reason = E.input("retire-reason", "撤销原因", "", { required: true });
    E.say("撤销后网格不再使用，编码和历史保留；其指派随之结束，待办预约重新分派。");
    E.showForm("撤销网格 " + f.properties.name, [reason.node], "撤销网格", function () {
      return ZC.request("POST", ZC.url("retire", { code: code }), {
        ifMatch: E.revision(code),
        body: { reason: reason.input.value }
      }).then(function (res) {
        return E.saved(res.body, "已撤销网格 " + f.properties.name, null);
      });
    });
  };

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && E.on && E.mode) {
      E.say("已取消。");
      E.finish();
    }
  });

  // --- edit mode on and off -----------------------------------------------------------------
  map.on("moveend", function () {
    if (E.on) E.load();
  });

  // gaps are recomputed by a schedule once a community has been quiet (tiles/gaps.py): while
  // editing, the tiles are asked again every minute (unchanged ones answer 304)
  var ticker = null;

  toggle.addEventListener("click", function () {
    E.on = !E.on;
    toggle.setAttribute("aria-pressed", String(E.on));
    toggle.textContent = E.on ? "结束编辑" : "编辑网格";
    box.hidden = !E.on;
    document.body.classList.toggle("editing", E.on);
    if (E.on) {
      E.say("编辑模式：点击网格查看人员配置，或选择一个工具。");
      updateTools();
      E.load();
      if (E.loadProposals) E.loadProposals();
      ticker = window.setInterval(ZC.refreshTiles, 60000);
    } else {
      window.clearInterval(ticker);
      E.finish();
      E.clearRefusals();
      E.gridLayer.clearLayers();
      E.layers = {};
      E.select(null);
    }
  });
})();
