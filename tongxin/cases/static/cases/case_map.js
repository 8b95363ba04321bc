// Tongxin: the filtered case list on a map (markers and the outlines of their grids).
// Loaded on demand; reloaded when htmx replaces the results after a change of filters.
(function () {
  "use strict";

  // each status's colour is the one its legend entry shows (cases/_case_map_key.html, basemap.css)
  var COLOURS = null;
  function colours() {
    if (COLOURS) return COLOURS;
    COLOURS = {};
    document.querySelectorAll("#case-map-key [data-statuses]").forEach(function (item) {
      var swatch = item.querySelector(".key-swatch");
      var colour = swatch && window.getComputedStyle(swatch).backgroundColor;
      if (!colour) return;
      item.dataset.statuses.split(" ").forEach(function (status) { COLOURS[status] = colour; });
    });
    return COLOURS;
  }
  var open = false;
  var map = null;

  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function popup(c) {
    var box = node("div");
    var link = node("a", "case-code", c.code);
    link.href = c.url;
    box.appendChild(link);
    box.appendChild(node("div", "", c.category));
    box.appendChild(node("span", "st st-" + c.status, c.status_label));
    return box;
  }

  function draw() {
    var el = document.getElementById("case-map");
    if (!el || !window.L) return;
    if (map) {
      map.remove();
      map = null;
    }
    var note = document.getElementById("case-map-note");
    L.Icon.Default.imagePath = el.dataset.iconPath;
    map = L.map(el, { attributionControl: false, minZoom: 3, maxZoom: 20, zoomSnap: 0.25 });
    map.setView([35, 105], 4);
    var current = map;
    // tiles when configured, and the street and community boundaries under the cases
    var base = window.TongxinBaseMap ? window.TongxinBaseMap.add(map, el) : Promise.resolve(L.latLngBounds([]));
    fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json();
      })
      .then(function (data) {
        if (current !== map) return;
        var areas = L.geoJSON({ type: "FeatureCollection", features: data.areas }, { className: "area-outline", interactive: false });
        areas.addTo(map);
        var dots = L.featureGroup();
        data.cases.forEach(function (c) {
          var colour = colours()[c.status] || "#5f6b7a";
          L.circleMarker([c.lat, c.lng], { radius: 7, className: "case-dot", color: "#fff", fillColor: colour, weight: 1.5, fillOpacity: 0.9 })
            .bindPopup(popup(c))
            .addTo(dots);
        });
        dots.addTo(map);
        var bounds = dots.getBounds();
        if (areas.getBounds().isValid()) bounds = bounds.isValid() ? bounds.extend(areas.getBounds()) : areas.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
        else base.then(function (around) {
          if (current === map && around.isValid()) map.fitBounds(around, { padding: [12, 12] });
        });
        if (note) note.textContent = !data.cases.length ? el.dataset.empty : data.cases.length >= 2000 ? el.dataset.more : "";
      })
      .catch(function () {
        if (note) note.textContent = el.dataset.empty;
      });
  }

  function apply() {
    var wrap = document.getElementById("case-map-wrap");
    var button = document.querySelector("[data-case-map-toggle]");
    if (!wrap || !button) return;
    wrap.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) draw();
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-case-map-toggle]")) return;
    open = !open;
    apply();
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (open && event.target && event.target.id === "case-results") apply();
  });
})();
