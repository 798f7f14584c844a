// Shared behaviour of the clickable bar charts (division browser, coverage): mount the chart,
// open a bar's page on a click anywhere in its column (short bars are hard to hit with a
// finger), show a pointer where a click leads somewhere, and redraw on resize.
window.CivicCharts = {
  mount: function (el, urls, options) {
    var chart = echarts.init(el);
    chart.setOption(options());

    function indexAt(event) {
      var point = [event.offsetX, event.offsetY];
      if (!chart.containPixel("grid", point)) { return -1; }
      var index = chart.convertFromPixel({ seriesIndex: 0 }, point)[0];
      return index >= 0 && index < urls.length && urls[index] ? index : -1;
    }
    chart.getZr().on("click", function (event) {
      var index = indexAt(event);
      if (index >= 0) { window.location.href = urls[index]; }
    });
    chart.getZr().on("mousemove", function (event) {
      chart.getZr().setCursorStyle(indexAt(event) >= 0 ? "pointer" : "default");
    });

    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () {
        chart.resize();
        chart.setOption(options(), { notMerge: true });
      }, 100);
    });
    el.setAttribute("data-rendered", "true");
    return chart;
  }
};
