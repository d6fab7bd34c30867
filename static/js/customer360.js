// The customer 360 page: three charts from the JSON the server embedded, and Esc to go back.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (event.key === "Escape" && tag !== "input" && tag !== "textarea" && tag !== "select") {
      var back = document.getElementById("back-link");
      if (back) { window.location.assign(back.href); }
    }
  });

  var dataNode = document.getElementById("chart-data");
  var labelNode = document.getElementById("chart-labels");
  if (!dataNode || !labelNode || typeof Chart === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var labels = JSON.parse(labelNode.textContent);
  var palette = ["#a4161a", "#1d4e89", "#2a9d8f", "#e9c46a", "#f4a261", "#6a4c93", "#8ab17d", "#577590", "#bc4749", "#999999", "#333333"];
  Chart.defaults.animation = false;

  var channelCodes = Object.keys(data.channel_mix);
  new Chart(document.getElementById("chart-channels"), {
    type: "doughnut",
    data: {
      labels: channelCodes.map(function (c) { return labels.channels[c] || c; }),
      datasets: [{ data: channelCodes.map(function (c) { return data.channel_mix[c]; }), backgroundColor: palette }]
    },
    options: { plugins: { legend: { position: "bottom" } } }
  });

  new Chart(document.getElementById("chart-monthly"), {
    type: "bar",
    data: {
      labels: data.monthly.map(function (m) { return m.month; }),
      datasets: [
        { label: labels.money_in, data: data.monthly.map(function (m) { return Number(m["in"]); }), backgroundColor: "#2a9d8f" },
        { label: labels.money_out, data: data.monthly.map(function (m) { return Number(m.out); }), backgroundColor: "#a4161a" }
      ]
    },
    options: { plugins: { legend: { position: "bottom" } }, scales: { y: { beginAtZero: true } } }
  });

  var categoryCodes = Object.keys(data.categories);
  new Chart(document.getElementById("chart-categories"), {
    type: "bar",
    data: {
      labels: categoryCodes.map(function (c) { return labels.categories[c] || c; }),
      datasets: [{ data: categoryCodes.map(function (c) { return Number(data.categories[c]); }), backgroundColor: palette }]
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } } }
  });
})();
