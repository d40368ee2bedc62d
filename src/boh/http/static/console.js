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

  document.addEventListener("DOMContentLoaded", function () {
    setupNavToggle();
    setupFillLot();
    setupHtmxErrors();
    setupAutoSubmit();
    setupPerishable();
  });
})();
