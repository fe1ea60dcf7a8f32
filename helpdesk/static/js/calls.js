/* Telephony on the agent's screen: a toast when a call comes in (call.incoming, to every
   agent) and a screen-pop for the agent who answered (call.screenpop): the caller's open
   ticket, or the log-a-call form with their number filled in. Text only, never HTML. */
(function () {
  "use strict";
  var socket = window.consoleSocket;
  var box = document.getElementById("call-popups");
  if (!socket || !box) return;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function callerName(data) {
    return data.caller_name || t("Unknown caller");
  }

  function closeButton(card) {
    var close = el("button", { type: "button", "class": "btn btn-ghost btn-sm call-close", "aria-label": t("Dismiss") }, "×");
    close.addEventListener("click", function () { card.remove(); });
    return close;
  }

  function ticketList(tickets) {
    var list = el("ul", { "class": "call-tickets" });
    (tickets || []).slice(0, 5).forEach(function (t) {
      var item = el("li");
      item.appendChild(el("a", { href: t.url }, t.number + " · " + t.subject));
      list.appendChild(item);
    });
    return list;
  }

  function replace(kind, callId, card) {
    var old = box.querySelector('[data-call-id="' + CSS.escape(callId) + '"]');
    if (old) old.remove();
    card.dataset.callId = callId;
    card.classList.add("call-card", "call-" + kind);
    box.prepend(card);
  }

  socket.on("call.incoming", function (data) {
    var card = el("section", { role: "status" });
    card.appendChild(closeButton(card));
    card.appendChild(el("p", { "class": "call-kind" }, t("Incoming call")));
    card.appendChild(el("strong", { "class": "call-caller" }, callerName(data)));
    card.appendChild(el("span", { "class": "call-number" }, " " + data.from));
    var tickets = data.open_tickets || [];
    card.appendChild(el("p", { "class": "muted" },
      tickets.length ? tn("{n} open ticket:", "{n} open tickets:", tickets.length) : t("No open tickets.")));
    if (tickets.length) card.appendChild(ticketList(tickets));
    replace("incoming", data.call_id, card);
    // Someone else may answer it: the toast goes by itself after a minute.
    setTimeout(function () { if (card.isConnected && card.classList.contains("call-incoming")) card.remove(); }, 60000);
  });

  // A missed call is over: its toast gives way to the callback queue.
  socket.on("callback.updated", function (data) {
    if (data.status !== "open" || !data.last_call) return;
    var toast = box.querySelector('.call-incoming[data-call-id="' + CSS.escape(data.last_call) + '"]');
    if (toast) toast.remove();
  });

  socket.on("call.screenpop", function (data) {
    var card = el("section", { role: "alertdialog", "aria-label": t("Call from {name}", { name: callerName(data) }), "class": "call-screenpop" });
    card.appendChild(closeButton(card));
    card.appendChild(el("p", { "class": "call-kind" }, t("On the line")));
    card.appendChild(el("strong", { "class": "call-caller" }, callerName(data)));
    card.appendChild(el("span", { "class": "call-number" }, " " + data.from));
    var actions = el("p", { "class": "call-actions" });
    if (data.ticket) {
      card.appendChild(el("p", {}, t("Latest open ticket: {number} · {subject}", { number: data.ticket.number, subject: data.ticket.subject })));
      actions.appendChild(el("a", { "class": "btn btn-primary call-open-ticket", href: data.ticket.url }, t("Open {number}", { number: data.ticket.number })));
      actions.appendChild(el("a", { "class": "btn btn-ghost call-new-ticket", href: data.new_ticket_url }, t("Log a new call")));
    } else {
      card.appendChild(el("p", {}, t("No open ticket for this caller.")));
      actions.appendChild(el("a", { "class": "btn btn-primary call-new-ticket", href: data.new_ticket_url }, t("Log this call")));
    }
    card.appendChild(actions);
    replace("screenpop", data.call_id, card);
    var first = actions.querySelector("a");
    if (first) first.focus();
  });
})();
