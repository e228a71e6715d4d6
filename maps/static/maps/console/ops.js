/* 网格编辑台, part 4: split along a line, merge two grids, fill a coverage gap, proposals.
 * Each plugs into ZoneConsole.editor (editor.js) and goes through the API
 * (docs/zone-console-api.md): the server cuts, checks and decides; nothing here is a rule. */
(function () {
  "use strict";

  var ZC = window.ZoneConsole;
  var E = ZC.editor;
  var el = ZC.el;
  var map = window.gridMap;
  var mapEl = document.getElementById("map");
  var PIECE_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"];

  function currentAssignments(code) {
    return ZC.get(ZC.url("staffing", { code: code })).then(function (res) {
      return res.body.assignments.filter(function (a) { return a.current || a.valid_from; });
    }, function () { return []; });
  }

  // --- split along a drawn line --------------------------------------------------------------
  E.ops.split = function () {
    var code = E.selected;
    var f = E.features[code];
    if (!f) return;
    E.begin("split");
    E.say("画一条穿过“" + f.properties.name + "”的线（两端在网格外），点击最后一个点结束。");
    E.onLineDrawn = function (line) {
      E.onLineDrawn = null;
      map.pm.disableDraw();
      E.startWork(line, null);
      preview(code, f, line);
    };
    map.pm.enableDraw("Line", { snappable: true, snapDistance: 20, finishOn: null });
  };

  function preview(code, f, line) {
    E.say("正在按线切分 …");
    var body = { line: line.toGeoJSON(false).geometry, crs: "wgs84" };
    Promise.all([ZC.request("POST", ZC.url("splitPreview", { code: code }), { body: body }), currentAssignments(code)])
      .then(function (both) {
        var pieces = both[0].body.features;
        var assignments = both[1];
        E.overlay.clearLayers();
        pieces.forEach(function (p, i) {
          L.geoJSON(p, { pmIgnore: true, snapIgnore: true, interactive: false, style: { color: PIECE_COLOURS[i % 5], weight: 2, fillColor: PIECE_COLOURS[i % 5], fillOpacity: 0.35 } })
            .bindTooltip("第 " + (i + 1) + " 块", { permanent: true, direction: "center" })
            .addTo(E.overlay);
        });
        splitForm(code, f, line, pieces, assignments);
      })
      .catch(function (err) {
        E.refused(err);
        // the line stays: draw another one or give up
        E.form.textContent = "";
        E.form.appendChild(ZC.button("重新画线", function () { E.finish().then(function () { E.select(code); E.ops.split(); }); }, { id: "split-redraw" }));
      });
  }

  function splitForm(code, f, line, pieces, assignments) {
    var names = pieces.map(function (p, i) {
      return E.input("split-name-" + i, "第 " + (i + 1) + " 块名称（约 " + Math.round(p.properties.area_m2) + " 平方米）", f.properties.name + " " + (i + 1));
    });
    var carries = assignments.map(function (a, j) {
      var select = el("select", { id: "carry-" + j, "aria-label": a.agent.name + "（" + a.kind_display + "）转入" }, [
        el("option", { value: "" }, ["不转入"])
      ].concat(pieces.map(function (p, i) {
        return el("option", { value: String(i), selected: i === 0 }, ["第 " + (i + 1) + " 块"]);
      })));
      return { a: a, select: select, node: el("label", { class: "field" }, [a.agent.name + "（" + a.kind_display + "）转入 ", select]) };
    });
    var fields = names.map(function (n) { return n.node; });
    if (carries.length) fields.push(el("p", { class: "muted" }, ["原网格的指派在拆分时结束；选择每人转入哪一块："]));
    fields = fields.concat(carries.map(function (c) { return c.node; }));
    E.say("拆成 " + pieces.length + " 块：填写名称，选择指派转入哪一块，然后保存。");
    E.showForm("拆分 " + f.properties.name, fields, "保存拆分", function () {
      var parts = names.map(function (n, i) {
        return {
          name: n.input.value,
          assignments: carries.filter(function (c) { return c.select.value === String(i); }).map(function (c) {
            return { staff: c.a.agent.id, kind: c.a.kind };
          })
        };
      });
      return ZC.request("POST", ZC.url("split", { code: code }), {
        ifMatch: E.revision(code),
        body: { line: line.toGeoJSON(false).geometry, parts: parts, crs: "wgs84" }
      }).then(function (res) {
        var made = res.body.features.map(function (g) { return g.properties.code || g.id; });
        mapEl.setAttribute("data-console-split", made.join(","));
        return E.saved(res.body, "已把 " + f.properties.name + " 拆分为 " + made.join("、"), made[0]);
      });
    });
  }

  E.formText = function () {
    var s = document.getElementById("console-status");
    return s ? s.textContent : "";
  };

  // --- merge with an adjacent grid -----------------------------------------------------------
  E.ops.merge = function () {
    var code = E.selected;
    var f = E.features[code];
    if (!f) return;
    E.begin("merge");
    E.say("在地图上点击（或在“当前网格”中选择）与“" + f.properties.name + "”相邻的另一个网格。");
    E.onGridClick = function (other) {
      if (other === code) return true;
      E.onGridClick = null;
      if (E.layers[other]) E.layers[other].setStyle({ color: "#000", weight: 4, fillOpacity: 0.18 });
      mergeForm(code, other);
      return true;
    };
  }

  function mergeForm(a, b) {
    var fa = E.features[a];
    var fb = E.features[b];
    Promise.all([currentAssignments(a), currentAssignments(b)]).then(function (both) {
      var name = E.input("merge-name", "合并后名称", fa.properties.name);
      var carries = both[0].map(function (x) { return [x, true]; }).concat(both[1].map(function (x) { return [x, false]; }))
        .map(function (pair, j) {
          var box = el("input", { type: "checkbox", id: "merge-carry-" + j, checked: pair[1] });
          return { a: pair[0], box: box, node: el("label", { class: "field" }, [box, " " + pair[0].agent.name + "（" + pair[0].kind_display + "）转入合并后的网格"]) };
        });
      E.say("合并 " + fa.properties.name + " 与 " + fb.properties.name + "：两者须相邻且同属一个社区。");
      E.showForm("合并网格", [name.node].concat(carries.map(function (c) { return c.node; })), "保存合并", function () {
        var versions = {};
        versions[a] = fa.properties.revision;
        versions[b] = fb.properties.revision;
        return ZC.request("POST", ZC.urls.merge, {
          body: {
            grids: [a, b],
            name: name.input.value,
            versions: versions,
            assignments: carries.filter(function (c) { return c.box.checked; }).map(function (c) {
              return { staff: c.a.agent.id, kind: c.a.kind };
            })
          }
        }).then(function (res) {
          var made = res.body.properties.code || res.body.id;
          return E.saved(res.body, "已合并为 " + res.body.properties.name + "（" + made + "）", made);
        });
      });
    });
  }

  // --- fill a coverage gap -------------------------------------------------------------------
  function inRing(pt, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if (yi > pt[1] !== yj > pt[1] && pt[0] < ((xj - xi) * (pt[1] - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function polygons(geometry) {
    return geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  }

  function gapsOf(community) {
    return ZC.get(ZC.urls.coverage + "?crs=wgs84&area=" + encodeURIComponent(community)).then(function (res) {
      var out = [];
      res.body.features.forEach(function (f) {
        if (f.properties.kind !== "gap") return;
        polygons(f.geometry).forEach(function (rings) {
          out.push({ community: f.properties.community || community, rings: rings, area: f.properties.area_m2 });
        });
      });
      return out;
    });
  }

  function fillWith(gap) {
    var layer = L.polygon(gap.rings.map(function (ring) {
      return ring.map(function (p) { return [p[1], p[0]]; });
    }));
    E.startWork(layer, null);
    E.say("缺口已成为新网格的草图：可以调整顶点，然后填写名称并保存。");
    mapEl.setAttribute("data-console-filling", gap.community);
    E.newGridForm(layer, gap.community);
  }

  E.ops.fill = function () {
    E.begin("fill");
    E.say("点击地图上的一个覆盖缺口（粉色），或在下方列表中选择。");
    var communities = {};
    Object.keys(E.features).forEach(function (c) { communities[E.features[c].properties.community] = true; });
    if (ZC.cfg.console.centre) communities[ZC.cfg.console.centre] = true;
    var list = el("ul", { class: "gap-list", "aria-label": "视野内的覆盖缺口" });
    E.form.appendChild(list);
    Object.keys(communities).slice(0, 12).forEach(function (c) {
      gapsOf(c).then(function (gaps) {
        gaps.forEach(function (g) {
          list.appendChild(el("li", null, [ZC.button("缺口 · " + g.community + " · 约 " + Math.round(g.area) + " 平方米", function () { fillWith(g); })]));
        });
      }, function () {});
    });
  };

  var gapsLayer = (window.gridMapLayers || {}).gaps;
  if (gapsLayer) {
    gapsLayer.on("click", function (e) {
      if (!E.on || E.mode !== "fill") return;
      map.closePopup();
      var community = e.layer.properties.community;
      var pt = [e.latlng.lng, e.latlng.lat];
      gapsOf(community).then(function (gaps) {
        var hit = gaps.filter(function (g) { return inRing(pt, g.rings[0]); })[0] || gaps[0];
        if (hit) fillWith(hit);
        else E.say("这个社区已没有缺口（地图稍后更新）。");
      }).catch(function (err) { E.refused(err); });
    });
  }

  // --- proposals -----------------------------------------------------------------------------
  E.loadProposals = function () {
    return ZC.get(ZC.urls.proposals + "?status=open&crs=wgs84").then(function (res) {
      var items = res.body.results || [];
      var box = E.proposalsBox;
      box.textContent = "";
      mapEl.setAttribute("data-console-proposals", String(items.length));
      if (!items.length) return;
      box.appendChild(el("h3", null, ["待审批的边界变更（" + items.length + "）"]));
      var list = el("ul", { class: "proposals" });
      items.forEach(function (p) {
        list.appendChild(el("li", { "data-proposal": p.id }, [
          "网格 " + p.grid + " · " + (p.reason_message || p.reason) + " · " + p.proposed_by + " ",
          ZC.button("查看", function () { showProposal(p); }, { "aria-label": "查看网格 " + p.grid + " 的变更申请" })
        ]));
      });
      box.appendChild(list);
    }, function () {});
  };

  function showProposal(p) {
    E.begin(null);
    var before = L.geoJSON(p.before, { pmIgnore: true, snapIgnore: true, interactive: false, style: { color: "#222", weight: 3, dashArray: "6 4", fillOpacity: 0 } });
    var after = L.geoJSON(p.after, { pmIgnore: true, snapIgnore: true, interactive: false, style: { color: "#e67e22", weight: 3, fillColor: "#f5b041", fillOpacity: 0.3 } });
    before.addTo(E.overlay);
    after.addTo(E.overlay);
    map.fitBounds(after.getBounds().extend(before.getBounds()), { maxZoom: 17, padding: [40, 40] });
    mapEl.setAttribute("data-console-proposal-shown", String(p.id));
    E.say("变更申请 #" + p.id + "：网格 " + p.grid + " · " + (p.reason_message || p.reason) + "。");
    var fields = [el("p", null, ["黑色虚线：现状；橙色：申请后的边界。申请人 " + p.proposed_by + "，涉及 " + (p.neighbours || []).join("、") + "。"]), el("p", { class: "muted" }, [p.note || ""])];
    if (!p.may_decide) {
      fields.push(el("p", { class: "muted" }, ["你不能审批这项申请（须管辖涉及的所有区域，且不是申请人）。"]));
      E.form.textContent = "";
      E.form.appendChild(el("fieldset", { class: "console-fieldset" }, [el("legend", null, ["变更申请 #" + p.id])].concat(fields, [ZC.button("关闭", function () { E.finish(); })])));
      return;
    }
    var reason = E.input("reject-reason", "驳回理由", "");
    var reject = ZC.button("驳回", function () {
      ZC.request("POST", ZC.url("proposalReject", { id: p.id }), { body: { reason: reason.input.value } })
        .then(function () { return E.saved(null, "已驳回变更申请 #" + p.id); })
        .catch(E.refused);
    }, { id: "proposal-reject", class: "danger" });
    E.showForm("变更申请 #" + p.id + " · 网格 " + p.grid, fields.concat([reason.node, reject]), "批准并应用", function () {
      return ZC.request("POST", ZC.url("proposalApply", { id: p.id }), { body: {} }).then(function (res) {
        return E.saved(res.body, "已批准并应用变更申请 #" + p.id, p.grid);
      });
    });
  }
})();
