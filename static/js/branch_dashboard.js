// The branch dashboard: six charts from the JSON the server embedded; the branch picker submits on change.
(function () {
  "use strict";
  var picker = document.getElementById("id_branch");
  if (picker && picker.form) {
    picker.addEventListener("change", function () { picker.form.submit(); });
  }

  var dataNode = document.getElementById("dashboard-data");
  if (!dataNode || typeof Chart === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var palette = ["#a4161a", "#1d4e89", "#2a9d8f", "#e9c46a", "#f4a261", "#6a4c93", "#8ab17d", "#577590", "#bc4749", "#999999"];
  var tierColours = { AAA: "#a4161a", AA: "#7a5500", A: "#1d4e89", B: "#8a96a3", C: "#c9d1da" };
  var single = "#1d4e89";  // a chart of one series has one colour
  var chinese = (document.documentElement.lang || "").indexOf("zh") === 0;
  // amounts on an axis as staff read them: 6.67 亿, 12 万 in Chinese; 1.2M in English
  function amountTick(value) {
    var n = Number(value), abs = Math.abs(n);
    if (chinese) {
      if (abs >= 1e8) { return (n / 1e8).toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + " 亿"; }
      if (abs >= 1e4) { return (n / 1e4).toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + " 万"; }
      return n.toLocaleString("zh-CN");
    }
    return n.toLocaleString("en", { notation: "compact", maximumFractionDigits: 2 });
  }
  Chart.defaults.animation = false;

  function numbers(values) { return values.map(Number); }
  function percents(values) { return values.map(function (v) { return Math.round(Number(v) * 1000) / 10; }); }
  function percentTick(value) { return value + "%"; }

  function bar(id, labels, values, label, options) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    options = options || {};
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: label, data: values, backgroundColor: options.colours || single }] },
      options: {
        onClick: options.onClick,
        onHover: options.onClick ? function (event, elements) {
          if (event.native) { event.native.target.style.cursor = elements.length ? "pointer" : "default"; }
        } : undefined,
        indexAxis: options.horizontal ? "y" : "x",
        plugins: { legend: { display: false } },
        scales: options.percent
          ? (options.horizontal ? { x: { beginAtZero: true, ticks: { callback: percentTick } } }
                                : { y: { beginAtZero: true, ticks: { callback: percentTick } } })
          : (options.horizontal ? { x: { beginAtZero: true, ticks: options.amount ? { callback: amountTick } : {} } }
                                : { y: { beginAtZero: true, ticks: options.amount ? { callback: amountTick } : {} } })
      }
    });
  }

  var tierColourList = data.tiers.labels.map(function (t) { return tierColours[t] || "#999999"; });
  bar("chart-tiers", data.tiers.labels, data.tiers.customers, data.text.customers, { colours: tierColourList });
  bar("chart-aum", data.tiers.labels, numbers(data.tiers.aum), data.text.aum, { colours: tierColourList, amount: true });

  var channels = document.getElementById("chart-channels");
  if (channels) {
    new Chart(channels, {
      type: "doughnut",
      data: { labels: data.channels.labels, datasets: [{ data: percents(data.channels.shares), backgroundColor: palette }] },
      options: { plugins: { legend: { position: "bottom" } } }
    });
  }

  bar("chart-self-service", data.self_service.labels, data.self_service.customers, data.text.customers,
      { colours: ["#2a9d8f", "#c9d1da"], horizontal: true });
  bar("chart-categories", data.categories.labels, percents(data.categories.shares), data.text.share,
      { horizontal: true, percent: true });
  // a bar of the alert chart opens the list of those customers
  bar("chart-alerts", data.alerts.labels, data.alerts.customers, data.text.customers, {
    horizontal: true,
    onClick: function (event, elements) {
      if (elements.length && data.alerts.urls[elements[0].index]) { window.location.href = data.alerts.urls[elements[0].index]; }
    }
  });
})();
