// The model card: lift and calibration by decile from the JSON the server embedded.
(function () {
  "use strict";
  var dataNode = document.getElementById("model-card-data");
  var textNode = document.getElementById("model-card-text");
  if (!dataNode || !textNode || typeof Chart === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var text = JSON.parse(textNode.textContent);
  Chart.defaults.animation = false;
  function percents(values) { return values.map(function (v) { return Math.round(Number(v) * 1000) / 10; }); }
  function percentTick(value) { return value + "%"; }

  var lift = document.getElementById("chart-lift");
  if (lift) {
    new Chart(lift, {
      type: "bar",
      data: { labels: data.deciles, datasets: [{ label: text.lift, data: data.lift, backgroundColor: "#1d4e89" }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
    });
  }
  var calibration = document.getElementById("chart-calibration");
  if (calibration) {
    new Chart(calibration, {
      type: "bar",
      data: {
        labels: data.deciles,
        datasets: [
          { label: text.predicted, data: percents(data.predicted), backgroundColor: "#8a96a3" },
          { label: text.actual, data: percents(data.actual), backgroundColor: "#a4161a" }
        ]
      },
      options: { scales: { y: { beginAtZero: true, ticks: { callback: percentTick } } } }
    });
  }
})();
