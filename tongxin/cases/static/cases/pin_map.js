// Tongxin: place a pin where the problem is (report, patrol and hotline pages).
// The map shows grid outlines only (no tiles unless the deployment configures them). The pin fills
// the form's hidden lng/lat fields; the server says which grid and community it lies in. The
// phone's position is offered, never required. Configuration comes from a json_script (CSP).
(function () {
  "use strict";

  var el = document.getElementById("pin-map");
  if (!el || !window.L) return;
  var config = JSON.parse(document.getElementById(el.dataset.config).textContent);
  var t = config.i18n;
  var form = el.closest("form");
  var lngInput = form.querySelector("[name=lng]");
  var latInput = form.querySelector("[name=lat]");
  var communitySelect = form.querySelector("select[name=community]");
  var gridSelect = form.querySelector("select[name=grid]");
  var statusBox = document.getElementById("pin-status");
  var defaultStatus = statusBox ? statusBox.textContent : "";

  L.Icon.Default.imagePath = el.dataset.iconPath;
  var map = L.map(el, { attributionControl: false, minZoom: 3, maxZoom: 20, zoomSnap: 0.25, tap: true });
  // tiles when configured, and the street and community boundaries under the grids
  if (window.TongxinBaseMap) window.TongxinBaseMap.add(map, el);
  // a pin in no grid: the same words the server answers with when such a pin is sent
  var outsideMessage = el.dataset.outside || t.no_grid;
  var outside = false;
  var communityLayer = L.featureGroup().addTo(map);
  var gridLayer = L.featureGroup().addTo(map);
  var gridPaths = {}; // grid id -> L.GeoJSON
  var marker = null;
  var loadedCommunity = null;
  var boxRequest = 0;

  function setStatus(text, kind) {
    if (!statusBox) return;
    statusBox.textContent = text;
    statusBox.className = "pin-status" + (kind ? " " + kind : "");
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : values[key];
    });
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(t.failed);
      return r.json();
    });
  }

  function highlight(id) {
    Object.keys(gridPaths).forEach(function (key) {
      gridPaths[key].eachLayer(function (layer) {
        var path = layer.getElement && layer.getElement();
        if (path) path.classList.toggle("is-hit", String(key) === String(id));
      });
    });
  }

  function draw(data, fit) {
    communityLayer.clearLayers();
    gridLayer.clearLayers();
    gridPaths = {};
    if (data.community && data.community.geometry) {
      L.geoJSON(data.community.geometry, { className: "pin-community", interactive: false }).addTo(communityLayer);
    }
    data.features.forEach(function (feature) {
      var layer = L.geoJSON(feature.geometry, { className: "pin-grid pin-grid-" + feature.id });
      layer.getLayers().forEach(function (polygon) {
        polygon.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "pin-label" });
      });
      layer.label = feature.properties.name;
      layer.addTo(gridLayer);
      gridPaths[feature.id] = layer;
    });
    if (fit) {
      var bounds = communityLayer.getBounds();
      if (!bounds.isValid()) bounds = gridLayer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
    }
    fitLabels();
  }

  // a grid's name is shown inside it only where it fits; otherwise on touch or hover
  function fitLabels() {
    Object.keys(gridPaths).forEach(function (id) {
      var layer = gridPaths[id];
      var bounds = layer.getBounds();
      if (!bounds.isValid()) return;
      var width = map.latLngToContainerPoint(bounds.getNorthEast()).x - map.latLngToContainerPoint(bounds.getSouthWest()).x;
      var fits = width > layer.label.length * 12 + 16;
      layer.getLayers().forEach(function (polygon) {
        if (fits) polygon.openTooltip();
        else polygon.closeTooltip();
      });
    });
  }

  function loadCommunity(id, fit) {
    if (!id || String(id) === String(loadedCommunity)) return Promise.resolve();
    loadedCommunity = id;
    return getJSON(config.areas + "?community=" + encodeURIComponent(id))
      .then(function (data) {
        draw(data, fit);
      })
      .catch(function (error) {
        setStatus(error.message, "bad");
      });
  }

  function loadBox() {
    if (loadedCommunity) return;
    var b = map.getBounds();
    if (b.getEast() - b.getWest() > 0.2 || b.getNorth() - b.getSouth() > 0.2) return;
    var ticket = ++boxRequest;
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (n) {
      return n.toFixed(5);
    });
    getJSON(config.areas + "?bbox=" + bbox.join(","))
      .then(function (data) {
        if (ticket === boxRequest && !loadedCommunity) draw(data, false);
      })
      .catch(function () {});
  }

  function selectIfPresent(select, value) {
    if (!select || value === null || value === undefined) return false;
    var option = select.querySelector('option[value="' + value + '"]');
    if (!option || select.value === String(value)) return false;
    select.value = String(value);
    return true;
  }

  function announce() {
    document.body.dispatchEvent(new CustomEvent("pinned", { bubbles: true }));
  }

  function locate(latlng) {
    setStatus(t.locating);
    var url = config.locate + "?lng=" + latlng.lng.toFixed(7) + "&lat=" + latlng.lat.toFixed(7);
    getJSON(url)
      .then(function (data) {
        if (!data.grid) {
          highlight(null);
          outside = true;
          setStatus(outsideMessage, "bad");
          if (marker && marker.getElement()) marker.getElement().classList.add("is-outside");
          announce();
          return;
        }
        outside = false;
        if (marker && marker.getElement()) marker.getElement().classList.remove("is-outside");
        setStatus(format(t.in_grid, { grid: data.grid.name, community: data.community ? data.community.name : "" }), "ok");
        selectIfPresent(gridSelect, data.grid.id);
        if (data.community && selectIfPresent(communitySelect, data.community.id)) {
          loadCommunity(data.community.id, false).then(function () {
            highlight(data.grid.id);
          });
        } else if (data.community && String(loadedCommunity) !== String(data.community.id)) {
          loadCommunity(data.community.id, false).then(function () {
            highlight(data.grid.id);
          });
        }
        highlight(data.grid.id);
        announce();
      })
      .catch(function (error) {
        setStatus(error.message || t.failed, "bad");
      });
  }

  function place(latlng) {
    if (!marker) {
      marker = L.marker(latlng, { draggable: true, autoPan: true }).addTo(map);
      marker.on("dragend", function () {
        place(marker.getLatLng());
      });
    } else {
      marker.setLatLng(latlng);
    }
    lngInput.value = latlng.lng.toFixed(7);
    latInput.value = latlng.lat.toFixed(7);
    locate(latlng);
  }

  function clearPin() {
    outside = false;
    if (marker) map.removeLayer(marker);
    marker = null;
    lngInput.value = "";
    latInput.value = "";
    highlight(null);
    setStatus(defaultStatus);
    announce();
  }

  map.on("click", function (event) {
    place(event.latlng);
  });

  // a pin in no grid with no community chosen cannot reach anyone: say so before sending
  form.addEventListener("submit", function (event) {
    if (!outside || (communitySelect && communitySelect.value)) return;
    event.preventDefault();
    setStatus(outsideMessage, "bad");
    el.scrollIntoView({ behavior: "smooth", block: "center" });
  });
  map.on("moveend", loadBox);
  map.on("zoomend", fitLabels);

  if (communitySelect) {
    communitySelect.addEventListener("change", function () {
      if (communitySelect.value) {
        loadedCommunity = null;
        loadCommunity(communitySelect.value, !marker);
      }
    });
  }
  if (gridSelect) {
    gridSelect.addEventListener("change", function () {
      var layer = gridPaths[gridSelect.value];
      if (layer && !marker) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
      highlight(gridSelect.value);
    });
  }

  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-pin-clear]")) {
      clearPin();
    } else if (event.target.closest("[data-pin-geolocate]")) {
      if (!navigator.geolocation) {
        setStatus(t.geo_failed, "bad");
        return;
      }
      setStatus(t.geo_wait);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
          map.setView(latlng, Math.max(map.getZoom(), 17));
          place(latlng);
        },
        function () {
          setStatus(t.geo_failed, "bad");
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    }
  });

  // where the map opens: the chosen community, else the whole area served
  if (config.bounds) {
    map.fitBounds([
      [config.bounds[1], config.bounds[0]],
      [config.bounds[3], config.bounds[2]],
    ]);
  } else {
    map.setView([35, 105], 4);
  }
  var start = config.community || (communitySelect && communitySelect.value);
  var pinned = lngInput.value && latInput.value ? L.latLng(parseFloat(latInput.value), parseFloat(lngInput.value)) : null;
  if (start) {
    loadCommunity(start, !pinned).then(function () {
      if (gridSelect && gridSelect.value) highlight(gridSelect.value);
    });
  } else {
    loadBox();
  }
  if (pinned) {
    map.setView(pinned, 16);
    place(pinned);
  }
})();
