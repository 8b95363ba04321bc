// Tongxin projects map: co-building projects with a place, one colour per status. The table under the
// map lists the same projects, so the page works without JavaScript.
(function () {
  "use strict";

  var el = document.getElementById("projects-map");
  if (!el || !window.L) return;
  var COLOURS = { active: "#d97706", closed: "#15803d", cancelled: "#9ca3af" };
  L.Icon.Default.imagePath = el.dataset.iconPath;
  var map = L.map(el, { attributionControl: false, minZoom: 3, maxZoom: 20 });
  var base = window.TongxinBaseMap ? window.TongxinBaseMap.add(map, el) : Promise.resolve(L.latLngBounds([]));
  map.setView([26.6, 106.7], 12);

  fetch(el.dataset.points, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : { features: [] }; })
    .then(function (data) {
      var bounds = L.latLngBounds([]);
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates;
        var p = f.properties;
        var marker = L.circleMarker([c[1], c[0]], {
          radius: 8, weight: 2, color: "#fff", fillColor: COLOURS[p.status] || "#2563eb", fillOpacity: 0.9,
        }).addTo(map);
        var box = document.createElement("div");
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.title;
        box.appendChild(link);
        box.appendChild(document.createElement("br"));
        box.appendChild(document.createTextNode(p.where + " · " + p.status_label + " · " + p.progress + "%"));
        marker.bindPopup(box);
        bounds.extend([c[1], c[0]]);
      });
      if (bounds.isValid()) {
        map.fitBounds(bounds.pad(0.3), { maxZoom: 17 });
      } else {
        base.then(function (b) { if (b && b.isValid()) map.fitBounds(b); });
      }
    });
})();
