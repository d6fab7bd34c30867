// Keyboard-first search: the box keeps focus, ↑/↓ choose, Enter opens, Esc clears.
(function () {
  "use strict";
  var box = document.getElementById("search-box");
  var form = document.getElementById("search-form");
  var results = document.getElementById("search-results");
  if (!box || !form || !results) { return; }

  function rows() { return Array.prototype.slice.call(results.querySelectorAll("tr.result")); }
  function selectedIndex(list) { return list.findIndex(function (r) { return r.classList.contains("selected"); }); }
  function select(list, index) {
    list.forEach(function (r, i) { r.classList.toggle("selected", i === index); r.setAttribute("aria-selected", i === index); });
    if (list[index]) { list[index].scrollIntoView({ block: "nearest" }); }
  }
  // Results shown are for what is in the box now (not an older, slower answer). The page echoes an
  // identifier masked, so remember what each request posted rather than reading it back from the page.
  var sent = null;
  var answered = null;
  form.addEventListener("htmx:beforeRequest", function () { sent = box.value.trim(); });
  function current() {
    return results.querySelector("table.results") !== null && answered === box.value.trim();
  }

  box.addEventListener("keydown", function (event) {
    var list = rows();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!list.length) { return; }
      event.preventDefault();
      var i = selectedIndex(list);
      i = event.key === "ArrowDown" ? Math.min(i + 1, list.length - 1) : Math.max(i - 1, 0);
      select(list, i);
    } else if (event.key === "Enter") {
      // A card reader types the number and Enter at once: unless the live results are for
      // exactly this text, submit the form and let the server open the exact match.
      if (list.length && current()) {
        event.preventDefault();
        var row = list[Math.max(selectedIndex(list), 0)];
        window.location.assign(row.dataset.href);
      }
    } else if (event.key === "Escape") {
      box.value = "";
      results.innerHTML = "";
    }
  });

  results.addEventListener("click", function (event) {
    var row = event.target.closest("tr.result");
    if (row && !event.target.closest("a")) { window.location.assign(row.dataset.href); }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === results) { answered = sent; }
    box.focus();
  });
})();
