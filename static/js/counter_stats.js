// The counter statistics on the branch dashboard: drawn when htmx has put the section in place.
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("counter-stats-data");
    if (!node || node.dataset.drawn || typeof Chart === "undefined") { return; }
    node.dataset.drawn = "1";
    var data = JSON.parse(node.textContent);
    var services = document.getElementById("chart-counter-services");
    if (services) {
      new Chart(services, {
        type: "bar",
        data: { labels: data.services.labels, datasets: [{ label: data.text.tickets, data: data.services.tickets, backgroundColor: "#1d4e89" }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
      });
    }
    var waits = document.getElementById("chart-counter-waits");
    if (waits) {
      new Chart(waits, {
        type: "bar",
        data: { labels: data.queues.labels, datasets: [
          { label: data.text.wait_p50, data: data.queues.wait_p50.map(Number), backgroundColor: "#2a9d8f" },
          { label: data.text.wait_p90, data: data.queues.wait_p90.map(Number), backgroundColor: "#e9c46a" }] },
        options: { scales: { y: { beginAtZero: true } } }
      });
    }
  }
  document.addEventListener("htmx:afterSettle", draw);
  document.addEventListener("DOMContentLoaded", draw);
}());
