/* Charts of the SLA report page, drawn from the JSON the page embeds (#report-data). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var charts = (window.reportCharts = {});
  var colours = { met: "#2e7d32", breached: "#c62828", first: "#1565c0", resolution: "#ef6c00", grey: "#90a4ae" };
  var rows = data.sla.rows;
  var labels = rows.map(function (r) { return r.label; });
  function pick(target, figure) { return rows.map(function (r) { return r[target][figure]; }); }

  function draw(id, config) {
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    charts[id] = new Chart(document.getElementById(id), config);
  }

  draw("chart-compliance", {
    type: "bar",
    data: { labels: labels, datasets: [
      { label: t("First response"), data: pick("first_response", "compliance_percent"), backgroundColor: colours.first },
      { label: t("Resolution"), data: pick("resolution", "compliance_percent"), backgroundColor: colours.resolution }
    ] },
    options: { scales: { y: { min: 0, max: 100 } } }
  });
  draw("chart-minutes", {
    type: "bar",
    data: { labels: labels, datasets: [
      { label: t("First response median"), data: pick("first_response", "median_minutes"), backgroundColor: colours.first },
      { label: t("First response p90"), data: pick("first_response", "p90_minutes"), backgroundColor: "#90caf9" },
      { label: t("Resolution median"), data: pick("resolution", "median_minutes"), backgroundColor: colours.resolution },
      { label: t("Resolution p90"), data: pick("resolution", "p90_minutes"), backgroundColor: "#ffcc80" }
    ] }
  });
  draw("chart-backlog", {
    type: "bar",
    data: { labels: data.backlog.buckets, datasets: [
      { label: t("Open tickets"), data: data.backlog.buckets.map(function (b) { return data.backlog.totals.buckets[b]; }), backgroundColor: colours.grey }
    ] },
    options: { plugins: { legend: { display: false } } }
  });
  draw("chart-trend", {
    type: "line",
    data: { labels: data.trend.weeks.map(function (w) { return w.week_start; }), datasets: [
      { label: t("Created"), data: data.trend.weeks.map(function (w) { return w.created; }), borderColor: colours.first, yAxisID: "count" },
      { label: t("Resolved"), data: data.trend.weeks.map(function (w) { return w.resolved; }), borderColor: colours.met, yAxisID: "count" },
      { label: t("First response compliance %"), data: data.trend.weeks.map(function (w) { return w.first_response_compliance_percent; }), borderColor: colours.breached, borderDash: [4, 4], yAxisID: "percent" },
      { label: t("Resolution compliance %"), data: data.trend.weeks.map(function (w) { return w.resolution_compliance_percent; }), borderColor: colours.resolution, borderDash: [4, 4], yAxisID: "percent" }
    ] },
    options: { scales: { count: { position: "left", beginAtZero: true }, percent: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } } } }
  });
})();
