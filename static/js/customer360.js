// The customer 360 page: tabs below the visit panel, charts drawn when their tab opens, Esc to go back.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (event.key === "Escape" && tag !== "input" && tag !== "textarea" && tag !== "select") {
      var back = document.getElementById("back-link");
      if (back) { window.location.assign(back.href); }
    }
  });

  var chartsDrawn = false;

  // --- tabs (WAI-ARIA tabs pattern: arrows move between tabs, the chosen one is remembered per page) ----
  var tablist = document.querySelector("#customer-tabs [role=tablist]");
  var tabs = tablist ? Array.prototype.slice.call(tablist.querySelectorAll("[role=tab]")) : [];
  var storeKey = "tab:" + window.location.pathname;

  function show(tab, focus) {
    tabs.forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) { panel.hidden = !selected; }
    });
    if (focus) { tab.focus(); }
    try { window.sessionStorage.setItem(storeKey, tab.id); } catch (e) { /* private mode */ }
    var panel = document.getElementById(tab.getAttribute("aria-controls"));
    if (panel) {
      panel.querySelectorAll("[hx-trigger*='tab-shown']").forEach(function (el) {
        el.dispatchEvent(new CustomEvent("tab-shown"));
      });
      if (panel.id === "charts") { drawCharts(); }
    }
  }

  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function () { show(tab, false); });
    tab.addEventListener("keydown", function (event) {
      var next = null;
      if (event.key === "ArrowRight") { next = tabs[(index + 1) % tabs.length]; }
      if (event.key === "ArrowLeft") { next = tabs[(index - 1 + tabs.length) % tabs.length]; }
      if (event.key === "Home") { next = tabs[0]; }
      if (event.key === "End") { next = tabs[tabs.length - 1]; }
      if (next) { event.preventDefault(); show(next, true); }
    });
  });
  if (tabs.length) {
    var remembered = null;
    try { remembered = document.getElementById(window.sessionStorage.getItem(storeKey) || ""); } catch (e) { /* */ }
    show(remembered && tabs.indexOf(remembered) >= 0 ? remembered : tabs[0], false);
  }

  // --- charts -----------------------------------------------------------------------------------
  function drawCharts() {
    if (chartsDrawn) { return; }
    var dataNode = document.getElementById("chart-data");
    var labelNode = document.getElementById("chart-labels");
    if (!dataNode || !labelNode || typeof Chart === "undefined") { return; }
    chartsDrawn = true;
    var data = JSON.parse(dataNode.textContent);
    var labels = JSON.parse(labelNode.textContent);
    var chinese = (document.documentElement.lang || "").indexOf("zh") === 0;
    var palette = ["#a4161a", "#1d4e89", "#2a7d73", "#8a6100", "#b5531b", "#6a4c93", "#4f7a3a", "#40566b", "#8c2f39", "#666666", "#333333"];
    var single = "#1d4e89";  // one series, one colour
    Chart.defaults.animation = false;

    // axis ticks as staff read amounts: 6.67 亿, 12 万 in Chinese; 1.2M, 350K in English
    function shortAmount(value) {
      var n = Number(value), abs = Math.abs(n);
      if (chinese) {
        if (abs >= 1e8) { return (n / 1e8).toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + " 亿"; }
        if (abs >= 1e4) { return (n / 1e4).toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + " 万"; }
        return n.toLocaleString("zh-CN");
      }
      return n.toLocaleString("en", { notation: "compact", maximumFractionDigits: 2 });
    }
    var amountAxis = { beginAtZero: true, ticks: { callback: shortAmount } };

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
          { label: labels.money_in, data: data.monthly.map(function (m) { return Number(m["in"]); }), backgroundColor: "#2a7d73" },
          { label: labels.money_out, data: data.monthly.map(function (m) { return Number(m.out); }), backgroundColor: "#a4161a" }
        ]
      },
      options: { plugins: { legend: { position: "bottom" } }, scales: { y: amountAxis } }
    });

    var categoryCodes = Object.keys(data.categories);
    new Chart(document.getElementById("chart-categories"), {
      type: "bar",
      data: {
        labels: categoryCodes.map(function (c) { return labels.categories[c] || c; }),
        datasets: [{ data: categoryCodes.map(function (c) { return Number(data.categories[c]); }), backgroundColor: single }]
      },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: amountAxis } }
    });
  }
  window.addEventListener("load", function () {
    var charts = document.getElementById("charts");
    if (charts && !charts.hidden) { drawCharts(); }
  });
})();
