// BOH inspections: the phone's side of an inspection (check-in, answers, photos, signature, submit).
// Every answer and photo goes into a queue kept in IndexedDB (idb-keyval, vendored from npm) before it is
// sent, so a lost connection loses nothing: the queue is sent again when the phone is back online (and at
// start). Each entry carries its own client_id, which the server uses to ignore an entry it already has,
// so a resend never makes a duplicate. Conditions (show item B when A failed) are judged here as well, so
// the checklist works offline; the server stays the authority for the score.
(function () {
  "use strict";
  var dataBlock = document.getElementById("visit-data");
  if (!dataBlock) return;
  var data = JSON.parse(dataBlock.textContent);
  var API = "/api/v1/inspections/visits/" + data.visit;
  var QKEY = "boh-inspection-queue-" + data.visit;
  var idb = window.idbKeyval;
  var items = data.items || [];
  var byKey = {};
  items.forEach(function (it) { byKey[it.key] = it; });
  var flushing = null;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function fmt(text, n) { return (text || "").replace("{n}", n).replace("{msg}", n); }

  // --- the queue -------------------------------------------------------------------------------------
  function queue() { return idb.get(QKEY).then(function (q) { return q || []; }); }
  function enqueue(entry) {
    return idb.update(QKEY, function (q) {
      q = (q || []).filter(function (e) {  // a newer answer to the same item replaces the one not yet sent
        return !(entry.type === "answer" && e.type === "answer" && e.item_key === entry.item_key && !e.sending);
      });
      q.push(entry);
      return q;
    });
  }
  function drop(ids) {
    return idb.update(QKEY, function (q) {
      return (q || []).filter(function (e) { return ids.indexOf(e.client_id) < 0; });
    });
  }

  function status(kind, text) {
    var box = $("#sync-status");
    if (!box) return;
    box.hidden = false;
    box.className = "sync sync-" + kind;
    box.setAttribute("data-state", kind);
    box.textContent = text;
  }
  function showQueue() {
    return queue().then(function (q) {
      var box = $("#sync-status");
      $all("[data-queued]").forEach(function (el) {
        var key = el.getAttribute("data-queued");
        var n = q.filter(function (e) { return e.type === "photo" && e.item_key === key; }).length;
        el.textContent = n ? fmt(el.getAttribute("data-label"), n) : "";
      });
      if (!box) return q;
      if (q.length) status(navigator.onLine ? "pending" : "offline",
        navigator.onLine ? fmt(box.getAttribute("data-pending"), q.length) : box.getAttribute("data-offline"));
      else if (box.getAttribute("data-state")) status("saved", box.getAttribute("data-saved"));
      return q;
    });
  }

  function problem(r) {
    return r.json().catch(function () { return {}; }).then(function (body) { body.status = r.status; return body; });
  }
  // the API takes the session cookie only with this page's CSRF token (and a same-origin request)
  function headers(h) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) h["X-CSRF-Token"] = meta.getAttribute("content");
    return h;
  }
  function refreshSession() { return fetch("/inspections/session", { credentials: "same-origin" }); }

  function send(request) {  // one retry after the console refreshed an expired session
    return request().then(function (r) {
      if (r.status !== 401) return r;
      return refreshSession().then(request);
    });
  }

  function itemError(key, text) {
    var el = $('[data-error-for="' + key + '"]');
    if (!el) return;
    el.hidden = !text;
    el.textContent = text || "";
    var box = el.closest(".insp-item");
    if (box) box.classList.toggle("has-error", !!text);
  }

  function sendAnswers(entries) {
    entries.forEach(function (e) { e.sending = true; });
    var body = JSON.stringify({ answers: entries.map(function (e) {
      return { item_key: e.item_key, value: e.value, note: e.note, client_id: e.client_id, answered_at: e.answered_at };
    }) });
    return send(function () {
      return fetch(API + "/answers", { method: "POST", credentials: "same-origin",
        headers: headers({ "Content-Type": "application/json", "Accept": "application/json" }), body: body });
    }).then(function (r) {
      if (r.ok) {
        entries.forEach(function (e) { itemError(e.item_key, ""); });
        return drop(entries.map(function (e) { return e.client_id; }));
      }
      if (r.status >= 500 || r.status === 408 || r.status === 429) throw new Error("retry later");
      return problem(r).then(function (p) {  // refused for good: say why beside each item, keep nothing
        (p.errors || []).forEach(function (err) {
          var entry = entries[err.loc[1]];
          if (entry) itemError(entry.item_key, err.message);
        });
        if (!(p.errors || []).length) status("error", fmt($("#sync-status").getAttribute("data-error"), p.title || r.status));
        return drop(entries.map(function (e) { return e.client_id; }));
      });
    });
  }

  function sendPhoto(e) {
    var form = new FormData();
    form.append("file", e.blob, e.name || "photo.jpg");
    form.append("item_key", e.item_key);
    form.append("client_id", e.client_id);
    return send(function () {
      return fetch(API + "/photos", { method: "POST", credentials: "same-origin", body: form,
        headers: headers({ "Accept": "application/json" }) });
    }).then(function (r) {
      if (r.ok) {
        return r.json().then(function (p) {
          var box = $('[data-photos="' + e.item_key + '"]');
          if (box && !$('img[data-photo="' + p.id + '"]', box)) {
            var img = document.createElement("img");
            img.src = p.thumb_url; img.alt = ""; img.setAttribute("data-photo", p.id);
            img.setAttribute("data-testid", "photo-thumb");
            box.insertBefore(img, box.firstChild);
          }
          data.photos[e.item_key] = (data.photos[e.item_key] || 0) + 1;
          itemError(e.item_key, "");
          return drop([e.client_id]);
        });
      }
      if (r.status >= 500 || r.status === 408 || r.status === 429) throw new Error("retry later");
      return problem(r).then(function (p) { itemError(e.item_key, p.detail || p.title); return drop([e.client_id]); });
    });
  }

  var again = false;
  function flush() {
    if (flushing) { again = true; return flushing; }  // entries queued meanwhile go in the next round
    flushing = queue().then(function (q) {
      var answers = q.filter(function (e) { return e.type === "answer"; });
      var photos = q.filter(function (e) { return e.type === "photo"; });
      var chain = answers.length ? sendAnswers(answers) : Promise.resolve();
      photos.forEach(function (p) { chain = chain.then(function () { return sendPhoto(p); }); });
      return chain.then(function () { return true; });
    }).catch(function () { return false; /* offline or the server is busy: the queue stays for the next try */ })
      .then(function (sent) {
        flushing = null;
        if (again && sent) { again = false; return flush(); }
        again = false;
        return showQueue();
      });
    return flushing;
  }

  // --- answers from the form -------------------------------------------------------------------------
  function valueOf(key) {
    var it = byKey[key];
    var inputs = $all('[name="v-' + key + '"]');
    if (!it || !inputs.length) return null;
    if (it.kind === "choice" && inputs[0].type === "checkbox") {
      return inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    if (inputs[0].type === "radio") {
      var on = inputs.filter(function (i) { return i.checked; })[0];
      return on ? on.value : null;
    }
    var na = $('[name="na-' + key + '"]');
    if (na && na.checked) return "na";
    var text = (inputs[0].value || "").trim();
    return text === "" ? null : text;
  }

  function fails(it, v) {
    if (v === null || v === "na" || (Array.isArray(v) && !v.length && it.kind !== "choice")) return null;
    if (it.kind === "yes_no") return v !== it.pass_value;
    if (it.kind === "scale") return it.pass_min !== null && Number(v) < Number(it.pass_min);
    if (it.kind === "number" || it.kind === "temperature") {
      var n = Number(String(v).replace(",", "."));
      if (isNaN(n)) return null;
      return (it.min !== null && n < Number(it.min)) || (it.max !== null && n > Number(it.max));
    }
    if (it.kind === "choice") {
      var chosen = Array.isArray(v) ? v : [v];
      return !chosen.length || chosen.some(function (k) { return it.fails.indexOf(k) >= 0; });
    }
    return null;
  }

  function applyConditions() {
    var shown = {};
    items.forEach(function (it) {
      var visible = true;
      var c = it.show_if;
      if (c) {
        var target = byKey[c.item];
        var v = valueOf(c.item);
        if (!target || !shown[c.item]) visible = false;
        else if (c.failed !== null && c.failed !== undefined) visible = fails(target, v) === c.failed;
        else {
          var given = Array.isArray(v) ? v : (v === null ? [] : [v]);
          visible = given.some(function (x) { return (c.equals || []).indexOf(x) >= 0; });
        }
      }
      shown[it.key] = visible;
      var box = $('[data-item="' + it.key + '"]');
      if (box) box.hidden = !visible;
    });
  }

  function onChange(key) {
    var note = $('[name="note-' + key + '"]');
    applyConditions();
    return enqueue({ type: "answer", client_id: uuid(), item_key: key, value: valueOf(key),
      note: note && note.value.trim() ? note.value.trim() : null, answered_at: new Date().toISOString() })
      .then(showQueue).then(flush);
  }

  function restoreQueued(q) {  // answers not sent before the page was left: shown as they were entered
    q.filter(function (e) { return e.type === "answer"; }).forEach(function (e) {
      $all('[name="v-' + e.item_key + '"]').forEach(function (input) {
        if (input.type === "radio" || input.type === "checkbox") {
          var values = Array.isArray(e.value) ? e.value : [e.value];
          input.checked = values.indexOf(input.value) >= 0;
        } else if (e.value !== "na") {
          input.value = e.value || "";
        }
      });
    });
    applyConditions();
  }

  // --- signature pad ---------------------------------------------------------------------------------
  function setupSignature(canvas) {
    var key = canvas.getAttribute("data-signature");
    var field = $('[name="v-' + key + '"]');
    var ctx = canvas.getContext("2d");
    var drawing = false;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    function at(ev) {
      var r = canvas.getBoundingClientRect();
      return [(ev.clientX - r.left) * canvas.width / r.width, (ev.clientY - r.top) * canvas.height / r.height];
    }
    canvas.addEventListener("pointerdown", function (ev) {
      drawing = true; var p = at(ev); ctx.beginPath(); ctx.moveTo(p[0], p[1]); canvas.setPointerCapture(ev.pointerId);
    });
    canvas.addEventListener("pointermove", function (ev) {
      if (!drawing) return; var p = at(ev); ctx.lineTo(p[0], p[1]); ctx.stroke();
    });
    canvas.addEventListener("pointerup", function () {
      if (!drawing) return;
      drawing = false; field.value = canvas.toDataURL("image/png"); onChange(key);
    });
    var clear = $('[data-clear-signature="' + key + '"]');
    if (clear) clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); field.value = ""; onChange(key);
    });
  }

  // --- check-in and submit ---------------------------------------------------------------------------
  function setupCheckin() {
    var button = $("#checkin-button");
    if (!button) return;
    var out = $("#checkin-result");
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { out.textContent = button.getAttribute("data-denied"); return; }
      button.setAttribute("aria-busy", "true");
      out.textContent = button.getAttribute("data-locating");
      navigator.geolocation.getCurrentPosition(function (pos) {
        var body = { latitude: pos.coords.latitude.toFixed(6), longitude: pos.coords.longitude.toFixed(6),
          accuracy_m: Math.min(pos.coords.accuracy || 0, 100000).toFixed(2) };
        send(function () {
          return fetch(API + "/checkin", { method: "POST", credentials: "same-origin",
            headers: headers({ "Content-Type": "application/json", "Accept": "application/json" }), body: JSON.stringify(body) });
        }).then(function (r) {
          if (r.ok) { window.location.reload(); return; }
          return problem(r).then(function (p) {
            button.removeAttribute("aria-busy");
            out.textContent = (p.title ? p.title + ": " : "") + (p.detail || "");
            out.className = "error-block";
          });
        }).catch(function () {
          button.removeAttribute("aria-busy");
          out.textContent = $("#sync-status").getAttribute("data-offline");
        });
      }, function () {
        button.removeAttribute("aria-busy");
        out.textContent = button.getAttribute("data-denied");
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
    });
  }

  function setupSubmit() {
    var button = $("#submit-button");
    if (!button) return;
    var out = $("#submit-result");
    button.addEventListener("click", function () {
      button.setAttribute("aria-busy", "true");
      flush().then(queue).then(function (q) {
        if (q.length) { out.textContent = button.getAttribute("data-waiting"); out.className = "error-block"; return; }
        return send(function () {
          return fetch(API + "/submit", { method: "POST", credentials: "same-origin",
            headers: headers({ "Content-Type": "application/json", "Accept": "application/json" }), body: "{}" });
        }).then(function (r) {
          if (r.ok) { window.location.reload(); return; }
          return problem(r).then(function (p) {
            (p.errors || []).forEach(function (err) { itemError(err.loc[1], err.message); });
            out.textContent = (p.errors || []).length ? button.getAttribute("data-missing") : (p.detail || p.title);
            out.className = "error-block";
          });
        });
      }).catch(function () {
        out.textContent = button.getAttribute("data-waiting"); out.className = "error-block";
      }).then(function () { button.removeAttribute("aria-busy"); });
    });
  }

  function setupChecklist() {
    var form = $("#checklist");
    if (!form) return;
    applyConditions();
    if (form.getAttribute("data-editable") !== "true") {
      $all("input, textarea, button", form).forEach(function (el) { el.disabled = true; });
      return;
    }
    form.addEventListener("change", function (ev) {
      var name = ev.target.getAttribute("name") || "";
      var photoKey = ev.target.getAttribute("data-photo-input");
      if (photoKey) {
        var file = ev.target.files && ev.target.files[0];
        if (!file) return;
        enqueue({ type: "photo", client_id: uuid(), item_key: photoKey, blob: file, name: file.name })
          .then(showQueue).then(flush);
        ev.target.value = "";
        return;
      }
      var m = /^(?:v|na|note)-(.+)$/.exec(name);
      if (m && byKey[m[1]]) onChange(m[1]);
    });
    $all("canvas[data-signature]", form).forEach(setupSignature);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCheckin();
    setupChecklist();
    setupSubmit();
    window.addEventListener("online", flush);
    window.addEventListener("offline", showQueue);
    setInterval(function () { queue().then(function (q) { if (q.length) flush(); }); }, 10000);
    queue().then(restoreQueued).then(flush);
  });
})();
