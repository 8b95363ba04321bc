// Tongxin: pick a co-building project's point on the map; the latitude and longitude fields are the
// form (they work without JavaScript), the map only fills them.
(function () {
  "use strict";

  var el = document.getElementById("locate-map");
  var lat = document.getElementById("id_lat");
  var lng = document.getElementById("id_lng");
  if (!el || !window.L || !lat || !lng) return;
  L.Icon.Default.imagePath = el.dataset.iconPath;
  var map = L.map(el, { attributionControl: false, minZoom: 3, maxZoom: 20 });
  var base = window.TongxinBaseMap ? window.TongxinBaseMap.add(map, el) : Promise.resolve(L.latLngBounds([]));
  var marker = null;

  function place(ll) {
    if (marker) marker.setLatLng(ll);
    else marker = L.marker(ll).addTo(map);
  }
  var start = parseFloat(lat.value), startLng = parseFloat(lng.value);
  if (!isNaN(start) && !isNaN(startLng)) {
    place([start, startLng]);
    map.setView([start, startLng], 17);
  } else {
    map.setView([26.6, 106.7], 12);
    base.then(function (b) { if (b && b.isValid()) map.fitBounds(b); });
  }
  map.on("click", function (e) {
    place(e.latlng);
    lat.value = e.latlng.lat.toFixed(6);
    lng.value = e.latlng.lng.toFixed(6);
  });
  function typed() {
    var a = parseFloat(lat.value), b = parseFloat(lng.value);
    if (!isNaN(a) && !isNaN(b)) place([a, b]);
  }
  lat.addEventListener("change", typed);
  lng.addEventListener("change", typed);
})();
