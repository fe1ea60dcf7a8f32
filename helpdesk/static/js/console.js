/* The live console: patches the server-rendered queue from ticket events, keeps the
 * counters, ticks the SLA chips, and runs the presence switch (auto-away after inactivity). */
(function () {
  "use strict";
  var table = document.querySelector("[data-live-queue]");
  var socket = window.consoleSocket;
  if (!table || !socket) return;
  var tbody = table.tBodies[0];
  var OPEN = ["new", "open", "pending", "escalated"];
  var ticketUrl = table.dataset.ticketUrl.replace(/0$/, "");
  var boardSize = parseInt(table.dataset.boardSize, 10) || 100;
  var emptyNote = document.querySelector("[data-queue-empty]");
  var liveState = document.querySelector("[data-live-state]");

  // --- counters -------------------------------------------------------------------
  // What each ticket we know of counts as (null: known not to be open). A change to a
  // ticket we never saw cannot be patched locally, so the counters are asked for again.
  var known = {};
  Array.prototype.forEach.call(tbody.rows, function (row) {
    known[row.dataset.ticketId] = {
      status: row.dataset.status, priority: row.dataset.priority, triage: row.dataset.triage === "true"
    };
  });

  function bump(selector, delta) {
    var node = document.querySelector(selector);
    if (!node) return;
    node.textContent = String(Math.max(0, (parseInt(node.textContent, 10) || 0) + delta));
    var counter = node.closest(".counter");
    if (counter) {
      counter.classList.remove("is-changed");
      void counter.offsetWidth;  // restart the highlight
      counter.classList.add("is-changed");
    }
  }

  function count(state, delta) {
    if (!state) return;
    bump('[data-count-status="' + state.status + '"]', delta);
    bump('[data-count-priority="' + state.priority + '"]', delta);
    if (state.triage) bump("[data-count-triage]", delta);
  }

  var refreshTimer = null;
  function refreshCounters() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      fetch(table.dataset.countersUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (res) { if (!res.ok) throw new Error(res.status); return res.json(); })
        .then(function (body) {
          Object.keys(body.status).forEach(function (s) {
            var n = document.querySelector('[data-count-status="' + s + '"]');
            if (n) n.textContent = String(body.status[s]);
          });
          Object.keys(body.priority).forEach(function (p) {
            var n = document.querySelector('[data-count-priority="' + p + '"]');
            if (n) n.textContent = String(body.priority[p]);
          });
          var triage = document.querySelector("[data-count-triage]");
          if (triage && body.triage != null) triage.textContent = String(body.triage);
        }).catch(function () { /* keep the figures we have */ });
    }, 300);
  }

  // --- rows -----------------------------------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }

  function cap(word) { return word ? t(word.charAt(0).toUpperCase() + word.slice(1)) : ""; }

  function buildRow(t) {
    var sla = t.sla || {};
    var row = el("tr", {
      "data-ticket-id": t.id, "data-status": t.status, "data-priority": t.priority,
      "data-created": t.created_at || "", "data-frd": sla.first_response_due || "",
      "data-fra": sla.first_response_at || "", "data-rd": sla.resolution_due || "",
      "data-resolved": sla.resolved_at || "", "data-breached": (sla.breached || []).join(","),
      "data-paused": sla.paused ? "true" : "false", "data-triage": t.block ? "false" : "true"
    });
    var main = el("td", { "class": "cell-main", "data-label": window.t("Ticket") });
    var link = el("a", { "class": "ticket-link", href: ticketUrl + t.id });
    link.append(el("span", { "class": "number" }, t.number), el("span", { "class": "subject" }, t.subject));
    main.appendChild(link);
    if (t.requester) main.appendChild(el("span", { "class": "sub" }, t.requester.name));
    var block = el("td", { "data-label": window.t("Block") }, t.block ? t.block.name : null);
    if (t.block) block.appendChild(el("span", { "class": "sub" }, t.block.state));
    else block.appendChild(el("span", { "class": "badge badge-triage" }, window.t("Triage")));
    var priority = el("td", { "data-label": window.t("Priority") });
    priority.appendChild(el("span", { "class": "badge priority-" + t.priority }, cap(t.priority)));
    var status = el("td", { "data-label": window.t("Status") });
    status.appendChild(el("span", { "class": "badge status-" + t.status }, cap(t.status)));
    var chip = el("td", { "data-label": window.t("SLA") });
    chip.appendChild(el("span", { "class": "sla-chip", "data-sla-chip": "" }, "…"));
    var assignee = el("td", { "data-label": window.t("Assignee") }, t.assignee ? t.assignee.name : "—");
    row.append(main, block, priority, status, chip, assignee);
    return row;
  }

  function onTicket(t, created) {
    var id = String(t.id);
    var isOpen = OPEN.indexOf(t.status) >= 0;
    var now = isOpen ? { status: t.status, priority: t.priority, triage: !t.block } : null;
    if (id in known || created) {
      count(known[id], -1);
      count(now, +1);
    } else {
      refreshCounters();
    }
    known[id] = now;
    var old = tbody.querySelector('tr[data-ticket-id="' + id + '"]');
    if (old) old.remove();
    if (isOpen) {
      var row = buildRow(t);
      row.classList.add("is-fresh");
      tbody.insertBefore(row, tbody.firstChild);
      tickRow(row, Date.now());
      setTimeout(function () { row.classList.remove("is-fresh"); }, 4000);
      while (tbody.rows.length > boardSize) tbody.deleteRow(-1);
    }
    if (emptyNote) emptyNote.hidden = tbody.rows.length > 0;
  }

  socket.on("ticket.created", function (t) { onTicket(t, true); });
  socket.on("ticket.updated", function (t) { onTicket(t, false); });

  // --- SLA chips ------------------------------------------------------------------
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600);
    var m = Math.floor(s % 3600 / 60);
    if (d) return t("{d}d {h}h", { d: d, h: h });
    if (h) return t("{h}h {m}m", { h: h, m: m });
    return t("{m}m {s}s", { m: m, s: String(s % 60).padStart(2, "0") });
  }

  function tickRow(row, now) {
    var chip = row.querySelector("[data-sla-chip]");
    if (!chip) return;
    var d = row.dataset, clock, due, label;
    if (d.paused === "true") {
      chip.className = "sla-chip sla-paused";
      chip.textContent = t("paused");
      chip.title = t("The SLA clock stops while the ticket waits on the requester.");
      return;
    }
    if (!d.fra && d.frd) { clock = "first_response"; due = d.frd; label = t("1st response"); }
    else if (!d.resolved && d.rd) { clock = "resolution"; due = d.rd; label = t("resolve"); }
    if (!clock) { chip.className = "sla-chip"; chip.textContent = "—"; return; }
    var dueAt = Date.parse(due), start = Date.parse(d.created);
    var left = dueAt - now;
    var used = dueAt > start ? (now - start) / (dueAt - start) : 1;
    var breached = d.breached.split(",").indexOf(clock) >= 0 || left <= 0;
    chip.className = "sla-chip " + (breached ? "sla-red" : used >= 0.8 ? "sla-amber" : "sla-ok");
    chip.textContent = t(left > 0 ? "{label} in {time}" : "{label} overdue {time}", { label: label, time: span(left) });
    chip.title = t("{label} due {when} IST", {
      label: label, when: new Date(dueAt).toLocaleString(uiLocale(), { timeZone: "Asia/Kolkata", hourCycle: "h23" })
    });
  }

  function tickAll() {
    var now = Date.now();
    Array.prototype.forEach.call(tbody.rows, function (row) { tickRow(row, now); });
  }
  tickAll();
  setInterval(tickAll, 1000);

  // --- presence -------------------------------------------------------------------
  var switchBox = document.querySelector("[data-presence-switch]");
  var colleagues = document.querySelector("[data-colleagues]");
  var awayAfter = (parseInt(switchBox && switchBox.dataset.awayAfter, 10) || 300) * 1000;
  var status = "online", autoAway = false, lastActivity = Date.now();
  var people = {};

  function showStatus() {
    if (!switchBox) return;
    switchBox.querySelectorAll("[data-presence]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.presence === status));
    });
  }

  function setStatus(next, auto) {
    autoAway = next === "away" && auto;
    status = next;
    showStatus();
    socket.emit("presence.set", { status: next });
  }

  if (switchBox) {
    switchBox.querySelectorAll("[data-presence]").forEach(function (b) {
      b.addEventListener("click", function () { setStatus(b.dataset.presence, false); });
    });
  }

  ["keydown", "mousemove", "mousedown", "touchstart", "wheel"].forEach(function (name) {
    document.addEventListener(name, function () {
      lastActivity = Date.now();
      if (autoAway && status === "away") setStatus("online", false);
    }, { passive: true });
  });
  setInterval(function () {
    if (status === "online" && Date.now() - lastActivity >= awayAfter) setStatus("away", true);
  }, 5000);

  function drawColleagues() {
    if (!colleagues) return;
    var ids = Object.keys(people).filter(function (id) { return people[id].status !== "offline"; });
    ids.sort(function (a, b) { return people[a].name.localeCompare(people[b].name); });
    if (!ids.length) { colleagues.replaceChildren(el("li", { "class": "muted" }, t("No one else is online."))); return; }
    colleagues.replaceChildren.apply(colleagues, ids.map(function (id) {
      var p = people[id];
      var li = el("li", { "class": "colleague is-" + p.status, "data-user-id": id });
      li.append(el("span", { "class": "dot", "aria-hidden": "true" }),
                el("span", {}, p.name + (String(socket.userId) === id ? " " + t("(you)") : "")),
                el("small", { "class": "muted" }, " " + t(p.status)));
      return li;
    }));
  }

  socket.on("presence", function (p) {
    people[p.user.id] = { name: p.user.name, status: p.status };
    drawColleagues();
  });

  function onConnect() {
    if (liveState) liveState.textContent = t("live");
    // A console that comes back says what it chose, and catches up on missed figures.
    if (status === "away") socket.emit("presence.set", { status: "away" });
    refreshCounters();
    if (colleagues) {
      socket.emit("presence.list", {}, function (ack) {
        if (!ack || !ack.users) {
          colleagues.replaceChildren(el("li", { "class": "muted" }, t("Only agents, managers and admins see who is online.")));
          return;
        }
        people = {};
        ack.users.forEach(function (u) { people[u.id] = { name: u.name, status: u.status }; });
        drawColleagues();
      });
    }
  }
  socket.on("connect", onConnect);
  if (socket.connected) onConnect();
  socket.on("disconnect", function () { if (liveState) liveState.textContent = t("reconnecting…"); });
})();
