/* Charts of the call-figures page, drawn from the JSON the page embeds (#report-data):
 * calls by hour of the day, a weekday x hour heat map of calls offered (square points on a
 * scatter chart, darker for more calls) and the service level by day. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var charts = (window.reportCharts = {});
  var colours = { offered: "#1565c0", answered: "#2e7d32", abandoned: "#c62828", level: "#ef6c00" };

  function draw(id, config) {
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    charts[id] = new Chart(document.getElementById(id), config);
  }
  function percent(value) { return value == null ? null : Math.round(value * 1000) / 10; }

  var hours = data.by_hour.rows;
  draw("chart-hours", {
    type: "bar",
    data: { labels: hours.map(function (r) { return r.label; }), datasets: [
      { label: t("Answered"), data: hours.map(function (r) { return r.answered; }), backgroundColor: colours.answered, stack: "calls" },
      { label: t("Abandoned"), data: hours.map(function (r) { return r.abandoned; }), backgroundColor: colours.abandoned, stack: "calls" },
      { label: t("Offered"), data: hours.map(function (r) { return r.offered; }), type: "line", borderColor: colours.offered, pointRadius: 2 }
    ] },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
  });

  var heat = data.heatmap;
  var most = 0;
  heat.offered.forEach(function (row) { row.forEach(function (n) { if (n > most) most = n; }); });
  var cells = [];
  heat.offered.forEach(function (row, day) {
    row.forEach(function (n, hour) { cells.push({ x: hour, y: day, n: n }); });
  });
  function shade(context) {
    var cell = context.raw || { n: 0 };
    var alpha = most ? 0.08 + 0.92 * cell.n / most : 0.08;
    return "rgba(21, 101, 192, " + alpha.toFixed(3) + ")";
  }
  function cellSize(context) {
    var area = context.chart.chartArea;
    if (!area) return 6;
    return Math.max(2, Math.min((area.right - area.left) / 24, (area.bottom - area.top) / 7) / 2 - 1);
  }
  // One tick per cell (the axes run from -0.5 so that cells sit between grid lines).
  function integerTicks(n) {
    return function (axis) { axis.ticks = Array.from({ length: n }, function (_, v) { return { value: v }; }); };
  }
  draw("chart-heatmap", {
    type: "scatter",
    data: { datasets: [{ label: t("Calls offered"), data: cells, pointStyle: "rect", pointRadius: cellSize,
                         pointHoverRadius: cellSize, backgroundColor: shade, borderWidth: 0 }] },
    options: {
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: function (c) {
          return heat.weekdays[c.raw.y] + " " + String(c.raw.x).padStart(2, "0") + ":00 · " + tn("{n} call", "{n} calls", c.raw.n);
        } } }
      },
      scales: {
        x: { type: "linear", min: -0.5, max: 23.5, afterBuildTicks: integerTicks(24), grid: { display: false },
             ticks: { autoSkip: true, callback: function (v) { return String(v).padStart(2, "0"); } } },
        y: { type: "linear", min: -0.5, max: 6.5, reverse: true, afterBuildTicks: integerTicks(7), grid: { display: false },
             ticks: { autoSkip: false, callback: function (v) { return heat.weekdays[v]; } } }
      }
    }
  });

  var days = data.by_day.rows;
  draw("chart-service-level", {
    type: "line",
    data: { labels: days.map(function (r) { return r.key; }), datasets: [
      { label: t("Service level %"), data: days.map(function (r) { return percent(r.service_level); }), borderColor: colours.level, spanGaps: true },
      { label: t("Abandoned %"), data: days.map(function (r) { return r.offered ? percent(r.abandoned / r.offered) : null; }), borderColor: colours.abandoned, borderDash: [4, 4], spanGaps: true }
    ] },
    options: { scales: { y: { min: 0, max: 100 } } }
  });
})();
