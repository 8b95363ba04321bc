// Tongxin: a case's place as a small map (cases/_case_location_map.html): the point and the outline
// of its grid over the street and community boundaries. Staff see the point; the resident's
// tracking page only the grid's outline. Drawn again when htmx replaces the case's page.
(function () {
  "use strict";

  function draw(el) {
    if (el.classList.contains("leaflet-container")) return;
    L.Icon.Default.imagePath = el.dataset.iconPath;
    var map = L.map(el, { attributionControl: false, minZoom: 3, maxZoom: 20, zoomSnap: 0.25, scrollWheelZoom: false });
    if (window.TongxinBaseMap) window.TongxinBaseMap.add(map, el);
    var bounds = L.latLngBounds([]);
    var gridScript = el.dataset.grid && document.getElementById(el.dataset.grid);
    if (gridScript) {
      var grid = L.geoJSON(JSON.parse(gridScript.textContent), { className: "case-location-grid", interactive: false }).addTo(map);
      bounds.extend(grid.getBounds());
    }
    if (el.dataset.lat && el.dataset.lng) {
      var point = L.latLng(parseFloat(el.dataset.lat), parseFloat(el.dataset.lng));
      L.marker(point, { keyboard: false, interactive: false }).addTo(map);
      bounds.extend(point);
    }
    // the whole grid with the point in it, not closer than a street's scale
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    } else {
      map.setView([35, 105], 4);
    }
  }

  function drawAll() {
    if (!window.L) return;
    document.querySelectorAll(".case-location-map").forEach(draw);
  }

  drawAll();
  document.addEventListener("htmx:afterSettle", drawAll);
})();
