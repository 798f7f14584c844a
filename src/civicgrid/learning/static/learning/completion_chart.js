// Quiz completion per area: the share of resident accounts that passed, one bar per area.
// Areas with places below them open on a click (CivicCharts.mount, core/bar_chart.js).
(function () {
  var el = document.getElementById("completion-chart");
  var source = document.getElementById("completion-data");
  if (!el || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var label = {
    value: el.getAttribute("data-value-name") || "%",
    residents: el.getAttribute("data-residents-label") || "",
    passed: el.getAttribute("data-passed-label") || ""
  };

  function shade(percent) {
    return percent >= 60 ? "#2f855a" : percent >= 30 ? "#2468a2" : "#c0392b";
  }

  function options() {
    var narrow = (el.clientWidth || 300) < 600;
    return {
      animation: false,
      tooltip: {
        trigger: "axis",
        confine: true,
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          return data.names[i] + "<br>" + label.passed + " " + data.passed[i] + " / " +
            label.residents + " " + data.residents[i] + "<br>" + data.percents[i] + "%";
        }
      },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        data: data.names,
        axisLabel: { interval: 0, rotate: narrow && data.names.length > 4 ? 40 : 0 }
      },
      yAxis: { type: "value", min: 0, max: 100, name: label.value },
      series: [{
        type: "bar",
        barMaxWidth: 48,
        data: data.percents.map(function (p) { return { value: p, itemStyle: { color: shade(p) } }; }),
        label: { show: true, position: "top", formatter: "{c}%" }
      }]
    };
  }

  window.CivicCharts.mount(el, data.urls, options);
})();
