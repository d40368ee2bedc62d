// BOH console charts: draws every [data-chart] element from its JSON data block with ECharts (vendored from
// npm by frontend/, loaded only on pages that have a chart). No inline script: the data is a
// <script type="application/json" id="chart-data-ID"> block written by the _charts.html macro.
(function () {
  "use strict";
  var PALETTE = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];
  var loading = null;
  // tooltips drawn on the canvas: ECharts' HTML tooltips carry inline style attributes, which the
  // console's Content-Security-Policy (style-src 'self') refuses
  var TOOLTIP_MODE = "richText";

  function loadECharts() {
    if (window.echarts) return Promise.resolve(window.echarts);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = "/static/vendor/echarts.min.js";
      s.onload = function () { resolve(window.echarts); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
    return loading;
  }

  function readData(id) {
    var block = document.getElementById("chart-data-" + id);
    return block ? JSON.parse(block.textContent) : null;
  }

  function num(v) { return v === null || v === undefined ? null : Number(v); }

  function option(data, narrow) {
    var unit = data.unit ? " " + data.unit : "";
    if (data.kind === "pie") {
      var s = data.series[0] || { values: [] };
      return {
        color: PALETTE,
        tooltip: { trigger: "item", renderMode: TOOLTIP_MODE, valueFormatter: function (v) { return v.toLocaleString() + unit; } },
        legend: { type: "scroll", bottom: 0 },
        series: [{ type: "pie", radius: narrow ? ["30%", "60%"] : ["35%", "68%"], top: 0, bottom: 30,
          label: { show: !narrow, formatter: "{b}: {d}%" },
          data: data.categories.map(function (c, i) { return { name: c, value: num(s.values[i]) }; }) }]
      };
    }
    if (data.kind === "spark") {
      return {
        animation: false, grid: { left: 1, right: 1, top: 2, bottom: 2 },
        xAxis: { type: "category", show: false, data: data.categories },
        yAxis: { type: "value", show: false, scale: true },
        series: data.series.map(function (s) {
          return { type: "line", data: s.values.map(num), showSymbol: false, lineStyle: { width: 1.5 } };
        }), color: PALETTE
      };
    }
    var stacked = data.kind === "stacked";
    var series = data.series.map(function (s) {
      return { name: s.name, type: data.kind === "line" ? "line" : "bar", stack: stacked ? "all" : undefined,
        data: s.values.map(num), smooth: false, showSymbol: !narrow, emphasis: { focus: "series" } };
    });
    if (data.band && data.kind === "line") series = series.concat(band(data));
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", confine: true, renderMode: TOOLTIP_MODE,
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : v.toLocaleString() + unit; } },
      legend: { type: "scroll", top: 0, data: data.series.map(function (s) { return s.name; }) },
      grid: { left: 8, right: 12, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return compact(v); } } },
      series: series
    };
  }

  // A shaded band between two series (data.band: their positions): an invisible base line at the lower values
  // and the gap up to the upper values stacked on it as an area. Both are left out of the tooltip and the
  // legend; the two bounds stay lines of their own with their true values.
  function band(data) {
    var lower = data.series[data.band.lower].values.map(num);
    var upper = data.series[data.band.upper].values.map(num);
    var color = PALETTE[data.band.upper % PALETTE.length];
    var common = { type: "line", stack: "band", symbol: "none", silent: true, tooltip: { show: false },
      lineStyle: { opacity: 0 }, emphasis: { disabled: true }, z: 1 };
    return [
      Object.assign({ name: "", data: lower }, common),
      Object.assign({ name: data.band.name || "", data: upper.map(function (u, i) {
        return u === null || lower[i] === null ? null : Math.max(u - lower[i], 0);
      }), areaStyle: { color: color, opacity: 0.18 } }, common)
    ];
  }

  function compact(v) {
    var a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toLocaleString(undefined, { maximumFractionDigits: 1 }) + "M";
    if (a >= 1e4) return (v / 1e3).toLocaleString(undefined, { maximumFractionDigits: 0 }) + "k";
    return v.toLocaleString();
  }

  function draw(echarts, el) {
    if (el.getAttribute("data-chart-ready")) return;
    var data = readData(el.getAttribute("data-chart"));
    if (!data) return;
    el.setAttribute("data-chart-ready", "1");
    var locale = (document.documentElement.lang || "en").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
    var chart = echarts.init(el, null, { renderer: "canvas", locale: locale });
    chart.setOption(option(data, el.clientWidth < 480));
    if (window.ResizeObserver) new ResizeObserver(function () { chart.resize(); }).observe(el);
  }

  function csvCell(v) {
    var s = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function setupCsv(link) {
    if (link.getAttribute("data-csv-ready")) return;
    var data = readData(link.getAttribute("data-chart-csv"));
    if (!data) return;
    link.setAttribute("data-csv-ready", "1");
    var rows = [[link.getAttribute("data-category") || ""].concat(data.series.map(function (s) { return s.name; }))];
    data.categories.forEach(function (c, i) {
      rows.push([c].concat(data.series.map(function (s) { return s.values[i]; })));
    });
    var text = "\ufeff" + rows.map(function (r) { return r.map(csvCell).join(","); }).join("\r\n") + "\r\n";
    link.href = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  }

  function init(root) {
    var scope = root || document;
    scope.querySelectorAll("[data-chart-csv]").forEach(setupCsv);
    var els = scope.querySelectorAll("[data-chart]");
    if (!els.length) return;
    loadECharts().then(function (echarts) { els.forEach(function (el) { draw(echarts, el); }); });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
