// Tongxin overview: monthly lines and breakdown bars (ECharts), and the map of the children coloured
// by one figure (Leaflet). Data comes from a json_script element and /statistics/map.json (CSP: no
// inline script).
(function () {
  "use strict";

  var palette = ["#b71c1c", "#d4a017", "#1565c0", "#2e7d32", "#6a1b9a", "#00838f", "#ef6c00", "#5d4037"];

  function initCharts() {
    var dataEl = document.getElementById("stats-charts");
    if (!dataEl || !window.echarts) return;
    var data = JSON.parse(dataEl.textContent);
    var trend = document.getElementById("trend-chart");
    if (trend) {
      var chart = echarts.init(trend);
      chart.setOption({
        color: palette,
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", bottom: 0 },
        grid: { left: 40, right: 16, top: 16, bottom: 56 },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value", minInterval: 1 },
        series: data.series.map(function (s) {
          return { name: s.name, type: "line", smooth: true, data: s.data };
        }),
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }
    data.bars.forEach(function (bar) {
      var el = document.querySelector('[data-bar="' + bar.code + '"]');
      if (!el) return;
      var c = echarts.init(el);
      c.setOption({
        color: [palette[0]],
        title: { text: bar.name, textStyle: { fontSize: 13 } },
        tooltip: {},
        grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: bar.labels.slice().reverse(), axisLabel: { width: 160, overflow: "truncate" } },
        series: [{ type: "bar", data: bar.values.slice().reverse(), label: { show: true, position: "right" } }],
      });
      window.addEventListener("resize", function () { c.resize(); });
    });
  }

  function colourOf(value, min, max) {
    if (value === null || value === undefined) return "#cfd4da";
    var t = max > min ? (value - min) / (max - min) : 1;
    // light gold → deep red
    var r = Math.round(252 - t * (252 - 183));
    var g = Math.round(228 - t * (228 - 28));
    var b = Math.round(160 - t * (160 - 28));
    return "rgb(" + r + "," + g + "," + b + ")";
  }

  function initMap() {
    var el = document.getElementById("stats-map");
    if (!el || !window.L) return;
    fetch(el.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
        // tiles when configured, and the street and community boundaries under the coloured areas
        if (window.TongxinBaseMap) window.TongxinBaseMap.add(map, el);
        var bounds = L.latLngBounds([]);
        if (data.node && data.node.geometry) {
          var outline = L.geoJSON(data.node.geometry, { interactive: false, style: { color: "#8e1414", weight: 2, fill: false, dashArray: "4 4" } }).addTo(map);
          bounds.extend(outline.getBounds());
        }
        var drawn = data.features.filter(function (f) { return f.geometry; });
        L.geoJSON({ type: "FeatureCollection", features: drawn }, {
          style: function (f) {
            return { className: "child-area", color: "#fff", weight: 1.5, fillOpacity: 0.8, fillColor: colourOf(f.properties.value, data.min, data.max) };
          },
          onEachFeature: function (f, layer) {
            layer.bindTooltip(f.properties.name + "：" + f.properties.label, { sticky: true });
            layer.on("click", function () { window.location.href = f.properties.url; });
            bounds.extend(layer.getBounds());
          },
        }).addTo(map);
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
        else { el.textContent = el.dataset.empty; el.classList.add("map-empty"); }
        var legend = document.getElementById("stats-legend");
        if (legend && data.min !== null) {
          legend.textContent = "";
          var name = document.createElement("span");
          name.textContent = data.indicator.name + "：";
          legend.appendChild(name);
          [["low", data.min], ["high", data.max]].forEach(function (pair) {
            var sw = document.createElement("span");
            sw.className = "swatch";
            sw.style.background = colourOf(pair[1], data.min, data.max);
            legend.appendChild(sw);
            var lab = document.createElement("span");
            var feature = data.features.find(function (f) { return f.properties.value === pair[1]; });
            lab.textContent = feature ? feature.properties.label + " " : String(pair[1]) + " ";
            legend.appendChild(lab);
          });
          var none = document.createElement("span");
          none.className = "swatch";
          none.style.background = colourOf(null);
          legend.appendChild(none);
          legend.appendChild(document.createTextNode(el.dataset.noneLabel || "—"));
        }
      });
  }

  function initForm() {
    var form = document.querySelector(".period-form");
    if (form) {
      var select = form.querySelector("[name=period]");
      var sync = function () {
        form.querySelectorAll("[data-for]").forEach(function (f) {
          f.hidden = f.dataset.for !== select.value;
        });
        var y = form.querySelector("[name=year]");
        if (y) y.closest(".field").hidden = select.value === "custom";
      };
      select.addEventListener("change", sync);
      sync();
    }
    document.querySelectorAll("[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initForm();
    initCharts();
    initMap();
  });
})();
