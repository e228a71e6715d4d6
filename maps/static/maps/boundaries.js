/* 边界文件导入: upload a boundary file to /api/v1/boundary-uploads/, poll its status while a
 * worker reads it, draw the preview (refused features in red, each reason listed; a click on a
 * reason zooms to its feature), preview again with other options, apply all or nothing.
 * Configuration comes from the page (#boundaries-config). For tests the page sets
 * body[data-upload-status] and #map[data-refused-drawn|data-accepted-drawn]. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("boundaries-config").textContent);
  var form = document.getElementById("upload-form");
  var mapEl = document.getElementById("map");
  var statusEl = document.getElementById("status");
  var summaryEl = document.getElementById("summary");
  var refusalsSection = document.getElementById("refusals-section");
  var refusalsEl = document.getElementById("refusals");
  var acceptedSection = document.getElementById("accepted-section");
  var acceptedEl = document.getElementById("accepted");
  var uploadButton = document.getElementById("upload");
  var repreviewButton = document.getElementById("repreview");
  var applyButton = document.getElementById("apply");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  var STATUS_ZH = {
    parsing: "正在读取文件并检查每个要素……",
    ready: "预览已生成。",
    failed: "文件被拒绝，未保存任何内容。",
    applying: "正在导入……",
    applied: "已全部导入。"
  };
  var ACTION_ZH = { create: "新建", update: "更新" };
  var REFUSED_STYLE = { color: "#d7301f", weight: 3, fillColor: "#d7301f", fillOpacity: 0.35 };
  var ACCEPTED_STYLE = { color: "#2171b5", weight: 2, fillColor: "#2171b5", fillOpacity: 0.15 };

  var map = L.map(mapEl, { minZoom: 3, maxZoom: 19 });
  map.fitBounds(cfg.bounds);
  window.boundaryMap = map; // for tests
  if (cfg.basemap) {
    L.tileLayer(cfg.basemap.url, {
      attribution: cfg.basemap.attribution,
      subdomains: cfg.basemap.subdomains,
      maxZoom: 18
    }).addTo(map);
  }
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "preview-legend");
    div.appendChild(legendRow("refused", "被拒绝的要素"));
    div.appendChild(legendRow("accepted", "可导入的要素"));
    return div;
  };
  legend.addTo(map);

  var preview = L.featureGroup().addTo(map);
  var current = null; // the upload as the server last answered
  var pollTimer = null;

  function legendRow(kind, text) {
    var row = document.createElement("div");
    var swatch = document.createElement("i");
    swatch.className = kind;
    row.appendChild(swatch);
    row.appendChild(document.createTextNode(text));
    return row;
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "status" + (kind ? " " + kind : "");
  }

  function api(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = L.extend({ "X-CSRFToken": csrf, Accept: "application/json" }, options.headers);
    return fetch(url, options).then(function (response) {
      return response.json().then(
        function (body) {
          return { ok: response.ok, status: response.status, body: body };
        },
        function () {
          return { ok: false, status: response.status, body: {} };
        }
      );
    });
  }

  function refused(response) {
    var error = (response.body && response.body.error) || {};
    setStatus((error.message || "请求失败（" + response.status + "）") + (error.code ? "［" + error.code + "］" : ""), "failed");
    busy(false);
  }

  function busy(on) {
    if (on) document.body.dataset.uploadStatus = "sending"; // until the server answers
    uploadButton.disabled = on;
    var settled = current && (current.status === "ready" || current.status === "failed");
    repreviewButton.disabled = on || !settled;
    applyButton.disabled = on || !(current && current.status === "ready" && current.result && current.result.refused === 0);
  }

  function options() {
    return {
      make_valid: document.getElementById("make-valid").checked,
      source_crs: document.getElementById("source-crs").value,
      parent: document.getElementById("parent").value.trim()
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = document.getElementById("file").files[0];
    if (!file) {
      setStatus("请选择一个边界文件。", "failed");
      return;
    }
    if (file.size > cfg.maxBytes) {
      setStatus("文件超过 " + Math.round(cfg.maxBytes / 1048576) + " MB 的上限。", "failed");
      return;
    }
    var data = new FormData();
    var opts = options();
    data.append("file", file);
    data.append("level", document.getElementById("level").value);
    data.append("parent", opts.parent);
    data.append("make_valid", opts.make_valid ? "true" : "false");
    data.append("source_crs", opts.source_crs);
    current = null;
    clearPreview();
    busy(true);
    setStatus("正在上传……");
    api(cfg.uploadUrl, { method: "POST", body: data }).then(function (response) {
      if (!response.ok) return refused(response);
      show(response.body);
    }, networkFailed);
  });

  repreviewButton.addEventListener("click", function () {
    if (!current) return;
    busy(true);
    clearPreview();
    api(current.url + "preview/", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(options())
    }).then(function (response) {
      if (!response.ok) return refused(response);
      show(response.body);
    }, networkFailed);
  });

  applyButton.addEventListener("click", function () {
    if (!current) return;
    busy(true);
    api(current.url + "apply/", { method: "POST" }).then(function (response) {
      if (!response.ok) return refused(response);
      show(response.body);
    }, networkFailed);
  });

  function networkFailed() {
    setStatus("无法连接服务器，请稍后重试。", "failed");
    busy(false);
  }

  function poll() {
    api(current.url).then(function (response) {
      if (!response.ok) return refused(response);
      show(response.body);
    }, networkFailed);
  }

  function show(upload) {
    current = upload;
    document.body.dataset.uploadStatus = upload.status;
    clearTimeout(pollTimer);
    if (upload.status === "parsing" || upload.status === "applying") {
      setStatus(STATUS_ZH[upload.status]);
      busy(true);
      document.body.dataset.uploadStatus = upload.status;
      pollTimer = setTimeout(poll, 700);
      return;
    }
    busy(false);
    if (upload.status === "failed") {
      var error = upload.error || {};
      setStatus(STATUS_ZH.failed + " " + (error.message || "") + (error.code ? "［" + error.code + "］" : ""), "failed");
      clearPreview();
      return;
    }
    var result = upload.result || {};
    if (upload.status === "applied") {
      setStatus(
        STATUS_ZH.applied + "新建 " + (result.created || []).length + " 个，更新 " + (result.updated || []).length + " 个。",
        "applied"
      );
    } else if (result.refused) {
      setStatus(result.refused + " 个要素被拒绝：修改文件或调整选项后重新预览；未保存任何内容。", "failed");
    } else {
      setStatus(STATUS_ZH.ready + "全部 " + result.features + " 个要素均可导入，点击“全部导入”。");
    }
    drawPreview(result);
  }

  function clearPreview() {
    preview.clearLayers();
    summaryEl.textContent = "";
    refusalsEl.textContent = "";
    acceptedEl.textContent = "";
    refusalsSection.hidden = true;
    acceptedSection.hidden = true;
    mapEl.dataset.refusedDrawn = "0";
    mapEl.dataset.acceptedDrawn = "0";
  }

  function summaryRow(table, label, value) {
    var row = el("tr");
    row.appendChild(el("th", label));
    row.appendChild(el("td", value));
    table.appendChild(row);
  }

  function drawPreview(result) {
    clearPreview();
    var table = el("table", null, "summary-table");
    summaryRow(table, "要素", String(result.features));
    summaryRow(table, "可导入", String(result.accepted));
    summaryRow(table, "被拒绝", String(result.refused));
    if (result.repaired) summaryRow(table, "已修复", String(result.repaired));
    var named = result.source_srs && result.source_srs.indexOf("none") !== 0;
    summaryRow(table, "文件坐标系", "EPSG:" + result.epsg + (named ? "（" + result.source_srs + "）" : "（未声明，按 WGS-84）"));
    if (result.source_crs && result.source_crs !== "wgs84") {
      summaryRow(table, "描绘所用地图", result.source_crs.toUpperCase());
    }
    summaryEl.appendChild(table);

    var counts = { refused: 0, accepted: 0 };
    var features = (result.preview && result.preview.features) || [];
    features.forEach(function (feature) {
      var p = feature.properties;
      var isRefused = p.status === "refused";
      var layer = null;
      if (feature.geometry) {
        layer = L.geoJSON(feature, { style: isRefused ? REFUSED_STYLE : ACCEPTED_STYLE });
        layer.bindPopup(popup(p));
        preview.addLayer(layer);
        counts[p.status] += 1;
      }
      if (isRefused) {
        var location = p.details && p.details.location;
        if (location && location.length === 2) {
          var marker = L.circleMarker([location[1], location[0]], {
            radius: 7, color: "#7f0000", weight: 2, fillColor: "#d7301f", fillOpacity: 0.9
          }).bindPopup(popup(p));
          preview.addLayer(marker);
        }
        refusalsEl.appendChild(refusalItem(p, layer, location));
      } else {
        var repaired = p.repair ? "（已修复，面积变化 " + formatPercent(p.repair.change_percent) + "）" : "";
        acceptedEl.appendChild(
          el("li", label(p) + " · " + (ACTION_ZH[p.action] || p.action) + repaired)
        );
      }
    });
    refusalsSection.hidden = result.refused === 0;
    acceptedSection.hidden = result.accepted === 0;
    mapEl.dataset.refusedDrawn = String(counts.refused);
    mapEl.dataset.acceptedDrawn = String(counts.accepted);
    if (preview.getLayers().length) map.fitBounds(preview.getBounds(), { padding: [20, 20] });
  }

  function formatPercent(value) {
    return value === null || value === undefined ? "—" : value.toFixed(3) + " %";
  }

  function label(p) {
    return "要素 " + p.index + (p.code ? "（" + p.code + (p.name && p.name !== p.code ? " " + p.name : "") + "）" : "");
  }

  function popup(p) {
    var div = el("div");
    div.appendChild(el("strong", label(p)));
    if (p.status === "refused") {
      div.appendChild(el("div", p.message));
      div.appendChild(el("div", p.error, "code"));
    } else {
      div.appendChild(el("div", ACTION_ZH[p.action] || p.action));
    }
    return div;
  }

  function refusalItem(p, layer, location) {
    var item = el("li");
    var button = el("button");
    button.type = "button";
    button.dataset.feature = String(p.index);
    button.appendChild(el("strong", label(p)));
    button.appendChild(el("br"));
    button.appendChild(el("span", p.error, "code"));
    button.appendChild(document.createTextNode(" " + p.message));
    if (!layer) {
      button.appendChild(el("div", "（无法读取几何，地图上无法显示）", "hint small"));
    }
    button.addEventListener("click", function () {
      if (layer) {
        map.fitBounds(layer.getBounds(), { padding: [40, 40], maxZoom: 18 });
        layer.openPopup();
      } else if (location) {
        map.setView([location[1], location[0]], 17);
      }
    });
    item.appendChild(button);
    return item;
  }
})();
