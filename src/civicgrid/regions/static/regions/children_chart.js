// Bar chart of how many sub-divisions each child division has; a click opens that child.
(function () {
  var el = document.getElementById("children-chart");
  var source = document.getElementById("chart-data");
  if (!el || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var valueName = el.getAttribute("data-value-name") || "";
  var MAX_LABEL = 6; // characters; long names such as development zones are cut, the tooltip has them whole

  function shortName(name) {
    return name.length > MAX_LABEL ? name.slice(0, MAX_LABEL - 1) + "…" : name;
  }

  function options() {
    // Phones fit about one bar per 22 px; past that, show the first screenful and a slider.
    var width = el.clientWidth || 300;
    var fits = Math.max(5, Math.floor((width - 50) / (width < 600 ? 22 : 36)));
    var zoom = data.names.length > fits;
    var rotate = data.names.length > fits / 2 ? 45 : 0;
    return {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      grid: { left: 8, right: 16, top: 36, bottom: zoom ? 44 : 8, containLabel: true },
      xAxis: {
        type: "category",
        data: data.names,
        axisTick: { alignWithLabel: true },
        axisLabel: { rotate: rotate, interval: 0, formatter: shortName }
      },
      yAxis: { type: "value", minInterval: 1, name: valueName, nameTextStyle: { align: "left" } },
      dataZoom: zoom
        ? [{ type: "slider", bottom: 8, height: 22, startValue: 0, endValue: fits - 1,
             showDetail: false, brushSelect: false }]
        : [],
      series: [{
        type: "bar",
        name: valueName,
        data: data.counts,
        barMaxWidth: 48,
        itemStyle: { color: "#2468a2" },
        emphasis: { itemStyle: { color: "#c0392b" } }
      }]
    };
  }

  window.CivicCharts.mount(el, data.urls, options);
})();
