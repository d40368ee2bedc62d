// BOH trace explorer: draws a lot's genealogy (the JSON block named by [data-trace-graph]) as an ECharts
// graph, levels left to right; the same data is the table beside it. Loaded only on the explorer.
(function () {
  "use strict";
  function load() {  // the full build: the common one (charts.js) has no graph chart
    if (window.echarts && window.echartsFull) return Promise.resolve(window.echarts);
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = "/static/vendor/echarts-full.min.js";
      s.onload = function () { window.echartsFull = true; resolve(window.echarts); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  function draw(echarts, el) {
    var block = document.getElementById(el.getAttribute("data-trace-graph"));
    if (!block) return;
    var data = JSON.parse(block.textContent);
    var narrow = el.clientWidth < 600;
    el.style.height = Math.max(260, Math.min(640, 80 + 70 * Math.max.apply(null, [1].concat(
      data.nodes.map(function (n) { return n.y / 70 + 1; })))) + "px");
    var index = {};
    data.nodes.forEach(function (n, i) { index[n.id] = i; });
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { formatter: function (p) { return p.dataType === "node" ? p.data.title + " · " + p.data.sku : p.data.label; } },
      series: [{
        type: "graph", layout: "none", roam: true, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 8,
        label: { show: true, position: "bottom", fontSize: narrow ? 9 : 11 },
        lineStyle: { color: "#94a3b8", width: 1.5, curveness: 0.1 },
        data: data.nodes.map(function (n) {
          return { name: n.id, label: { formatter: n.name + "\n" + n.sku }, title: n.name, sku: n.sku, x: n.x, y: n.y, link: n.link, symbolSize: n.root ? 26 : 18,
            itemStyle: { color: n.held ? "#dc2626" : (n.root ? "#2563eb" : "#059669") } };
        }),
        links: data.links.filter(function (l) { return l.source in index && l.target in index; })
          .map(function (l) { return { source: index[l.source], target: index[l.target], label: l.label }; })
      }]
    });
    chart.on("click", function (p) { if (p.dataType === "node" && p.data.link) window.location = p.data.link; });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-graph-ready", "1");
  }
  function init() {
    var els = document.querySelectorAll("[data-trace-graph]");
    if (!els.length) return;
    load().then(function (echarts) { els.forEach(function (el) { draw(echarts, el); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
