// Tongxin grid map: draws a community's grids and tells which grid a clicked point lies in.
// Configuration comes from data-* attributes and a json_script element (no inline script, CSP).
(function () {
  "use strict";

  var el = document.getElementById("grid-map");
  if (!el || !window.L) return;
  var config = JSON.parse(document.getElementById(el.dataset.config).textContent);
  var t = config.i18n;
  var resultBox = document.getElementById("map-result");
  var findForm = document.getElementById("map-find");

  L.Icon.Default.imagePath = el.dataset.iconPath;
  var map = L.map(el, { attributionControl: false, minZoom: 3, maxZoom: 20, zoomSnap: 0.25 });
  // tiles when configured, and the street and community boundaries under the grids
  var base = window.TongxinBaseMap ? window.TongxinBaseMap.add(map, el) : Promise.resolve(L.latLngBounds([]));

  var layers = {}; // grid id -> L.Polygon
  var marker = null;
  var allBounds = L.latLngBounds([]); // the community and its grids
  // one popup, reused; it sits above the marker that shows the point asked about
  var popup = L.popup({ maxWidth: 280, autoPanPadding: [16, 16], offset: [0, -34] });

  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function gridLabel(props) {
    var span = node("span", "grid-label-text");
    span.appendChild(node("b", "", props.name));
    span.appendChild(node("small", "", " " + props.code));
    return span;
  }

  function depthClass(depth) {
    return "grid-d" + Math.max(1, Math.min(depth, 5));
  }

  function setClass(ids, className) {
    document.querySelectorAll("." + className).forEach(function (n) {
      n.classList.remove(className);
    });
    ids.forEach(function (id) {
      var layer = layers[id];
      var path = layer && layer.getElement && layer.getElement();
      if (path) path.classList.add(className);
      var row = document.querySelector('tr[data-grid-id="' + id + '"]');
      if (row) row.classList.add(className);
    });
  }

  function showGrid(id) {
    var layer = layers[id];
    if (!layer) return false;
    map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 18 });
    setClass([id], "is-current");
    return true;
  }

  function gridList(title, grids) {
    var frag = document.createDocumentFragment();
    if (!grids.length) return frag;
    frag.appendChild(node("p", "", title));
    var ul = node("ul");
    grids.forEach(function (g) {
      var li = node("li", "", g.name + " ");
      li.appendChild(node("span", "muted", g.code));
      ul.appendChild(li);
    });
    frag.appendChild(ul);
    return frag;
  }

  function renderResult(data) {
    var box = node("div", "locate-result");
    var message = node("p", "locate-message");
    message.appendChild(node("strong", "", data.message));
    box.appendChild(message);
    if (data.grid) {
      box.appendChild(gridList(t.outer, data.outer));
      box.appendChild(gridList(t.edge, data.edge));
      var links = node("p", "locate-links");
      if (data.grid.url) {
        var details = node("a", "", t.details);
        details.href = data.grid.url;
        links.appendChild(details);
      }
      if (!layers[data.grid.id]) {
        var other = node("a", "", t.open_map);
        other.href = data.grid.map_url;
        links.appendChild(other);
      }
      if (links.childNodes.length) box.appendChild(links);
    }
    return box;
  }

  function showResult(latlng, content) {
    popup.setLatLng(latlng).setContent(content);
    if (!map.hasLayer(popup)) popup.openOn(map);
    if (resultBox) {
      resultBox.replaceChildren(content.cloneNode(true));
      resultBox.hidden = false;
    }
  }

  function locate(lng, lat) {
    var latlng = L.latLng(lat, lng);
    placeMarker(latlng);
    showResult(latlng, node("p", "muted", t.locating));
    var url = config.locate + "?lng=" + encodeURIComponent(lng.toFixed(7)) + "&lat=" + encodeURIComponent(lat.toFixed(7));
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.message || t.failed);
          return data;
        });
      })
      .then(function (data) {
        applyResult(latlng, data);
      })
      .catch(function (error) {
        showResult(latlng, node("p", "error", error.message || t.failed));
      });
  }

  function applyResult(latlng, data) {
    showResult(latlng, renderResult(data));
    setClass(data.grid ? [data.grid.id] : [], "is-hit");
    setClass(data.outer.map(function (g) { return g.id; }), "is-outer-hit");
  }

  // pan to a point typed in (if it lies off the community, show both), then call `done`
  function bringIntoView(latlng, done) {
    if (map.getBounds().pad(-0.1).contains(latlng)) return done();
    map.once("moveend", done);
    if (allBounds.isValid() && !allBounds.contains(latlng)) {
      var both = L.latLngBounds(allBounds.getSouthWest(), allBounds.getNorthEast()).extend(latlng);
      map.fitBounds(both, { padding: [48, 48] });
    } else {
      map.panTo(latlng);
    }
  }

  function placeMarker(latlng) {
    if (marker) marker.setLatLng(latlng);
    else marker = L.marker(latlng, { keyboard: false }).addTo(map);
  }

  // "106.15, 27.40", also with a full-width comma or spaces; a latitude typed first is swapped
  // (the server's parse_lng_lat does the same)
  function parseLngLat(text) {
    var parts = text.trim().split(/[\s,，;；]+/).filter(Boolean);
    if (parts.length !== 2 || !parts.every(function (p) { return /^[-+]?\d+(\.\d+)?$/.test(p); })) return null;
    var a = parseFloat(parts[0]), b = parseFloat(parts[1]);
    if (Math.abs(a) <= 90 && Math.abs(b) > 90) { var swap = a; a = b; b = swap; }
    if (Math.abs(a) > 180 || Math.abs(b) > 90) return null;
    return { lng: a, lat: b };
  }

  // point-in-polygon on GeoJSON coordinates ([lng, lat]), holes respected
  function ringContains(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function geometryContains(geometry, x, y) {
    var polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
    return polygons.some(function (rings) {
      return ringContains(rings[0], x, y) && !rings.slice(1).some(function (hole) { return ringContains(hole, x, y); });
    });
  }

  // where a grid's label goes: inside the grid, outside the grids nested in it, near its middle
  function labelPoint(feature, children, bounds) {
    var centre = bounds.getCenter();
    var best = null, bestDistance = Infinity, steps = 12;
    for (var i = 0; i <= steps; i++) {
      for (var j = 0; j <= steps; j++) {
        var x = bounds.getWest() + ((bounds.getEast() - bounds.getWest()) * (i + 0.5)) / (steps + 1);
        var y = bounds.getSouth() + ((bounds.getNorth() - bounds.getSouth()) * (j + 0.5)) / (steps + 1);
        if (!geometryContains(feature.geometry, x, y)) continue;
        if (children.some(function (c) { return geometryContains(c.geometry, x, y); })) continue;
        var distance = Math.pow(x - centre.lng, 2) + Math.pow(y - centre.lat, 2);
        if (distance < bestDistance) { bestDistance = distance; best = L.latLng(y, x); }
      }
    }
    return best || centre;
  }

  var labels = []; // [tooltip, layer]

  // a label only shows when its grid is big enough on screen to hold it
  function fitLabels() {
    labels.forEach(function (pair) {
      var element = pair[0].getElement();
      if (!element) return;
      var b = pair[1].getBounds();
      var size = map.latLngToContainerPoint(b.getNorthEast()).subtract(map.latLngToContainerPoint(b.getSouthWest()));
      element.classList.toggle("is-squeezed", Math.abs(size.x) < 70 || Math.abs(size.y) < 34);
    });
  }

  function draw(collection) {
    var boundary = collection.community && collection.community.geometry;
    var bounds = L.latLngBounds([]);
    if (boundary) {
      var outline = L.geoJSON(boundary, { interactive: false, className: "community-boundary" }).addTo(map);
      bounds.extend(outline.getBounds());
    }
    var features = collection.features.slice().sort(function (a, b) {
      return a.properties.depth - b.properties.depth; // deeper grids on top
    });
    var children = {};
    features.forEach(function (f) {
      (children[f.properties.parent_id] = children[f.properties.parent_id] || []).push(f);
    });
    var permanentLabels = features.length <= 80;
    features.forEach(function (feature) {
      var props = feature.properties;
      L.geoJSON(feature, {
        className: "grid-poly " + depthClass(props.depth),
        onEachFeature: function (_f, layer) {
          layers[props.id] = layer;
          // on a phone a tap would open it over the label: labels suffice there
          if (!permanentLabels || !L.Browser.mobile) {
            layer.bindTooltip(gridLabel(props), { sticky: true, className: "grid-tip" });
          }
        },
      }).addTo(map);
      var layer = layers[props.id];
      bounds.extend(layer.getBounds());
      if (permanentLabels) {
        var at = labelPoint(feature, children[props.id] || [], layer.getBounds());
        var label = L.tooltip({ permanent: true, direction: "center", className: "grid-label " + depthClass(props.depth) })
          .setLatLng(at)
          .setContent(gridLabel(props))
          .addTo(map);
        labels.push([label, layer]);
      }
    });
    allBounds = bounds;
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [12, 12] });
    } else {
      map.setView([35, 105], 4);
      el.appendChild(node("p", "map-empty", el.dataset.empty));
      // nothing of this area is drawn: show at least the boundaries around it
      base.then(function (around) {
        if (around.isValid()) map.fitBounds(around, { padding: [12, 12] });
      });
    }
    map.on("zoomend", fitLabels);
    fitLabels();
    if (config.focus) showGrid(config.focus);
    if (config.located) {
      var here = L.latLng(config.located.lat, config.located.lng);
      bringIntoView(here, function () {
        placeMarker(here);
        applyResult(here, config.located);
      });
    }
  }

  map.on("click", function (event) {
    var latlng = event.latlng.wrap();
    locate(latlng.lng, latlng.lat);
  });

  if (findForm) {
    findForm.addEventListener("submit", function (event) {
      var text = document.getElementById("map-find-input").value;
      var point = parseLngLat(text);
      if (point) {
        event.preventDefault();
        findForm.querySelectorAll(".error").forEach(function (n) { n.remove(); });
        var latlng = L.latLng(point.lat, point.lng);
        bringIntoView(latlng, function () {
          locate(point.lng, point.lat);
        });
        return;
      }
      var query = text.trim();
      var row = query && Array.prototype.find.call(document.querySelectorAll("tr[data-grid-id]"), function (r) {
        var cells = r.querySelectorAll("td");
        return cells[0].textContent.indexOf(query) !== -1 || cells[1].textContent.trim() === query;
      });
      if (row && showGrid(row.dataset.gridId)) {
        event.preventDefault();
        if (resultBox) resultBox.hidden = true;
        findForm.querySelectorAll(".error").forEach(function (n) { n.remove(); });
      }
      // otherwise the server answers (and explains when nothing matches)
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-show-grid]");
    if (!button) return;
    if (showGrid(button.dataset.showGrid)) el.scrollIntoView({ behavior: "smooth", block: "center" });
  });

  fetch(config.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(t.failed);
      return response.json();
    })
    .then(draw)
    .catch(function () {
      map.setView([35, 105], 4);
      el.appendChild(node("p", "map-empty error", t.failed));
    });
})();
