// Tongxin venues near me: "Nearest to me" asks the phone for its position and reloads the list
// sorted by distance (?lat=&lng=); the map shows the venues' points. Without JavaScript the link
// reloads the list by community and there is no map.
(function () {
  "use strict";

  var locate = document.getElementById("venues-locate");
  var status = document.getElementById("venues-locate-status");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", function (event) {
      event.preventDefault();
      if (status) status.textContent = locate.dataset.wait;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          var url = new URL(window.location.href);
          url.searchParams.set("lat", pos.coords.latitude.toFixed(6));
          url.searchParams.set("lng", pos.coords.longitude.toFixed(6));
          window.location.assign(url.toString());
        },
        function () {
          if (status) status.textContent = locate.dataset.failed;
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
      );
    });
  }

  function draw(el) {
    if (!window.L || el.classList.contains("leaflet-container")) return;
    var points = JSON.parse(document.getElementById(el.dataset.points).textContent);
    L.Icon.Default.imagePath = el.dataset.iconPath;
    var map = L.map(el, { attributionControl: false, minZoom: 3, maxZoom: 19, scrollWheelZoom: false });
    if (window.TongxinBaseMap) window.TongxinBaseMap.add(map, el);
    var bounds = L.latLngBounds([]);
    points.forEach(function (p) {
      var marker = L.marker([p.lat, p.lng], { title: p.name }).addTo(map);
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.name;
      marker.bindPopup(link);
      bounds.extend([p.lat, p.lng]);
    });
    if (el.dataset.hereLat) {
      var here = [parseFloat(el.dataset.hereLat), parseFloat(el.dataset.hereLng)];
      L.circleMarker(here, { radius: 7, className: "venue-here" }).addTo(map);
      bounds.extend(here);
    }
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
    else map.setView([35, 105], 4);
  }

  document.querySelectorAll(".venue-map").forEach(draw);
})();
