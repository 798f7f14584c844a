// A division's figure by day (statistics page): one line, the dates along the bottom.
(function () {
  var el = document.getElementById("trend-chart");
  var source = document.getElementById("trend-data");
  if (!el || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  function options() {
    return {
      animation: false,
      tooltip: { trigger: "axis", confine: true },
      title: { text: data.name, left: 8, top: 6, textStyle: { fontSize: 13, fontWeight: "normal" } },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.dates },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", name: data.name, data: data.values, areaStyle: { opacity: 0.15 },
                 itemStyle: { color: "#c0392b" }, showSymbol: data.dates.length <= 31 }]
    };
  }
  chart.setOption(options());
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { chart.resize(); }, 100);
  });
  el.setAttribute("data-rendered", "true");
})();
