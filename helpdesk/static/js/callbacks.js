/* The callback queue of the live console: missed calls to return, the longest waiting
 * first. Drawn from the JSON the page embeds, kept live by callback.updated events (staff
 * consoles only), caught up on reconnect. "Mark done" asks for a note and closes the callback
 * through the API. Text only, never HTML. */
(function () {
  "use strict";
  var box = document.querySelector("[data-callbacks]");
  if (!box) return;
  var socket = window.consoleSocket;
  var list = box.querySelector("[data-callback-list]");
  var empty = box.querySelector("[data-callbacks-empty]");
  var counter = box.querySelector("[data-callback-count]");
  var doneUrl = box.dataset.doneUrl.replace(/0\/done$/, "");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var open = {};
  var total = parseInt(counter.textContent, 10) || 0;
  JSON.parse(document.getElementById("callback-data").textContent).forEach(function (c) { open[c.id] = c; });

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }

  function when(iso) {
    return new Date(iso).toLocaleString(window.uiLocale(), { timeZone: "Asia/Kolkata", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  function doneForm(c, item) {
    var form = el("form", { "class": "callback-done", "data-callback-form": "" });
    var id = "callback-note-" + c.id;
    form.append(el("label", { "for": id }, t("What came of it?")));
    var note = el("textarea", { id: id, name: "note", rows: "2", required: "" });
    var error = el("p", { "class": "field-error", hidden: "" });
    var actions = el("p", { "class": "callback-actions" });
    var save = el("button", { type: "submit", "class": "btn btn-primary btn-sm" }, t("Save"));
    var cancel = el("button", { type: "button", "class": "btn btn-ghost btn-sm" }, t("Cancel"));
    actions.append(save, cancel);
    form.append(note, error, actions);
    cancel.addEventListener("click", function () { form.remove(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.hidden = true;
      save.disabled = true;
      fetch(doneUrl + c.id + "/done", {
        method: "POST", credentials: "same-origin",
        headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ note: note.value })
      }).then(function (res) {
        return res.json().then(function (body) { return { ok: res.ok, status: res.status, body: body }; });
      }).then(function (answer) {
        save.disabled = false;
        if (answer.ok || answer.status === 409 || answer.status === 404) { forget(c.id); return; }
        // The API answers in English: the page says it in its own language.
        error.textContent = answer.status === 422 ? t("Write what came of the call back.") : t("Could not save.");
        error.hidden = false;
      }).catch(function () {
        save.disabled = false;
        error.textContent = t("Could not reach the helpdesk. Try again.");
        error.hidden = false;
      });
    });
    item.append(form);
    note.focus();
  }

  function build(c) {
    var item = el("li", { "class": "callback", "data-callback-id": c.id });
    var head = el("p", { "class": "callback-head" });
    head.append(el("strong", {}, c.caller_name || t("Unknown caller")), el("span", { "class": "call-number" }, " " + c.phone));
    item.append(head);
    var missed = tn("{n} missed call, latest {when}", "{n} missed calls, latest {when}", c.missed_calls, { when: when(c.last_missed_at) });
    item.append(el("p", { "class": "muted callback-meta", "data-callback-missed": "" },
      missed + (c.block ? " · " + c.block : "")));
    if (c.open_tickets && c.open_tickets.length) {
      var tickets = el("ul", { "class": "call-tickets" });
      c.open_tickets.slice(0, 3).forEach(function (t) {
        var li = el("li");
        li.append(el("a", { href: t.url }, t.number + " · " + t.subject));
        tickets.append(li);
      });
      item.append(tickets);
    }
    var actions = el("p", { "class": "callback-actions" });
    actions.append(el("a", { "class": "btn btn-primary btn-sm", href: "tel:" + c.phone, "data-callback-call": "" }, t("Call back")));
    var done = el("button", { type: "button", "class": "btn btn-sm", "data-callback-done": "" }, t("Mark done"));
    done.addEventListener("click", function () {
      if (!item.querySelector("[data-callback-form]")) doneForm(c, item);
    });
    actions.append(done);
    item.append(actions);
    return item;
  }

  function draw() {
    var ids = Object.keys(open).sort(function (a, b) {
      return open[a].first_missed_at.localeCompare(open[b].first_missed_at) || a - b;
    });
    var shown = {};
    Array.prototype.forEach.call(list.children, function (li) { shown[li.dataset.callbackId] = li; });
    // Keep a row being written in (its note form) rather than rebuilding it.
    list.replaceChildren.apply(list, ids.map(function (id) {
      var old = shown[id];
      if (old && old.querySelector("[data-callback-form]") && old.dataset.missed === String(open[id].missed_calls)) return old;
      var row = build(open[id]);
      row.dataset.missed = String(open[id].missed_calls);
      return row;
    }));
    counter.textContent = String(Math.max(total, ids.length));
    empty.hidden = ids.length > 0;
  }

  function forget(id) {
    if (open[id]) { delete open[id]; total = Math.max(0, total - 1); }
    draw();
  }

  function onUpdate(c) {
    if (c.status === "open") {
      if (!open[c.id]) total += 1;
      open[c.id] = c;
      draw();
    } else {
      forget(c.id);
    }
  }

  function catchUp() {
    fetch(box.dataset.listUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) { if (!res.ok) throw new Error(res.status); return res.json(); })
      .then(function (body) {
        open = {};
        body.items.forEach(function (c) { open[c.id] = c; });
        total = body.total;
        draw();
      }).catch(function () { /* keep what we have */ });
  }

  draw();
  if (socket) {
    socket.on("callback.updated", onUpdate);
    // Events sent before this console joined its rooms (or while it was away) are lost.
    socket.on("connect", catchUp);
    if (socket.connected) catchUp();
  }
})();
