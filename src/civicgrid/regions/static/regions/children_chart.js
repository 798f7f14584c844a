// Bar chart of how many sub-divisions each child division has; a click opens that child.
(function () {
  var el = document.getElementById("children-chart");
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  if (!el || !window.echarts) { return; }
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 16, top: 24, bottom: 90 },
    xAxis: { type: "category", data: data.names, axisLabel: { rotate: 45, interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    dataZoom: data.names.length > 30 ? [{ type: "slider", bottom: 0 }] : [],
    series: [{ type: "bar", data: data.counts, itemStyle: { color: "#2468a2" } }]
  });
  chart.on("click", function (params) {
    window.location.href = data.urls[params.dataIndex];
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
