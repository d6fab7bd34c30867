// Campaign pages: the builder's steps and channel order, confirmations, and the results charts (data embedded by the server).
(function () {
  "use strict";

  // --- the builder: channels in order of preference --------------------------------------------
  // The form submits the boxes in document order, so moving an item reorders the channels.
  var order = document.getElementById("channel-order");
  if (order) {
    order.addEventListener("click", function (event) {
      var button = event.target.closest("button.move");
      if (!button) { return; }
      var item = button.closest("li");
      if (button.dataset.move === "up" && item.previousElementSibling) {
        order.insertBefore(item, item.previousElementSibling);
      } else if (button.dataset.move === "down" && item.nextElementSibling) {
        order.insertBefore(item.nextElementSibling, item);
      }
      button.focus();
    });
    // a channel chosen: unfold its messages
    order.addEventListener("change", function (event) {
      var box = event.target;
      if (box.type !== "checkbox" || !box.checked) { return; }
      var group = document.querySelector('details.message-group[data-channel="' + box.value + '"]');
      if (group) { group.open = true; }
    });
  }

  // --- the builder's steps (WAI-ARIA tabs: arrows move between steps; Next/Back move and focus the step) ----
  // All steps are parts of one form: a hidden step keeps its fields, and every save posts them all.
  var steps = document.getElementById("builder-steps");
  if (steps) {
    var tabs = Array.prototype.slice.call(steps.querySelectorAll("[role=tab]"));
    var panelOf = function (tab) { return document.getElementById(tab.getAttribute("aria-controls")); };
    var show = function (tab, focus) {
      tabs.forEach(function (other) {
        var selected = other === tab;
        other.setAttribute("aria-selected", selected ? "true" : "false");
        other.tabIndex = selected ? 0 : -1;
        panelOf(other).hidden = !selected;
      });
      var panel = panelOf(tab);
      panel.querySelectorAll("[hx-trigger*='step-shown']").forEach(function (el) {
        el.dispatchEvent(new CustomEvent("step-shown"));
      });
      if (focus === "tab") { tab.focus(); }
      if (focus === "heading") { panel.querySelector("h2").focus(); }
    };
    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function () { show(tab, null); });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") { next = tabs[(index + 1) % tabs.length]; }
        if (event.key === "ArrowLeft") { next = tabs[(index - 1 + tabs.length) % tabs.length]; }
        if (event.key === "Home") { next = tabs[0]; }
        if (event.key === "End") { next = tabs[tabs.length - 1]; }
        if (next) { event.preventDefault(); show(next, "tab"); }
      });
    });
    steps.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-go]");
      if (button) { show(document.getElementById("tab-" + button.dataset.go), "heading"); }
    });
    // a form sent back with errors opens on the first step that has one
    var wrong = tabs.filter(function (tab) { return panelOf(tab).querySelector(".error"); })[0];
    show(wrong || tabs[0], null);
  }

  // --- confirm before a step that cannot be undone -----------------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList && form.classList.contains("confirm") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // --- results charts ------------------------------------------------------------------------------
  var dataNode = document.getElementById("results-data");
  var labelNode = document.getElementById("results-labels");
  if (!dataNode || !labelNode || typeof Chart === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var labels = JSON.parse(labelNode.textContent);
  var palette = ["#1d4e89", "#2a9d8f", "#e9c46a", "#f4a261", "#a4161a", "#6a4c93"];
  Chart.defaults.animation = false;
  var stageNames = data.stages.map(function (s) { return labels.stages[s] || s; });

  new Chart(document.getElementById("chart-funnel"), {
    type: "bar",
    data: { labels: stageNames,
            datasets: [{ label: labels.people, data: data.stages.map(function (s) { return data.funnel[s]; }),
                         backgroundColor: palette }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
  });

  new Chart(document.getElementById("chart-rates"), {
    type: "bar",
    data: { labels: [labels.treated, labels.holdout],
            datasets: [{ label: labels.rate, data: [data.rates.treated, data.rates.holdout],
                         backgroundColor: ["#1d4e89", "#999999"] }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, title: { display: true, text: labels.rate } } } }
  });

  var channels = Object.keys(data.by_channel);
  new Chart(document.getElementById("chart-channels"), {
    type: "bar",
    data: { labels: stageNames,
            datasets: channels.map(function (code, i) {
              return { label: labels.channels[code] || code, backgroundColor: palette[i % palette.length],
                       data: data.stages.map(function (s) { return data.by_channel[code][s]; }) };
            }) },
    options: { plugins: { legend: { position: "bottom" } }, scales: { y: { beginAtZero: true } } }
  });

  var dayStages = ["sent", "delivered", "responded", "converted"];
  new Chart(document.getElementById("chart-days"), {
    type: "line",
    data: { labels: data.by_day.map(function (d) { return d.date; }),
            datasets: dayStages.map(function (s, i) {
              return { label: labels.stages[s] || s, borderColor: palette[i], backgroundColor: palette[i],
                       data: data.by_day.map(function (d) { return d[s]; }) };
            }) },
    options: { plugins: { legend: { position: "bottom" } }, scales: { y: { beginAtZero: true } } }
  });
})();
