// The online-availability rate per level: one bar each, green at or above the target, red below,
// and the target as a dashed line.
(function () {
  var el = document.getElementById("rate-chart");
  var source = document.getElementById("rate-data");
  if (!el || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  function options() {
    return {
      animation: false,
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", confine: true, valueFormatter: function (v) { return v + "%"; } },
      xAxis: { type: "category", data: data.names },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{
        type: "bar",
        barMaxWidth: 48,
        data: data.percents.map(function (p) {
          return { value: p, itemStyle: { color: p >= data.target ? "#2f855a" : "#c0392b" } };
        }),
        label: { show: true, position: "top", formatter: "{c}%" },
        markLine: {
          symbol: "none",
          lineStyle: { type: "dashed", color: "#616e7c" },
          label: { formatter: (el.getAttribute("data-target-label") || "") + " {c}%" },
          data: [{ yAxis: data.target }]
        }
      }]
    };
  }
  chart.setOption(options());
  window.addEventListener("resize", function () { chart.resize(); });
  el.setAttribute("data-rendered", "true");
})();
