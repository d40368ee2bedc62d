// BOH console barcode input ([data-scan], written by the _scan.html macro).
// - Camera: loads ZXing's browser layer (vendored from npm by frontend/) on the first tap and reads
//   EAN-13/EAN-8/UPC, Code 128 (GS1-128, with FNC1 as the GS character) and QR codes into the field.
// - Keyboard-wedge scanners type into the focused field and press Enter, which submits like a person would;
//   when no field has the focus, a fast burst of keys ending with Enter goes to the [data-scan-default] field.
(function () {
  "use strict";
  var loading = null;
  var FORMATS = ["EAN_13", "EAN_8", "UPC_A", "UPC_E", "CODE_128", "QR_CODE", "DATA_MATRIX"];

  function loadZXing() {
    if (window.ZXingBrowser) return Promise.resolve(window.ZXingBrowser);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = "/static/vendor/zxing-browser.min.js";
      s.onload = function () { resolve(window.ZXingBrowser); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
    return loading;
  }

  function deliver(box, text) {
    var input = box.querySelector("[data-scan-input]");
    if (!input) return;
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new CustomEvent("boh:scanned", { bubbles: true, detail: { code: text } }));
    if (box.hasAttribute("data-scan-submit") && input.form) input.form.requestSubmit();
    else input.focus();
  }

  function status(box, key, extra) {
    var el = box.querySelector("[data-scan-status]");
    if (el) el.textContent = (el.getAttribute("data-msg-" + key) || "") + (extra ? " " + extra : "");
  }

  function hints(ZX) {
    var map = new Map();
    var fmt = ZX.BarcodeFormat;
    if (fmt && ZX.DecodeHintType) {
      map.set(ZX.DecodeHintType.POSSIBLE_FORMATS, FORMATS.map(function (f) { return fmt[f]; }));
      map.set(ZX.DecodeHintType.ASSUME_GS1, false);
    }
    return map;
  }

  function startCamera(box) {
    var panel = box.querySelector("[data-scan-panel]");
    var video = panel.querySelector("video");
    status(box, "starting");
    loadZXing().then(function (ZX) {
      var reader = new ZX.BrowserMultiFormatReader(hints(ZX));
      panel.hidden = false;
      return reader.decodeFromVideoDevice(undefined, video, function (result, err, controls) {
        box._controls = controls;
        if (!result) return;
        controls.stop();
        panel.hidden = true;
        status(box, "read", result.getText());
        deliver(box, result.getText());
      }).then(function (controls) { box._controls = controls; status(box, "aim"); });
    }).catch(function () { panel.hidden = true; status(box, "denied"); });
  }

  function stopCamera(box) {
    if (box._controls) box._controls.stop();
    box._controls = null;
    box.querySelector("[data-scan-panel]").hidden = true;
    status(box, "");
  }

  function setup(root) {
    var canCamera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
    (root || document).querySelectorAll("[data-scan]").forEach(function (box) {
      if (box.getAttribute("data-scan-ready")) return;
      box.setAttribute("data-scan-ready", "1");
      var cam = box.querySelector("[data-scan-camera]");
      if (cam && canCamera) {
        cam.hidden = false;
        cam.addEventListener("click", function () { startCamera(box); });
      }
      var stop = box.querySelector("[data-scan-stop]");
      if (stop) stop.addEventListener("click", function () { stopCamera(box); });
    });
  }

  // keyboard wedge while nothing is focused: characters arriving < 50 ms apart, then Enter
  var burst = "", last = 0;
  function editable(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (e) {
    if (editable(document.activeElement) || e.ctrlKey || e.metaKey || e.altKey) return;
    var now = Date.now();
    if (now - last > 50) burst = "";
    last = now;
    if (e.key === "Enter") {
      var input = document.querySelector("[data-scan-default]");
      if (burst.length >= 4 && input) {
        e.preventDefault();
        deliver(input.closest("[data-scan]"), burst);
      }
      burst = "";
    } else if (e.key.length === 1) {
      burst += e.key;
    }
  });

  // Scans faster than the server answers are never lost: an htmx form with a scan field takes the code out
  // of the field the moment it is submitted (the field is free for the next scan at once), keeps the codes
  // in order and sends each with its own request, one after the other (hx-sync "queue all"). htmx reads a
  // form's values only when a queued request starts, so without this a second scan typed while the first
  // was in flight was sent empty or not at all.
  function scanInput(form) {
    return form && form.querySelector ? form.querySelector("[data-scan-input]") : null;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    var input = scanInput(form);
    if (!input || !(form.hasAttribute("hx-post") || form.hasAttribute("hx-get"))) return;
    if (!form.hasAttribute("hx-sync")) form.setAttribute("hx-sync", "this:queue all");
    (form._scanCodes = form._scanCodes || []).push(input.value);
    input.value = "";
  }, true);  // capture: before htmx's own listener on the form

  document.addEventListener("htmx:configRequest", function (e) {
    var form = e.detail.elt;
    var input = scanInput(form);
    if (!input || !form._scanCodes || !form._scanCodes.length) return;
    var code = form._scanCodes.shift();
    e.detail.parameters[input.name] = code;
    form._scanSent = code;
  });

  // after the request: the field keeps the focus for the next scan (unless the user is typing elsewhere
  // by now); a refused code comes back into the
  // field (when nothing new was typed) so that it can be corrected
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt && e.detail.elt.closest ? e.detail.elt.closest("form") : null;
    var input = scanInput(form);
    if (!input) return;
    if (!e.detail.successful && !input.value && form._scanSent) input.value = form._scanSent;
    var active = document.activeElement;  // never take the focus from a field the user has moved on to
    if (!active || active === document.body || form.contains(active)) input.focus();
  });

  document.addEventListener("DOMContentLoaded", function () { setup(document); });
  document.addEventListener("htmx:afterSwap", function (e) { setup(e.target); });
})();
