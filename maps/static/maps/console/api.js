/* 网格编辑台 (zone console), part 1: talking to the API. Plain script, no build step; loaded
 * after map.js on /map/ for users the page config says may edit (config.console).
 * Every request carries the session cookie and the CSRF token; an answer that is not 2xx
 * becomes an ApiError holding the server's error (code, message, details) and status. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("map-config").textContent);
  var ZC = (window.ZoneConsole = window.ZoneConsole || {});
  ZC.cfg = cfg;
  ZC.urls = cfg.console.urls;

  function ApiError(status, body) {
    var err = (body && body.error) || {};
    this.status = status;
    this.code = err.code || "http_" + status;
    this.message = err.message || "请求失败（HTTP " + status + "）";
    this.details = err.details || {};
    this.body = body;
  }
  ApiError.prototype = Object.create(Error.prototype);
  ApiError.prototype.name = "ApiError";
  ZC.ApiError = ApiError;

  /* fill {placeholders} of a URL template, escaping each value */
  ZC.url = function (name, params) {
    var url = ZC.urls[name];
    Object.keys(params || {}).forEach(function (k) {
      url = url.replace("{" + k + "}", encodeURIComponent(params[k]));
    });
    return url;
  };

  /* request(method, url, {body, ifMatch}) → Promise of {status, body, etag, headers} */
  ZC.request = function (method, url, options) {
    options = options || {};
    var headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = cfg.console.csrfToken;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.ifMatch) headers["If-Match"] = options.ifMatch;
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body)
    }).then(function (r) {
      var type = r.headers.get("content-type") || "";
      var read = type.indexOf("json") >= 0 ? r.json() : Promise.resolve(null);
      return read.then(function (body) {
        if (!r.ok) throw new ApiError(r.status, body);
        return { status: r.status, body: body, etag: r.headers.get("ETag"), headers: r.headers };
      });
    });
  };

  ZC.get = function (url) {
    return ZC.request("GET", url);
  };

  /* every page of a paginated GeoJSON list */
  ZC.getAllFeatures = function (url) {
    var features = [];
    function page(u) {
      return ZC.get(u).then(function (res) {
        features = features.concat(res.body.features || []);
        return res.body.next ? page(res.body.next) : features;
      });
    }
    return page(url);
  };

  /* small DOM helper: el("button", {type: "button"}, ["保存"]) */
  ZC.el = function (tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === false || attrs[k] === null || attrs[k] === undefined) return;
      node.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return node;
  };

  ZC.button = function (label, onClick, attrs) {
    var b = ZC.el("button", L.extend({ type: "button" }, attrs || {}), [label]);
    b.addEventListener("click", onClick);
    return b;
  };

  ZC.date = function (iso) {
    return iso ? String(iso).slice(0, 10) : "";
  };

  ZC.today = function () {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  };

  /* the map's tile layers drawn again: each layer asks for its tiles anew and the server answers
   * 304 for tiles whose data generation did not change (tiles are `no-cache` with an ETag), so
   * only the changed tiles travel */
  ZC.refreshTiles = function () {
    var layers = window.gridMapLayers || {};
    ["grids", "gaps", "areas"].forEach(function (name) {
      if (layers[name] && layers[name]._map) layers[name].redraw();
    });
    ZC.tilesRefreshed = (ZC.tilesRefreshed || 0) + 1;
    document.getElementById("map").setAttribute("data-tiles-refreshed", String(ZC.tilesRefreshed));
  };
})();
