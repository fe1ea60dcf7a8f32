/* The ticket page, live: who else has it open and who is typing, and the thread redrawn
 * when the ticket changes (a mentor's answer appears without a reload). */
(function () {
  "use strict";
  var box = document.querySelector("[data-ticket-viewing]");
  var socket = window.consoleSocket;
  if (!box || !socket) return;
  var ticketId = parseInt(box.dataset.ticketViewing, 10);
  var thread = document.getElementById("thread-messages");
  var reply = document.getElementById("f-body");

  function names(list) { return list.map(function (p) { return p.name; }).join(", "); }

  function render(p) {
    var others = p.viewers.filter(function (v) { return v.id !== socket.userId; });
    var typing = others.filter(function (v) { return p.typing.indexOf(v.id) >= 0; });
    var parts = [];
    if (others.length) parts.push(t("Also viewing: {names}", { names: names(others) }));
    if (typing.length) parts.push(t(typing.length === 1 ? "{names} is typing…" : "{names} are typing…", { names: names(typing) }));
    box.textContent = parts.join(" · ");
    box.hidden = !parts.length;
  }

  function view() {
    socket.emit("ticket.view", { ticket_id: ticketId }, function (ack) {
      if (ack && ack.ok) render(ack);
    });
  }
  socket.on("connect", view);
  if (socket.connected) view();
  socket.on("ticket.viewing", function (p) { if (p.ticket_id === ticketId) render(p); });

  // Typing: say so at the first key, repeat every 4 s while typing (the server forgets a
  // mark after 8 s), and say it stopped after 3 s without a key or when the form is sent.
  var typingSince = 0, stopTimer = null;
  function typing(on) {
    socket.emit("ticket.typing", { ticket_id: ticketId, typing: on });
    typingSince = on ? Date.now() : 0;
  }
  if (reply) {
    reply.addEventListener("input", function () {
      if (!typingSince || Date.now() - typingSince > 4000) typing(true);
      clearTimeout(stopTimer);
      stopTimer = setTimeout(function () { typing(false); }, 3000);
    });
    if (reply.form) reply.form.addEventListener("submit", function () {
      clearTimeout(stopTimer);
      if (typingSince) typing(false);
    });
  }

  // A change to this ticket: redraw the thread as the server renders it.
  var inFlight = null;
  function statusLabel(status) { return window.t(status.charAt(0).toUpperCase() + status.slice(1)); }
  socket.on("ticket.updated", function (t) {
    if (t.id !== ticketId || !thread) return;
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    fetch(thread.dataset.threadUrl, { credentials: "same-origin", signal: inFlight.signal })
      .then(function (res) { if (!res.ok) throw new Error(res.status); return res.text(); })
      .then(function (html) {
        // The server's own template, escaped there like the page itself.
        thread.innerHTML = html;
        thread.classList.add("is-updated");
        setTimeout(function () { thread.classList.remove("is-updated"); }, 2000);
      }).catch(function () { /* the next change or a reload will show it */ });
    var badge = document.querySelector(".ticket-title .badges .badge[class*='status-']");
    if (badge && badge.className !== "badge status-" + t.status) {
      // The side panels (details, change form, history) are drawn once: offer a reload.
      var note = document.querySelector("[data-live-changed]");
      if (note) {
        note.replaceChildren(document.createTextNode(window.t("This ticket is now {status}.", { status: statusLabel(t.status).toLowerCase() }) + " "));
        var again = document.createElement("a");
        again.href = window.location.pathname;
        again.textContent = window.t("Reload to see every change");
        note.appendChild(again);
        note.hidden = false;
      }
      badge.className = "badge status-" + t.status;
      badge.textContent = statusLabel(t.status);
    }
  });
  window.addEventListener("pagehide", function () {
    socket.emit("ticket.leave", { ticket_id: ticketId });
  });
})();
