/* The enterprise page's chart: tickets and calls per month, from #enterprise-data. */
(function () {
  "use strict";
  var source = document.getElementById("enterprise-data");
  var canvas = document.getElementById("chart-enterprise");
  if (!source || !canvas || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var datasets = [{ label: window.t("Tickets"), data: data.tickets, backgroundColor: "#1565c0" }];
  if (data.calls.some(function (n) { return n > 0; })) {
    datasets.push({ label: window.t("Calls"), data: data.calls, backgroundColor: "#ef6c00" });
  }
  window.enterpriseChart = new Chart(canvas, {
    type: "bar",
    data: { labels: data.months, datasets: datasets },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
    }
  });
})();
