// Passes per hour (community dashboard) or per area (overview): exits and entries as bars.
// Mounted through the shared CivicCharts helper; area bars open that area's page.
(function () {
  function mount(id, dataId, labelsKey) {
    var el = document.getElementById(id);
    var source = document.getElementById(dataId);
    if (!el || !source || !window.echarts || !window.CivicCharts) { return; }
    var data = JSON.parse(source.textContent);
    var links = Array.prototype.map.call(
      document.querySelectorAll("table.cb-table tbody tr td:first-child a"),
      function (a) { return a.getAttribute("href"); }
    );
    window.CivicCharts.mount(el, labelsKey === "names" ? links : [], function () {
      return {
        animation: false,
        tooltip: { trigger: "axis", confine: true },
        legend: { data: [el.dataset.outLabel, el.dataset.inLabel] },
        grid: { left: 36, right: 8, top: 30, bottom: 40 },
        xAxis: { type: "category", data: data[labelsKey], axisLabel: { rotate: data[labelsKey].length > 8 ? 45 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: el.dataset.outLabel, type: "bar", data: data.out, itemStyle: { color: "#c0392b" } },
          { name: el.dataset.inLabel, type: "bar", data: data["in"], itemStyle: { color: "#1e7e34" } }
        ]
      };
    });
  }
  mount("hourly-chart", "hourly-data", "hours");
  mount("area-chart", "area-data", "names");
})();
