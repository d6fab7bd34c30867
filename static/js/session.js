// Every signed-in page: the idle-timeout warning with its keep-alive, drafts of what staff type kept in
// the browser until saved (so an ended session loses nothing), the language switch on selection, and
// server errors of htmx requests shown in the page's error area.
(function () {
  "use strict";
  var body = document.body;

  // --- language: takes effect on selection -------------------------------------------------------
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // --- htmx answers without a body to swap (5xx): say so where the reader looks -------------------
  document.addEventListener("htmx:responseError", function (event) {
    var area = document.getElementById("htmx-error");
    var xhr = event.detail.xhr;
    if (area && xhr && xhr.status >= 500) {
      area.innerHTML = "";
      var p = document.createElement("p");
      p.className = "error";
      p.textContent = area.getAttribute("data-server-error");
      area.appendChild(p);
    }
  });

  // --- drafts ------------------------------------------------------------------------------------
  // Forms marked data-draft="name" keep their typed text in localStorage under draft:<path>:<name>
  // until the form is saved; after a new login on the same page the text comes back.
  var DRAFT_MAX_AGE_MS = 12 * 3600 * 1000;

  function draftKey(form) { return "draft:" + window.location.pathname + ":" + form.getAttribute("data-draft"); }

  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && (el.type === "text" || el.type === "search")))
        && el.name && el.name !== "csrfmiddlewaretoken";
    });
  }

  function saveDraft(form) {
    var values = {}, any = false;
    draftFields(form).forEach(function (el) { if (el.value) { values[el.name] = el.value; any = true; } });
    try {
      if (any) { window.localStorage.setItem(draftKey(form), JSON.stringify({ at: Date.now(), values: values })); }
      else { window.localStorage.removeItem(draftKey(form)); }
    } catch (e) { /* storage full or disabled: nothing to keep */ }
  }

  function restoreDrafts(root) {
    (root || document).querySelectorAll("form[data-draft]").forEach(function (form) {
      var raw = null;
      try { raw = window.localStorage.getItem(draftKey(form)); } catch (e) { return; }
      if (!raw) { return; }
      var draft;
      try { draft = JSON.parse(raw); } catch (e) { return; }
      if (!draft || Date.now() - draft.at > DRAFT_MAX_AGE_MS) { window.localStorage.removeItem(draftKey(form)); return; }
      var restored = false;
      draftFields(form).forEach(function (el) {
        if (!el.value && draft.values[el.name]) { el.value = draft.values[el.name]; restored = true; }
      });
      var notice = document.getElementById("draft-restored");
      if (restored && notice) { notice.hidden = false; }
    });
  }

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-draft")) { saveDraft(form); }
  });
  // saved: the draft has done its job (a refused save keeps it). Checked before the swap, while the
  // form that posted is still in the page (a replaced element's later events never reach the document).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig || {};
    var elt = config.elt;
    var form = elt && elt.closest ? elt.closest("form[data-draft]") : null;
    var status = event.detail.xhr.status;
    if (form && config.verb === "post" && status >= 200 && status < 300 && status !== 204) {
      try { window.localStorage.removeItem(draftKey(form)); } catch (e) { /* */ }
    }
  });
  // a member of staff who logs out on purpose leaves nothing behind on a shared counter PC
  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function () {
      try {
        Object.keys(window.localStorage).forEach(function (key) {
          if (key.indexOf("draft:") === 0) { window.localStorage.removeItem(key); }
        });
      } catch (e) { /* */ }
    });
  });
  restoreDrafts(document);
  document.addEventListener("htmx:afterSettle", function (event) { restoreDrafts(event.detail.elt); });

  // --- idle timeout ------------------------------------------------------------------------------
  var idle = Number(body.getAttribute("data-session-idle-seconds") || 0);
  if (!idle) { return; }
  // the server restarts its timer at most once per refresh interval: count from the worst case
  var refresh = Number(body.getAttribute("data-session-refresh-seconds") || 0);
  var warnBefore = Number(body.getAttribute("data-session-warn-seconds") || 120);
  var warning = document.getElementById("session-warning");
  var button = document.getElementById("session-keep-alive");
  var deadline, warnTimer, endTimer;

  function loginUrl() {
    var here = window.location.pathname + window.location.search;
    return body.getAttribute("data-login-url") + "?next=" + encodeURIComponent(here) + "&expired=1";
  }

  function schedule(slack) {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    deadline = Date.now() + (idle - slack) * 1000;
    warning.hidden = true;
    warnTimer = window.setTimeout(function () {
      warning.hidden = false;
      button.focus();
    }, Math.max(0, deadline - Date.now() - warnBefore * 1000));
    endTimer = window.setTimeout(function () {
      document.querySelectorAll("form[data-draft]").forEach(saveDraft);
      window.location.assign(loginUrl());
    }, Math.max(0, deadline - Date.now()));
  }

  button.addEventListener("click", function () {
    var token = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
    fetch(body.getAttribute("data-keep-alive-url"), {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token }
    }).then(function (response) {
      if (response.status === 204) { schedule(0); }
      else { window.location.assign(loginUrl()); }
    });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.xhr && event.detail.xhr.status < 400) { schedule(refresh); }
  });
  schedule(refresh);
})();
