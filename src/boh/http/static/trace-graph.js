// BOH trace explorer: draws a lot's genealogy (the JSON block named by [data-trace-graph]) as an ECharts
// graph, levels left to right; the same data is the table beside it. Loaded only on the explorer.
(function () {
  "use strict";
  function load() {
    if (window.echarts) return Promise.resolve(window.echarts);
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = "/static/vendor/echarts.min.js";
      s.onload = function () { resolve(window.echarts); };
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
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { formatter: function (p) { return p.dataType === "node" ? p.data.name + " · " + p.data.sku : p.data.label; } },
      series: [{
        type: "graph", layout: "none", roam: true, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 8,
        label: { show: true, position: "bottom", fontSize: narrow ? 9 : 11,
          formatter: function (p) { return p.data.name + "\n" + p.data.sku; } },
        lineStyle: { color: "#94a3b8", width: 1.5, curveness: 0.1 },
        data: data.nodes.map(function (n) {
          return { id: n.id, name: n.name, sku: n.sku, x: n.x, y: n.y, link: n.link, symbolSize: n.root ? 26 : 18,
            itemStyle: { color: n.held ? "#dc2626" : (n.root ? "#2563eb" : "#059669") } };
        }),
        links: data.links.map(function (l) { return { source: l.source, target: l.target, label: l.label }; })
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
