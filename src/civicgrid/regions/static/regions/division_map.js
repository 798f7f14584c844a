// A choropleth of a division's children: fetch their shapes (public GeoJSON, cached by the
// browser), register them with ECharts, colour each by the page's figure, show name and value
// on hover, and open the same page for a child on a click (drill-down).
(function () {
  var el = document.getElementById("division-map");
  var source = document.getElementById("division-map-data");
  if (!el || !source || !window.echarts || !window.fetch) { return; }
  var config = JSON.parse(source.textContent);
  var byCode = {};
  var max = 0;
  config.data.forEach(function (d) { byCode[d.name] = d; max = Math.max(max, d.value); });

  fetch(config.shapes, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("shapes " + response.status); }
      return response.json();
    })
    .then(function (geojson) {
      var mapName = "division-" + config.shapes;
      echarts.registerMap(mapName, geojson);
      var chart = echarts.init(el);
      chart.setOption({
        animation: false,
        tooltip: {
          trigger: "item",
          confine: true,
          formatter: function (p) {
            var d = byCode[p.name];
            return (d ? d.label : p.name) + "<br>" + config.valueName + "：" + (d ? d.value : "-");
          }
        },
        visualMap: {
          type: "continuous",
          min: 0,
          max: max > 0 ? max : 1,
          left: 8,
          bottom: 8,
          calculable: true,
          text: [String(max), "0"],
          inRange: { color: ["#eef4fa", "#7fb0d9", "#2468a2", "#c0392b"] }
        },
        series: [{
          type: "map",
          map: mapName,
          nameProperty: "code",
          name: config.valueName,
          roam: false,
          selectedMode: false,
          label: {
            show: el.clientWidth > 480,
            fontSize: 10,
            formatter: function (p) { var d = byCode[p.name]; return d ? d.label : ""; }
          },
          emphasis: { label: { show: true }, itemStyle: { areaColor: "#f5c542" } },
          data: config.data.map(function (d) { return { name: d.name, value: d.value }; })
        }]
      });
      chart.on("click", function (p) {
        var d = byCode[p.name];
        if (d && config.drill) { window.location.href = config.drill.replace("__CODE__", d.short); }
      });
      var resizeTimer = null;
      window.addEventListener("resize", function () {
        clearTimeout(resizeTimer);
        resizeTimer = setTimeout(function () { chart.resize(); }, 100);
      });
      el.setAttribute("data-rendered", "true");
    })
    .catch(function () { el.setAttribute("data-rendered", "failed"); el.hidden = true; });
})();
