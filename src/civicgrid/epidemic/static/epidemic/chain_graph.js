// A transmission chain (chain_detail page). The server has laid the graph out by generation
// (x) and position (y), so the chart only draws: no force simulation, which would freeze the
// browser beyond a few thousand nodes. Large graphs drop labels, symbols shrink, edges thin.
(function () {
  var el = document.getElementById("chain-graph");
  if (!el || !window.echarts) { return; }
  var COLORS = { confirmed: "#c0392b", suspected: "#e67e22", asymptomatic: "#8e44ad",
                 excluded: "#95a5a6", contact: "#7f8c8d" };
  var NAMES = { confirmed: "确诊病例", suspected: "疑似病例", asymptomatic: "无症状感染者",
                excluded: "已排除", contact: "密切接触者" };
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.showLoading();
  fetch(el.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (g) {
      var big = g.nodes.length > 2000;
      var kinds = Object.keys(NAMES);
      var nodes = g.nodes.map(function (n) {
        return { id: String(n.id), name: n.label, x: n.x, y: n.y, category: kinds.indexOf(n.kind),
                 value: n.case_id, symbolSize: big ? 4 : (n.kind === "contact" ? 8 : 14) };
      });
      var links = g.edges.map(function (e) { return { source: String(e[0]), target: String(e[1]) }; });
      chart.hideLoading();
      chart.setOption({
        animation: false,
        tooltip: { confine: true, formatter: function (p) { return p.dataType === "node" ? p.data.name : ""; } },
        legend: [{ data: kinds.map(function (k) { return NAMES[k]; }), top: 4 }],
        series: [{
          type: "graph", layout: "none", roam: true, draggable: false,
          categories: kinds.map(function (k) { return { name: NAMES[k], itemStyle: { color: COLORS[k] } }; }),
          data: nodes, links: links, edgeSymbol: ["none", big ? "none" : "arrow"], edgeSymbolSize: 6,
          label: { show: !big, position: "right", fontSize: 10 },
          labelLayout: { hideOverlap: true },
          lineStyle: { color: "#999", width: big ? 0.3 : 1, opacity: big ? 0.4 : 0.8, curveness: 0 },
          emphasis: { focus: big ? "none" : "adjacency" },
          progressiveThreshold: 3000, progressive: 2000
        }]
      });
      var summary = document.getElementById("chain-summary");
      if (summary) {
        summary.textContent = g.total_nodes + " 人 · " + g.generations + " 代" +
          (g.truncated ? "（仅显示前 " + g.nodes.length + " 人）" : "");
      }
      var caseUrl = el.getAttribute("data-case-url");
      chart.on("click", function (p) {
        if (p.dataType === "node" && p.data.value) { window.location = caseUrl.replace("/0/", "/" + p.data.value + "/"); }
      });
      el.setAttribute("data-rendered", String(nodes.length));
    })
    .catch(function () { chart.hideLoading(); el.textContent = "传播链加载失败，请刷新重试。"; });
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { chart.resize(); }, 100);
  });
})();
