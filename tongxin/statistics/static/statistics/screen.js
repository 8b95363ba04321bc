// Tongxin big screen (大屏): the map, the monthly chart and the clock. htmx polls the figures every
// minute and swaps them in; the chart and the map's colours are redrawn from #scr-data after each
// swap. No inline script (CSP): data comes from json_script elements and data-* attributes.
(function () {
  "use strict";

  var body = document.body;
  // five classes from calm blue to Party red
  var COLOURS = ["#12407f", "#1f6fb2", "#c9a227", "#e0702f", "#e0262f"];
  var map = null;
  var layers = {}; // area id -> L.Polygon
  var chart = null;

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function pad(n) {
    return n < 10 ? "0" + n : "" + n;
  }

  function tick() {
    // the server's local time (the figures' day), whatever zone the display's computer is set to
    var el = document.getElementById("scr-clock");
    if (!el) return;
    var offset = parseInt(body.dataset.utcOffset || "0", 10) * 1000;
    var d = new Date(Date.now() + offset);
    el.textContent =
      d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }

  function breaks(max) {
    // upper bounds of the five classes: none at all, then four equal steps of whole numbers
    var step = Math.max(1, Math.ceil(max / 4));
    return [0, step, step * 2, step * 3, Infinity];
  }

  function colourOf(n, bounds) {
    for (var i = 0; i < bounds.length; i++) if (n <= bounds[i]) return COLOURS[i];
    return COLOURS[COLOURS.length - 1];
  }

  function legend(bounds, label) {
    var ul = document.getElementById("scr-legend");
    if (!ul) return;
    ul.textContent = "";
    var title = document.createElement("li");
    title.textContent = label;
    ul.appendChild(title);
    var low = 0;
    bounds.forEach(function (high, i) {
      var li = document.createElement("li");
      var sw = document.createElement("span");
      sw.className = "scr-swatch";
      sw.style.background = COLOURS[i];
      li.appendChild(sw);
      var text = high === Infinity ? "≥ " + low : low === high ? "" + low : low + "–" + high;
      li.appendChild(document.createTextNode(text));
      ul.appendChild(li);
      low = high + 1;
    });
  }

  function label(name, n) {
    var span = document.createElement("span");
    var b = document.createElement("b");
    b.textContent = n === undefined || n === null ? "—" : n;
    span.appendChild(b);
    span.appendChild(document.createTextNode(name));
    return span;
  }

  function drawMap() {
    var el = document.getElementById("scr-map");
    if (!el || !window.L) return;
    var geo = readJson(el.dataset.config) || { features: [] };
    if (!geo.features.length && !geo.outline) {
      var p = document.createElement("p");
      p.className = "scr-map-empty";
      p.textContent = el.dataset.empty;
      el.appendChild(p);
      return;
    }
    map = L.map(el, {
      attributionControl: false, zoomControl: false, dragging: false, scrollWheelZoom: false,
      doubleClickZoom: false, boxZoom: false, keyboard: false, touchZoom: false, zoomSnap: 0.1,
    });
    // tiles when configured, and the street and community boundaries around the coloured areas
    if (window.TongxinBaseMap) window.TongxinBaseMap.add(map, el);
    var bounds = L.latLngBounds([]);
    if (geo.outline) {
      var outline = L.geoJSON(geo.outline, {
        style: { color: "#ffc845", weight: 3, dashArray: "8 6", fill: false },
        interactive: false,
      }).addTo(map);
      bounds.extend(outline.getBounds());
    }
    geo.features.forEach(function (f) {
      var layer = L.geoJSON(f, {
        className: "scr-area",
        style: { color: "#7fd3ff", weight: 1.5, fillColor: COLOURS[0], fillOpacity: 0.75 },
        interactive: false,
      });
      layer.addTo(map);
      layers[f.properties.id] = { layer: layer, name: f.properties.name };
      bounds.extend(layer.getBounds());
    });
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24] });
  }

  function colourMap(data) {
    if (!map) return;
    var counts = data.counts || {};
    var max = 0;
    Object.keys(counts).forEach(function (k) {
      max = Math.max(max, counts[k] || 0);
    });
    var bounds = breaks(max);
    Object.keys(layers).forEach(function (id) {
      var entry = layers[id];
      var n = counts[id];
      entry.layer.setStyle({ fillColor: colourOf(n || 0, bounds) });
      entry.layer.unbindTooltip();
      entry.layer.bindTooltip(label(entry.name, n), {
        permanent: true, direction: "center", className: "scr-label", opacity: 1,
      });
    });
    if (data.counted) legend(bounds, data.counted);
  }

  function drawChart(data) {
    var el = document.getElementById("scr-trend");
    if (!el || !window.echarts) return;
    if (!chart) chart = echarts.init(el, null, { renderer: "canvas" });
    var colours = ["#38d6ff", "#ffc845"];
    var series = (data.series || []).map(function (s, i) {
      return {
        name: s.name,
        type: i === 0 ? "bar" : "line",
        data: s.values,
        smooth: true,
        barMaxWidth: 22,
        symbolSize: 8,
        itemStyle: { color: colours[i % colours.length] },
        lineStyle: { width: 3 },
        label: i === 0 ? { show: true, position: "top", color: "#dbe8ff", fontSize: 13 } : { show: false },
      };
    });
    chart.setOption(
      {
        backgroundColor: "transparent",
        animationDuration: 600,
        grid: { left: 48, right: 16, top: 44, bottom: 32 },
        legend: { top: 0, right: 0, textStyle: { color: "#dbe8ff", fontSize: 15 } },
        tooltip: { trigger: "axis" },
        xAxis: {
          type: "category",
          data: data.months || [],
          axisLine: { lineStyle: { color: "#1d4d9a" } },
          axisLabel: { color: "#86a3d3", fontSize: 14 },
        },
        yAxis: {
          type: "value",
          minInterval: 1,
          splitLine: { lineStyle: { color: "rgba(29,77,154,0.5)", type: "dashed" } },
          axisLabel: { color: "#86a3d3", fontSize: 14 },
        },
        series: series,
      },
      true
    );
  }

  function refresh() {
    var data = readJson("scr-data");
    if (!data) return;
    colourMap(data);
    drawChart(data);
  }

  function gone() {
    // the link was revoked: take every figure off the wall
    var box = document.createElement("div");
    box.className = "scr-gone";
    box.setAttribute("role", "alert");
    box.textContent = body.dataset.gone;
    body.textContent = "";
    body.appendChild(box);
    map = chart = null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
    drawMap();
    refresh();
    window.addEventListener("resize", function () {
      if (chart) chart.resize();
    });
    body.addEventListener("htmx:oobAfterSwap", function (event) {
      if (event.detail && event.detail.target && event.detail.target.id === "scr-data-box") refresh();
    });
    body.addEventListener("htmx:responseError", function (event) {
      var xhr = event.detail && event.detail.xhr;
      if (xhr && (xhr.status === 404 || xhr.status === 403)) gone();
    });
    body.addEventListener("htmx:sendError", function () {
      var stamp = document.getElementById("scr-stamp");
      if (stamp) stamp.classList.add("is-offline");
    });
  });
})();
