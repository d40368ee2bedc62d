// BOH console: the few behaviours the pages need beyond htmx. No inline scripts (CSP friendly).
(function () {
  "use strict";

  function setupNavToggle() {
    var button = document.querySelector("[data-nav-toggle]");
    var nav = document.getElementById("main-nav");
    if (!button || !nav) return;
    button.addEventListener("click", function () {
      var open = nav.getAttribute("data-open") === "true";
      nav.setAttribute("data-open", open ? "false" : "true");
      button.setAttribute("aria-expanded", open ? "false" : "true");
    });
  }

  function showError(html) {
    var block = document.getElementById("error-block");
    if (!block) return;
    block.innerHTML = html;
    block.hidden = false;
    block.scrollIntoView({ block: "nearest" });
  }

  function setupHtmxErrors() {
    document.body.addEventListener("htmx:responseError", function (event) {
      var xhr = event.detail.xhr;
      var type = (xhr.getResponseHeader("content-type") || "").toLowerCase();
      if (type.indexOf("text/html") === 0 && xhr.responseText) {
        showError(xhr.responseText);
      } else {
        var block = document.getElementById("error-block");
        showError("<p>" + (block ? block.getAttribute("data-generic") : "Error") + " (" + xhr.status + ")</p>");
      }
    });
    document.body.addEventListener("htmx:sendError", function () {
      var block = document.getElementById("error-block");
      showError("<p>" + (block ? block.getAttribute("data-offline") : "Offline") + "</p>");
    });
    document.body.addEventListener("htmx:beforeRequest", function () {
      var block = document.getElementById("error-block");
      if (block) { block.hidden = true; block.innerHTML = ""; }
    });
  }

  function setupAutoSubmit() {
    // <select data-autosubmit> submits its form when changed (language switch without htmx).
    document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form && el.form.requestSubmit(); });
    });
  }

  function setupPerishable() {
    // Shelf-life input only matters for perishable items.
    document.querySelectorAll("[data-toggles]").forEach(function (box) {
      var target = document.getElementById(box.getAttribute("data-toggles"));
      if (!target) return;
      var sync = function () { target.hidden = !box.checked; };
      box.addEventListener("change", sync);
      sync();
    });
  }

  function setupFillLot() {
    // A FEFO suggestion's "use this lot" button fills the form's lot field (delegated: the list is htmx'd in).
    document.body.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-fill-lot]") : null;
      var field = document.getElementById("f-lot_code");
      if (!button || !field) return;
      field.value = button.getAttribute("data-fill-lot");
      field.focus();
    });
  }

  function setupSortableTables() {
    // <table data-sortable>: a click (or Enter) on a header sorts by the cells' data-sort values.
    document.body.addEventListener("click", sortBy);
    document.body.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(e); });
  }

  function sortBy(event) {
    var th = event.target.closest ? event.target.closest("table[data-sortable] th[data-sort-col]") : null;
    if (!th) return;
    var table = th.closest("table"), body = table.tBodies[0], col = Number(th.getAttribute("data-sort-col"));
    var dir = th.getAttribute("aria-sort") === "descending" ? "ascending" : "descending";
    table.querySelectorAll("th[data-sort-col]").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", dir);
    var rows = Array.prototype.slice.call(body.rows);
    var key = function (row) {
      var v = row.cells[col] ? row.cells[col].getAttribute("data-sort") : "";
      var n = Number(v);
      return v !== "" && !isNaN(n) ? n : String(v).toLowerCase();
    };
    rows.sort(function (a, b) {
      var x = key(a), y = key(b), r = x < y ? -1 : x > y ? 1 : 0;
      return dir === "ascending" ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupSortableTables();
    setupNavToggle();
    setupFillLot();
    setupHtmxErrors();
    setupAutoSubmit();
    setupPerishable();
  });
})();
