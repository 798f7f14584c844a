// Coverage per grid (or per area): the share of households visited since a date, as bars.
// A click on an area's column opens that area; grids have nothing below them.
(function () {
  var el = document.getElementById("coverage-chart");
  var source = document.getElementById("coverage-data");
  if (!el || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var valueName = el.getAttribute("data-value-name") || "%";
  var householdsLabel = el.getAttribute("data-households-label") || "";
  var visitedLabel = el.getAttribute("data-visited-label") || "";
  var MAX_LABEL = 6; // characters; the tooltip has the whole name
  var GRID_SUFFIX = /网格$/; // every grid's name ends so; without it "东南关第一" and "…第二" stay apart

  function shortName(name) {
    name = name.replace(GRID_SUFFIX, "");
    return name.length > MAX_LABEL ? name.slice(0, MAX_LABEL - 1) + "…" : name;
  }

  function colour(percent) {
    if (percent === null) { return "#c5ced8"; }
    if (percent >= 80) { return "#2f855a"; }
    if (percent >= 50) { return "#2468a2"; }
    return "#c0392b";
  }

  function options() {
    var width = el.clientWidth || 300;
    var fits = Math.max(5, Math.floor((width - 50) / (width < 600 ? 26 : 40)));
    var zoom = data.names.length > fits;
    var rotate = data.names.length > fits / 2 ? 45 : 0;
    return {
      animation: false,
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        confine: true,
        formatter: function (items) {
          var i = items[0].dataIndex;
          var percent = data.percents[i] === null ? "—" : data.percents[i] + "%";
          return data.names[i] + "<br>" + visitedLabel + " " + data.visited[i] + " / " +
            householdsLabel + " " + data.households[i] + "<br>" + percent;
        }
      },
      grid: { left: 8, right: 16, top: 36, bottom: zoom ? 44 : 8, containLabel: true },
      xAxis: {
        type: "category",
        data: data.names,
        axisTick: { alignWithLabel: true },
        axisLabel: { rotate: rotate, interval: 0, formatter: shortName }
      },
      yAxis: { type: "value", min: 0, max: 100, name: valueName, nameTextStyle: { align: "left" } },
      dataZoom: zoom
        ? [{ type: "slider", bottom: 8, height: 22, startValue: 0, endValue: fits - 1,
             showDetail: false, brushSelect: false }]
        : [],
      series: [{
        type: "bar",
        name: valueName,
        barMaxWidth: 48,
        data: data.percents.map(function (p) {
          return { value: p === null ? 0 : p, itemStyle: { color: colour(p) } };
        }),
        label: { show: data.names.length <= fits, position: "top", formatter: function (p) {
          return data.percents[p.dataIndex] === null ? "—" : data.percents[p.dataIndex] + "%";
        } }
      }]
    };
  }

  window.CivicCharts.mount(el, data.urls, options);
})();
