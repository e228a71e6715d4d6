/* L.MvtCanvas: one layer of a Mapbox Vector Tile source drawn on canvas, for layers with many
 * shapes (the grids: tens of thousands at district zoom). One purpose: fetch a tile, decode it
 * (a minimal MVT reader, below), draw its features with Path2D in the tile's own pixel space, and
 * keep per tile a compact list (properties, pixel bbox, rings) — no Leaflet object per feature,
 * no projection per vertex (tile extent → pixels is a scale). Polygons and lines (points are
 * left to layers with few of them).
 *
 * A decoded tile is three compact lists: its features ({type, properties, bbox, ring0, ringN}),
 * every vertex in one Float32Array and every ring's first vertex in one Uint32Array. Drawing
 * traces the rings straight into one Path2D per style; hit-testing reads the same arrays. (A Web
 * Worker on an OffscreenCanvas was tried and measured slower on the two-core machine: ADR 0034.)
 *
 * The kept lists serve:
 *   layer.restyle([only])  draw the tiles again from what they kept (a new colour scheme, the
 *                          selected shape), nothing fetched
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

  var NOWHERE = [Infinity, Infinity, -Infinity, -Infinity]; // the bbox of a feature without geometry

  function readFeature(r, keys, values, scale, out) {
    var end = r.end(), f = { properties: {}, type: 0, bbox: NOWHERE, ring0: out.rings.length, ringN: 0 };
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

  // --- drawing ---------------------------------------------------------------------------
  // feature i's rings appended to `path` (one Path2D per style: no Path2D per feature, no addPath)
  function trace(path, tile, i) {
    var f = tile.features[i], xy = tile.xy, rings = tile.rings;
    for (var k = f.ring0; k < f.ringN; k++) {
      var v = rings[k], first = v, last = rings[k + 1];
      path.moveTo(xy[2 * v], xy[2 * v + 1]);
      for (v++; v < last; v++) path.lineTo(xy[2 * v], xy[2 * v + 1]);
      // a polygon's ring closed by a line back to its start: closePath() costs time in
      // proportion to the Path2D it is added to (seconds for a zoom-12 view of grids)
      if (f.type === 3) path.lineTo(xy[2 * first], xy[2 * first + 1]);
    }
    return path;
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
    // round caps hide where a ring's closing line meets its start; dashes keep butt caps (a
    // round cap would lengthen every dash by the line's width and close the gaps)
    ctx.lineCap = s.dash ? "butt" : "round";
    ctx.setLineDash(dash(s.dash));
    ctx.stroke(path);
  }

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
        if (e.tile._abort) e.tile._abort.abort(); // panned away before it came
        e.tile._tile = null;
      });
    },

    createTile: function (coords, done) {
      var canvas = L.DomUtil.create("canvas", "leaflet-tile");
      var size = this.getTileSize(), ratio = window.devicePixelRatio || 1;
      canvas.width = Math.round(size.x * ratio);
      canvas.height = Math.round(size.y * ratio);
      canvas._tile = null;
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
          canvas._tile = buffer ? decode(new Uint8Array(buffer), self.options.layer, size.x) : EMPTY;
          self._draw(canvas);
          done(null, canvas);
        })
        .catch(function (err) {
          canvas._abort = null;
          if (err.name !== "AbortError") done(err, canvas);
        });
      return canvas;
    },

    /* A tile in two passes — every fill, then every outline on top — each pass one Path2D per
     * distinct style, the rings of that style's shapes traced into it: a few draw calls per
     * tile instead of two per shape (what a software-rasterised canvas pays for), and no
     * Path2D per shape. Shapes styled `last` (a selected grid) are drawn after the rest. */
    _draw: function (canvas) {
      var tile = canvas._tile, style = this.options.style, size = this.getTileSize();
      var ctx = canvas.getContext("2d");
      ctx.setTransform(canvas.width / size.x, 0, 0, canvas.height / size.y, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      var features = tile.features, fills = [], strokes = [], last = [], fillKey = {}, strokeKey = {};
      for (var i = 0; i < features.length; i++) {
        var f = features[i], s = style(f.properties, f);
        if (!s) continue;
        if (s.last) { last.push([i, s]); continue; }
        if (s.fill && f.type === 3) trace(group(fills, fillKey, s.fill + "|" + s.fillOpacity, s), tile, i);
        if (s.color && s.weight) trace(group(strokes, strokeKey, [s.color, s.weight, s.opacity, s.dash].join("|"), s), tile, i);
      }
      var k;
      for (k = 0; k < fills.length; k++) fill(ctx, fills[k].path, fills[k].style);
      for (k = 0; k < strokes.length; k++) stroke(ctx, strokes[k].path, strokes[k].style);
      for (k = 0; k < last.length; k++) {
        var path = trace(new Path2D(), tile, last[k][0]), ls = last[k][1];
        if (ls.fill && features[last[k][0]].type === 3) fill(ctx, path, ls);
        stroke(ctx, path, ls);
      }
    },

    /** the tiles drawn again from the features they kept (nothing fetched): all of them, or
     * those with a feature whose properties satisfy `only` */
    restyle: function (only) {
      for (var key in this._tiles) {
        var canvas = this._tiles[key].el;
        if (!canvas._tile || canvas._abort) continue;
        if (!only || canvas._tile.features.some(function (f) { return only(f.properties); })) this._draw(canvas);
      }
      return this;
    },

    /** the feature drawn at `latlng` ({properties, type, bbox}) or null */
    featureAt: function (latlng) {
      var size = this.getTileSize(), style = this.options.style;
      for (var key in this._tiles) {
        var tile = this._tiles[key];
        if (!tile.current || !tile.el._tile) continue;
        var p = this._map.project(latlng, tile.coords.z);
        var x = p.x - tile.coords.x * size.x, y = p.y - tile.coords.y * size.y;
        if (x < 0 || y < 0 || x >= size.x || y >= size.y) continue;
        var features = tile.el._tile.features;
        for (var i = features.length - 1; i >= 0; i--) { // the topmost first
          var f = features[i], b = f.bbox;
          if (x < b[0] || x > b[2] || y < b[1] || y > b[3] || !style(f.properties, f)) continue;
          if (f.type === 3 && contains(tile.el._tile, f, x, y)) return f;
        }
      }
      return null;
    },

    /** the features drawn by the tiles in view (a shape across two tiles counts twice) */
    featureCount: function () {
      var n = 0;
      for (var key in this._tiles) {
        var tile = this._tiles[key];
        if (tile.current && tile.el._tile) n += tile.el._tile.features.length;
      }
      return n;
    }
  });

  var EMPTY = { features: [], xy: new Float32Array(0), rings: new Uint32Array(1) };

  L.mvtCanvas = function (url, options) {
    return new L.MvtCanvas(url, options);
  };
  L.MvtCanvas.decode = decode; // for tests
})();
