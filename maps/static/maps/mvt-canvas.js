/* L.MvtCanvas: one layer of a Mapbox Vector Tile source drawn on canvas, for layers with many
 * shapes (the grids: tens of thousands at district zoom). One purpose: fetch a tile, decode it
 * (a minimal MVT reader, below), draw its features with Path2D in the tile's own pixel space, and
 * keep per tile a compact list (properties, pixel bbox, rings) — no Leaflet object per feature,
 * no projection per vertex (tile extent → pixels is a scale). Polygons and lines (points are
 * left to layers with few of them).
 *
 * Decoding and drawing run in a Web Worker (this same file, started as one: CSP `worker-src
 * 'self'`, no blob:, no eval) on an OffscreenCanvas: the page's main thread only fetches the
 * tile, styles its features (the style function stays the page's) and copies the worker's
 * finished bitmap onto the tile's canvas, so rasterising tens of thousands of shapes does not
 * stretch the frames of a pan (ADR 0034). Where a browser has no OffscreenCanvas, or the worker
 * fails, the same code draws on the main thread.
 *
 * The kept lists serve:
 *   layer.restyle([only])  draw the tiles again from what they kept (a new colour scheme, the
 *                          selected shape), nothing fetched; a Promise, settled once drawn
 *   layer.featureAt(latlng) the shape drawn at a point (bbox, then its rings' winding number),
 *                          for a map click: the canvases take no pointer events, so every click
 *                          reaches the map (and the zone console's drawing tools)
 *   layer.featureCount()   the shapes drawn by the tiles in view
 *   layer.redraw()         (L.GridLayer's) every tile fetched again; the browser revalidates
 *                          with the tile's ETag, so unchanged tiles come back as 304s
 * Options: layer (the MVT layer's name), style(properties) → null (not drawn) or {fill,
 * fillOpacity, color, weight, opacity, dash, last}, fetchOptions, and L.GridLayer's (minZoom,
 * zIndex, maxNativeZoom…). The URL is an L.Util.template over {z}/{x}/{y} and the layer's
 * options. */
(function () {
  "use strict";

  var inWorker = typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope;

  // --- a minimal MVT reader (the protobuf of github.com/mapbox/vector-tile-spec 2.1) ---------
  var utf8 = new TextDecoder("utf-8");

  function Reader(bytes) {
    this.b = bytes;
    this.pos = 0;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  Reader.prototype.varint = function () {
    var b = this.b, value = 0, shift = 1, byte;
    do {
      byte = b[this.pos++];
      value += (byte & 0x7f) * shift;
      shift *= 128;
    } while (byte & 0x80);
    return value; // exact below 2^53; a negative int64 (ten bytes) is read by int64()
  };
  Reader.prototype.int64 = function () {
    var start = this.pos, value = this.varint();
    if (this.pos - start < 10) return value;
    var big = 0n, b = this.b;
    for (var i = this.pos - 1; i >= start; i--) big = (big << 7n) | BigInt(b[i] & 0x7f);
    return Number(BigInt.asIntN(64, big));
  };
  Reader.prototype.zigzag = function () {
    var n = this.varint();
    return n % 2 === 1 ? (n + 1) / -2 : n / 2;
  };
  Reader.prototype.end = function () {
    var length = this.varint(); // a length-delimited field: where it ends
    return this.pos + length;
  };
  Reader.prototype.string = function () {
    var end = this.end(), b = this.b, s = "", i = this.pos;
    // short ASCII strings (codes) by hand: a TextDecoder call costs more than the bytes
    while (i < end && b[i] < 0x80 && end - this.pos <= 32) s += String.fromCharCode(b[i++]);
    if (i < end) s = utf8.decode(b.subarray(this.pos, end));
    this.pos = end;
    return s;
  };
  Reader.prototype.skip = function (wire) {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.pos = this.end();
    else if (wire === 5) this.pos += 4;
    else throw new Error("MVT: unknown wire type " + wire);
  };
  // each field of the message up to `end`: fn(field number, wire type)
  Reader.prototype.fields = function (end, fn) {
    while (this.pos < end) {
      var key = this.varint(), before = this.pos;
      fn(Math.floor(key / 8), key & 7);
      if (this.pos === before) this.skip(key & 7); // a field fn did not read
    }
  };

  function readValue(r) {
    var value = null;
    r.fields(r.end(), function (field, wire) {
      if (field === 1) value = r.string();
      else if (field === 2) { value = r.view.getFloat32(r.pos, true); r.pos += 4; }
      else if (field === 3) { value = r.view.getFloat64(r.pos, true); r.pos += 8; }
      else if (field === 4) value = r.int64();
      else if (field === 5) value = r.varint();
      else if (field === 6) value = r.zigzag();
      else if (field === 7) value = r.varint() === 1;
      else r.skip(wire);
    });
    return value;
  }

  /* The geometry commands into the tile's shared lists, in pixels (scale = tile pixels per
   * extent unit): every vertex's x, y appended to `out.xy`, every ring's first vertex to
   * `out.rings`; the feature's bbox returned. */
  function readGeometry(r, scale, out) {
    var end = r.end(), x = 0, y = 0, xy = out.xy, rings = out.rings;
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    while (r.pos < end) {
      var command = r.varint(), id = command & 7, count = command >> 3;
      if (id === 7) continue; // ClosePath: a polygon's rings are closed when drawn
      for (var i = 0; i < count; i++) {
        x += r.zigzag();
        y += r.zigzag();
        var px = x * scale, py = y * scale;
        if (id === 1) rings.push(xy.length / 2);
        xy.push(px, py);
        if (px < minX) minX = px;
        if (px > maxX) maxX = px;
        if (py < minY) minY = py;
        if (py > maxY) maxY = py;
      }
    }
    r.pos = end;
    return [minX, minY, maxX, maxY];
  }

  function readFeature(r, keys, values, scale, out) {
    var end = r.end(), f = { properties: {}, type: 0, bbox: null, ring0: out.rings.length, ringN: 0 };
    var tags = null;
    r.fields(end, function (field, wire) {
      if (field === 1) f.id = r.varint();
      else if (field === 2) {
        var tagsEnd = r.end();
        tags = [];
        while (r.pos < tagsEnd) tags.push(r.varint());
      } else if (field === 3) f.type = r.varint();
      else if (field === 4) f.bbox = readGeometry(r, scale, out);
      else r.skip(wire);
    });
    f.ringN = out.rings.length;
    for (var i = 0; tags && i + 1 < tags.length; i += 2) f.properties[keys[tags[i]]] = values[tags[i + 1]];
    return f;
  }

  /* The layer `name` of an MVT tile, in pixels of a tile `size` px wide: {features: [{type,
   * properties, bbox, ring0, ringN}], xy: Float32Array of vertices, rings: Uint32Array of each
   * ring's first vertex, one more at the end} — feature i's rings are ring0 ≤ k < ringN, ring k's
   * vertices rings[k] ≤ v < rings[k + 1]. A layer's keys and values come after its features in
   * PostGIS's tiles but may come in any order, so a layer is read in two passes: everything but
   * the features, then the features. */
  function decode(bytes, name, size) {
    var r = new Reader(bytes), features = [], out = { xy: [], rings: [] };
    r.fields(bytes.length, function (field) {
      if (field !== 3) return;
      var end = r.end(), start = r.pos, layerName = null, extent = 4096, keys = [], values = [];
      r.fields(end, function (f, wire) {
        if (f === 1) layerName = r.string();
        else if (f === 3) keys.push(r.string());
        else if (f === 4) values.push(readValue(r));
        else if (f === 5) extent = r.varint();
        else r.skip(wire);
      });
      if (layerName !== name) return;
      r.pos = start;
      r.fields(end, function (f, wire) {
        if (f === 2) features.push(readFeature(r, keys, values, size / extent, out));
        else r.skip(wire);
      });
    });
    out.rings.push(out.xy.length / 2);
    return { features: features, xy: new Float32Array(out.xy), rings: new Uint32Array(out.rings) };
  }

  // --- drawing (in the worker, or on the page where there is none) ----------------------------
  function pathOf(tile, i) {
    var f = tile.features[i], path = new Path2D(), xy = tile.xy, rings = tile.rings;
    for (var k = f.ring0; k < f.ringN; k++) {
      var v = rings[k], last = rings[k + 1];
      path.moveTo(xy[2 * v], xy[2 * v + 1]);
      for (v++; v < last; v++) path.lineTo(xy[2 * v], xy[2 * v + 1]);
      if (f.type === 3) path.closePath();
    }
    return path;
  }

  /* A tile in two passes — every fill, then every outline on top — each pass one Path2D per
   * distinct style (the shapes of a style added together): a few draw calls per tile instead of
   * two per shape, which is what a software-rasterised canvas pays for. `styles` are the
   * distinct styles, `chosen[i]` feature i's (-1: not drawn); shapes styled `last` (a selected
   * grid) are drawn after the rest. `scale` is device pixels per tile pixel. */
  function paint(ctx, tile, styles, chosen, scale, width, height) {
    var paths = tile.paths || (tile.paths = []);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    var fills = [], strokes = [], last = [], fillKey = {}, strokeKey = {};
    for (var i = 0; i < chosen.length; i++) {
      var n = chosen[i];
      if (n < 0) continue;
      var s = styles[n], f = tile.features[i], path = paths[i] || (paths[i] = pathOf(tile, i));
      if (s.last) { last.push([path, s, f.type]); continue; }
      if (s.fill && f.type === 3) group(fills, fillKey, s.fill + "|" + s.fillOpacity, s).addPath(path);
      if (s.color && s.weight) group(strokes, strokeKey, [s.color, s.weight, s.opacity, s.dash].join("|"), s).addPath(path);
    }
    var k;
    for (k = 0; k < fills.length; k++) fill(ctx, fills[k].path, fills[k].style);
    for (k = 0; k < strokes.length; k++) stroke(ctx, strokes[k].path, strokes[k].style);
    for (k = 0; k < last.length; k++) {
      if (last[k][1].fill && last[k][2] === 3) fill(ctx, last[k][0], last[k][1]);
      stroke(ctx, last[k][0], last[k][1]);
    }
  }

  function group(list, index, key, s) {
    if (!(key in index)) {
      index[key] = list.length;
      list.push({ style: s, path: new Path2D() });
    }
    return list[index[key]].path;
  }

  var dashes = {};
  function dash(spec) {
    if (!spec) return [];
    return dashes[spec] || (dashes[spec] = String(spec).split(/[ ,]+/).map(Number));
  }

  function fill(ctx, path, s) {
    ctx.globalAlpha = s.fillOpacity === undefined ? 0.2 : s.fillOpacity;
    ctx.fillStyle = s.fill;
    ctx.fill(path); // nonzero: MVT rings wind one way, holes the other
  }

  function stroke(ctx, path, s) {
    if (!s.color || !s.weight) return;
    ctx.globalAlpha = s.opacity === undefined ? 1 : s.opacity;
    ctx.strokeStyle = s.color;
    ctx.lineWidth = s.weight;
    ctx.lineJoin = "round";
    ctx.setLineDash(dash(s.dash));
    ctx.stroke(path);
  }

  // --- the worker: tiles decoded and kept by id, drawn on request --------------------------------
  if (inWorker) {
    var kept = {}, surface = null;
    self.onmessage = function (e) {
      var m = e.data;
      try {
        if (m.op === "decode") {
          var tile = decode(new Uint8Array(m.buffer), m.layer, m.size);
          kept[m.id] = tile;
          // the page gets copies of the vertex lists (for featureAt); the worker keeps its own
          var xy = tile.xy.slice(), rings = tile.rings.slice();
          self.postMessage({ seq: m.seq, features: tile.features, xy: xy, rings: rings }, [xy.buffer, rings.buffer]);
        } else if (m.op === "draw") {
          if (!kept[m.id]) return self.postMessage({ seq: m.seq, bitmap: null });
          if (!surface || surface.width !== m.width || surface.height !== m.height) {
            surface = new OffscreenCanvas(m.width, m.height);
          }
          paint(surface.getContext("2d"), kept[m.id], m.styles, m.chosen, m.scale, m.width, m.height);
          var bitmap = surface.transferToImageBitmap();
          self.postMessage({ seq: m.seq, bitmap: bitmap }, [bitmap]);
        } else if (m.op === "drop") {
          delete kept[m.id];
        }
      } catch (err) {
        self.postMessage({ seq: m.seq, error: String(err && err.message || err) });
      }
    };
    return;
  }

  // --- the page's side: a worker of this same file, asked and answered by sequence number ------
  var scriptUrl = document.currentScript && document.currentScript.src;

  function Painter() {
    this.seq = 0;
    this.waiting = {};
    this.worker = null;
    var canOffscreen = typeof OffscreenCanvas !== "undefined" && typeof Worker !== "undefined" &&
      "transferToImageBitmap" in OffscreenCanvas.prototype;
    if (!canOffscreen || !scriptUrl) return;
    try {
      if (!new OffscreenCanvas(1, 1).getContext("2d")) return;
      this.worker = new Worker(scriptUrl);
    } catch (err) {
      this.worker = null; // refused (a policy, an old browser): the page draws
      return;
    }
    var self = this;
    this.worker.onmessage = function (e) {
      var m = e.data, w = self.waiting[m.seq];
      delete self.waiting[m.seq];
      if (!w) return;
      if (m.error) w.reject(new Error("mvt worker: " + m.error));
      else w.resolve(m);
    };
    this.worker.onerror = function (e) {
      e.preventDefault();
      self.fail(new Error("mvt worker: " + (e.message || "failed")));
    };
  }
  Painter.prototype.fail = function (err) {
    if (this.worker) this.worker.terminate();
    this.worker = null; // from now on the page draws
    var waiting = this.waiting;
    this.waiting = {};
    for (var seq in waiting) waiting[seq].reject(err);
  };
  Painter.prototype.ask = function (message, transfer) {
    var self = this;
    return new Promise(function (resolve, reject) {
      message.seq = ++self.seq;
      self.waiting[message.seq] = { resolve: resolve, reject: reject };
      self.worker.postMessage(message, transfer || []);
    });
  };
  Painter.prototype.tell = function (message) {
    if (this.worker) this.worker.postMessage(message);
  };

  var painter = null; // one worker for every layer of the page, started with the first tile
  var tileIds = 0;

  // a point inside a feature's polygon rings (nonzero winding, as the canvas fills them)
  function contains(tile, f, x, y) {
    var xy = tile.xy, rings = tile.rings, winding = 0;
    for (var k = f.ring0; k < f.ringN; k++) {
      var first = rings[k], end = rings[k + 1];
      for (var v = first; v < end; v++) {
        var w = v + 1 < end ? v + 1 : first;
        var x1 = xy[2 * v], y1 = xy[2 * v + 1], x2 = xy[2 * w], y2 = xy[2 * w + 1];
        var side = (x2 - x1) * (y - y1) - (x - x1) * (y2 - y1);
        if (y1 <= y) {
          if (y2 > y && side > 0) winding++;
        } else if (y2 <= y && side < 0) winding--;
      }
    }
    return winding !== 0;
  }

  L.MvtCanvas = L.GridLayer.extend({
    options: { layer: null, style: null, fetchOptions: { credentials: "same-origin" } },

    initialize: function (url, options) {
      this._url = url;
      L.GridLayer.prototype.initialize.call(this, options);
      this.on("tileunload", function (e) {
        var canvas = e.tile;
        if (canvas._abort) canvas._abort.abort(); // panned away before it came
        canvas._features = null;
        canvas._gone = true;
        if (painter && canvas._remote) painter.tell({ op: "drop", id: canvas._id });
      });
    },

    createTile: function (coords, done) {
      var canvas = L.DomUtil.create("canvas", "leaflet-tile");
      var size = this.getTileSize(), ratio = window.devicePixelRatio || 1;
      canvas.width = Math.round(size.x * ratio);
      canvas.height = Math.round(size.y * ratio);
      canvas._features = [];
      canvas._id = ++tileIds;
      var abort = (canvas._abort = new AbortController());
      var url = L.Util.template(this._url, L.extend({ x: coords.x, y: coords.y, z: coords.z }, this.options));
      var self = this;
      fetch(url, L.extend({ signal: abort.signal }, this.options.fetchOptions))
        .then(function (response) {
          if (response.status === 204) return null;
          if (!response.ok) throw new Error("tile " + url + ": HTTP " + response.status);
          return response.arrayBuffer();
        })
        .then(function (buffer) {
          canvas._abort = null;
          return buffer ? self._decode(canvas, buffer) : null;
        })
        .then(function () {
          return canvas._gone ? null : self._draw(canvas);
        })
        .then(function () {
          done(null, canvas);
        })
        .catch(function (err) {
          canvas._abort = null;
          if (err.name !== "AbortError") done(err, canvas);
        });
      return canvas;
    },

    _decode: function (canvas, buffer) {
      var layer = this.options.layer, size = this.getTileSize().x;
      painter = painter || new Painter();
      if (!painter.worker) return keep(canvas, decode(new Uint8Array(buffer), layer, size), false);
      return painter
        .ask({ op: "decode", id: canvas._id, buffer: buffer, layer: layer, size: size }, [buffer])
        .then(function (m) {
          keep(canvas, m, true);
        });
    },

    /* Styles the tile's features here (the page's style function), then draws them: in the
     * worker, whose bitmap is copied onto the tile, or here. */
    _draw: function (canvas) {
      var style = this.options.style, features = canvas._features, styles = [], index = {};
      var chosen = new Int32Array(features.length);
      for (var i = 0; i < features.length; i++) {
        var s = style(features[i].properties, features[i]);
        if (!s) { chosen[i] = -1; continue; }
        var key = [s.fill, s.fillOpacity, s.color, s.weight, s.opacity, s.dash, s.last ? 1 : 0].join("|");
        if (!(key in index)) {
          index[key] = styles.length;
          styles.push({
            fill: s.fill, fillOpacity: s.fillOpacity, color: s.color, weight: s.weight,
            opacity: s.opacity, dash: s.dash, last: !!s.last
          });
        }
        chosen[i] = index[key];
      }
      var scale = canvas.width / this.getTileSize().x;
      if (canvas._remote && !painter.worker) { // the worker failed after decoding this tile
        this._orphans = true;
        return Promise.resolve();
      }
      if (!canvas._remote) {
        paint(canvas.getContext("2d"), canvas._local, styles, chosen, scale, canvas.width, canvas.height);
        return Promise.resolve();
      }
      var draws = (canvas._draws = (canvas._draws || 0) + 1);
      return painter
        .ask({ op: "draw", id: canvas._id, styles: styles, chosen: chosen, scale: scale, width: canvas.width, height: canvas.height }, [chosen.buffer])
        .then(function (m) {
          // the worker answers in order: an older draw's bitmap is followed by the newer one
          if (!m.bitmap) return;
          if (!canvas._gone && draws === canvas._draws) {
            var ctx = canvas.getContext("2d");
            ctx.setTransform(1, 0, 0, 1, 0, 0);
            ctx.clearRect(0, 0, canvas.width, canvas.height);
            ctx.drawImage(m.bitmap, 0, 0);
          }
          m.bitmap.close();
        });
    },

    /** the tiles drawn again from the features they kept (nothing fetched): all of them, or
     * those with a feature whose properties satisfy `only`; a Promise, settled when drawn */
    restyle: function (only) {
      var drawing = [];
      for (var key in this._tiles) {
        var canvas = this._tiles[key].el;
        if (!canvas._features || canvas._abort || !canvas._geometry) continue;
        if (!only || canvas._features.some(function (f) { return only(f.properties); })) {
          drawing.push(this._draw(canvas));
        }
      }
      if (this._orphans) { // decoded by a worker that failed since: fetched and drawn here
        this._orphans = false;
        this.redraw();
      }
      return Promise.all(drawing);
    },

    /** the feature drawn at `latlng` ({properties, type, bbox}) or null */
    featureAt: function (latlng) {
      var size = this.getTileSize(), style = this.options.style;
      for (var key in this._tiles) {
        var tile = this._tiles[key];
        if (!tile.current || !tile.el._features || !tile.el._geometry) continue;
        var p = this._map.project(latlng, tile.coords.z);
        var x = p.x - tile.coords.x * size.x, y = p.y - tile.coords.y * size.y;
        if (x < 0 || y < 0 || x >= size.x || y >= size.y) continue;
        var features = tile.el._features;
        for (var i = features.length - 1; i >= 0; i--) { // the topmost first
          var f = features[i], b = f.bbox;
          if (x < b[0] || x > b[2] || y < b[1] || y > b[3] || !style(f.properties, f)) continue;
          if (f.type === 3 && contains(tile.el._geometry, f, x, y)) return f;
        }
      }
      return null;
    },

    /** the features drawn by the tiles in view (a shape across two tiles counts twice) */
    featureCount: function () {
      var n = 0;
      for (var key in this._tiles) {
        var tile = this._tiles[key];
        if (tile.current && tile.el._features) n += tile.el._features.length;
      }
      return n;
    }
  });

  // a decoded tile's lists on its canvas; `remote`: the worker keeps the paths, else the page
  function keep(canvas, decoded, remote) {
    canvas._features = decoded.features;
    canvas._geometry = { xy: decoded.xy, rings: decoded.rings };
    canvas._remote = remote;
    canvas._local = remote ? null : decoded;
  }

  L.mvtCanvas = function (url, options) {
    return new L.MvtCanvas(url, options);
  };
  L.MvtCanvas.decode = decode; // for tests
  L.MvtCanvas.usesWorker = function () { // for tests and the benchmark
    return !!(painter && painter.worker);
  };
})();
