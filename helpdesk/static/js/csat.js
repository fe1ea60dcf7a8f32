/* Charts of the satisfaction report page, drawn from the JSON the page embeds (#csat-data). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("csat-data").textContent);
  var charts = (window.reportCharts = {});
  var colours = { 1: "#c62828", 2: "#ef6c00", 3: "#fbc02d", 4: "#7cb342", 5: "#2e7d32" };
  var rows = data.rows;

  function draw(id, config) {
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    charts[id] = new Chart(document.getElementById(id), config);
  }

  draw("chart-distribution", {
    type: "bar",
    data: {
      labels: rows.map(function (r) { return r.label; }),
      datasets: ["1", "2", "3", "4", "5"].map(function (n) {
        return { label: n, data: rows.map(function (r) { return r.distribution[n]; }), backgroundColor: colours[n] };
      })
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
  });
  draw("chart-average", {
    type: "line",
    data: {
      labels: data.weeks.map(function (w) { return w.week_start; }),
      datasets: [
        { label: window.t("Average"), data: data.weeks.map(function (w) { return w.average; }), borderColor: colours[5], yAxisID: "average", spanGaps: true },
        { label: window.t("Ratings"), data: data.weeks.map(function (w) { return w.responses; }), borderColor: "#90a4ae", borderDash: [4, 4], yAxisID: "count" }
      ]
    },
    options: { scales: { average: { position: "left", min: 1, max: 5 }, count: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } } }
  });
})();
