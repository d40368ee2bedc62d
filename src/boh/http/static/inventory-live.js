// Live stock page: listens to the balance stream (Server-Sent Events, plain EventSource) and updates the
// rows of the stock table in place; a balance without a row gets a new row. No inline script (CSP).
(function () {
  "use strict";

  function fmt(value, locale) {
    var n = Number(value);
    if (!isFinite(n)) return value;
    return n.toLocaleString(locale || undefined, { maximumFractionDigits: 3 });
  }

  function cell(label, field, text, numeric) {
    var td = document.createElement("td");
    td.setAttribute("data-label", label);
    if (field) td.setAttribute("data-field", field);
    if (numeric) td.className = "num";
    td.textContent = text;
    return td;
  }

  function newRow(table, b) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-key", b.item_id + ":" + (b.lot_id || 0));
    var link = document.createElement("a");
    link.href = "/inventory/items/" + b.item_id + "?site_id=" + b.site_id;
    link.textContent = b.sku;
    var first = cell(table.getAttribute("data-label-sku"), null, "", false);
    first.appendChild(link);
    tr.appendChild(first);
    tr.appendChild(cell("", null, "", false));
    tr.appendChild(cell(table.getAttribute("data-label-lot"), null, b.lot_code || "—", false));
    tr.appendChild(cell(table.getAttribute("data-label-on-hand"), "on_hand", "", true));
    tr.appendChild(cell(table.getAttribute("data-label-reserved"), "reserved", "", true));
    tr.appendChild(cell(table.getAttribute("data-label-available"), "available", "", true));
    for (var i = 0; i < 5; i++) tr.appendChild(cell("", null, "", false));
    table.tBodies[0].appendChild(tr);
    return tr;
  }

  var lastScroll = 0;

  function apply(table, b) {
    var key = b.item_id + ":" + (b.lot_id || 0);
    var tr = table.querySelector('tr[data-key="' + key + '"]');
    if (!tr) {
      // the page shows part of the stock: a row of another page stays there (the feed names the change);
      // the first page grows with new balances
      if (table.getAttribute("data-first-page") !== "true") return;
      tr = newRow(table, b);
    }
    var locale = table.getAttribute("data-locale");
    ["on_hand", "reserved", "available"].forEach(function (field) {
      var td = tr.querySelector('[data-field="' + field + '"]');
      if (!td) return;
      td.textContent = fmt(b[field], locale);
      td.setAttribute("data-value", b[field]);
      td.classList.remove("changed");
      void td.offsetWidth; // restart the highlight
      td.classList.add("changed");
    });
    tr.classList.toggle("negative", Number(b.on_hand) < 0);
    var now = Date.now();
    if (now - lastScroll > 1500 && !table.matches(":hover")) { // bring the change into view, not too often
      lastScroll = now;
      tr.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  function start() {
    var table = document.querySelector("[data-live-stream]");
    var status = document.querySelector("[data-live-status]");
    if (!table || !window.EventSource) return;
    var say = function (name) { if (status) status.textContent = status.getAttribute("data-" + name); };
    var source = new EventSource(table.getAttribute("data-live-stream"));
    source.addEventListener("open", function () { say("live"); table.setAttribute("data-connected", "true"); });
    source.addEventListener("balance", function (event) { apply(table, JSON.parse(event.data)); });
    source.addEventListener("error", function () {
      say("lost");
      table.setAttribute("data-connected", "false");
      // a refused request (e.g. the session expired) closes the source: reload to sign in again
      if (source.readyState === EventSource.CLOSED) setTimeout(function () { window.location.reload(); }, 5000);
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
