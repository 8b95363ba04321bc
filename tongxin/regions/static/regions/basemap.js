// Tongxin: what lies under every map. An intranet tile layer when the deployment configures one
// (data-tile-url, data-tile-attribution, data-tile-max-zoom), and always the street and community
// boundaries (data-base-url) as a muted layer beneath grids and points, named where a name fits
// (data-base-labels="off": not named).
// Nothing is fetched from another host unless a tile server is configured. No inline script (CSP).
(function () {
  "use strict";

  var PANE = "tongxinBase";
  var LABEL_PANE = "tongxinBaseLabels";

  function panes(map) {
    if (!map.getPane(PANE)) {
      // above the tiles (200), below the grids and points (overlay pane, 400)
      map.createPane(PANE).style.zIndex = 350;
      map.getPane(PANE).classList.add("base-pane");
    }
    if (!map.getPane(LABEL_PANE)) {
      // names under the grids' own labels and popups
      map.createPane(LABEL_PANE).style.zIndex = 450;
      map.getPane(LABEL_PANE).style.pointerEvents = "none";
    }
  }

  function addTiles(map, el) {
    if (!el.dataset.tileUrl) return null;
    var nativeMax = parseInt(el.dataset.tileMaxZoom, 10);
    var tiles = L.tileLayer(el.dataset.tileUrl, {
      maxNativeZoom: isNaN(nativeMax) ? 18 : nativeMax,
      maxZoom: 20,
      attribution: el.dataset.tileAttribution || "",
    }).addTo(map);
    if (el.dataset.tileAttribution) L.control.attribution({ prefix: false }).addTo(map);
    return tiles;
  }

  // a name sits in the middle of the part of its area that is on screen, and shows only where that
  // part is big enough to hold it; not when the area fills most of the map (it is then the page's
  // subject, and its name would sit on the grids)
  function fitLabels(map, labels) {
    var size = map.getSize();
    var view = map.getBounds();
    labels.forEach(function (entry) {
      var element = entry.tooltip.getElement();
      if (!element) return;
      var b = entry.bounds;
      var shown = view.intersects(b) && L.latLngBounds(
        [Math.max(b.getSouth(), view.getSouth()), Math.max(b.getWest(), view.getWest())],
        [Math.min(b.getNorth(), view.getNorth()), Math.min(b.getEast(), view.getEast())]
      );
      var hidden = true;
      if (shown && shown.isValid()) {
        var sw = map.latLngToContainerPoint(shown.getSouthWest());
        var ne = map.latLngToContainerPoint(shown.getNorthEast());
        var w = Math.abs(ne.x - sw.x), h = Math.abs(ne.y - sw.y);
        var big = entry.level === "street" ? w > 160 && h > 60 : w > 90 && h > 40;
        var fills = w > size.x * 0.6 && h > size.y * 0.6;
        hidden = !big || fills;
        if (!hidden) entry.tooltip.setLatLng(shown.getCenter());
      }
      element.classList.toggle("is-hidden", hidden);
    });
  }

  function addBoundaries(map, el) {
    if (!el.dataset.baseUrl) return Promise.resolve(L.latLngBounds([]));
    return fetch(el.dataset.baseUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (collection) {
        // the map may still be waiting for its own data to know where it looks
        return new Promise(function (resolve) {
          map.whenReady(function () { resolve(collection); });
        });
      })
      .then(function (collection) {
        var labels = [];
        var bounds = L.latLngBounds([]);
        // streets first, so community lines lie on top of them
        var features = collection.features.slice().sort(function (a, b) {
          return (a.properties.level === "street" ? 0 : 1) - (b.properties.level === "street" ? 0 : 1);
        });
        features.forEach(function (feature) {
          var level = feature.properties.level;
          var layer = L.geoJSON(feature, { pane: PANE, interactive: false, className: "base-area base-" + level }).addTo(map);
          var b = layer.getBounds();
          if (!b.isValid()) return;
          bounds.extend(b);
          // a map that names its areas itself (the big screen) keeps only the lines
          if (el.dataset.baseLabels === "off") return;
          var tooltip = L.tooltip({ permanent: true, direction: "center", pane: LABEL_PANE, className: "base-label base-label-" + level, interactive: false })
            .setLatLng(b.getCenter())
            .setContent(feature.properties.name)
            .addTo(map);
          labels.push({ tooltip: tooltip, bounds: b, level: level });
        });
        // the legend lists only the kinds of boundary drawn (a community's staff see no street)
        var drawn = {};
        features.forEach(function (f) { drawn[f.properties.level] = true; });
        var scope = el.closest("section, form, .case-location, main") || document;
        scope.querySelectorAll("[data-base-key]").forEach(function (item) {
          item.hidden = !drawn[item.dataset.baseKey];
        });
        map.on("zoomend moveend resize", function () { fitLabels(map, labels); });
        fitLabels(map, labels);
        el.classList.add("has-base");
        return bounds;
      })
      .catch(function () {
        // the map still works without its context
        return L.latLngBounds([]);
      });
  }

  window.TongxinBaseMap = {
    // tiles at once, boundaries when they arrive; resolves to the boundaries' extent
    add: function (map, el) {
      panes(map);
      addTiles(map, el);
      return addBoundaries(map, el);
    },
  };
})();
