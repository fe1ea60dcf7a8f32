/* The notification tray: a bell with the unread count, a list, mark as read. The count
 * arrives with the page; new notifications arrive live through consoleSocket. */
(function () {
  "use strict";
  var tray = document.querySelector("[data-tray]");
  if (!tray) return;
  var bell = tray.querySelector(".tray-bell");
  var panel = tray.querySelector(".tray-panel");
  var list = tray.querySelector("[data-tray-list]");
  var count = tray.querySelector("[data-tray-count]");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var ticketUrl = tray.dataset.ticketUrl.replace(/0$/, "");
  var loaded = false;

  function setUnread(n) {
    count.textContent = String(n);
    count.hidden = !n;
    bell.title = n ? tn("{n} unread notification", "{n} unread notifications", n) : t("Notifications");
  }

  function when(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleString(uiLocale(), {
      timeZone: "Asia/Kolkata", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    });
  }

  function item(n) {
    var li = document.createElement("li");
    li.className = "tray-item" + (n.read ? "" : " is-unread");
    li.dataset.id = n.id;
    var text = document.createElement(n.ticket ? "a" : "span");
    text.className = "tray-text";
    text.textContent = n.text;
    if (n.ticket) text.href = ticketUrl + n.ticket;
    var meta = document.createElement("small");
    meta.className = "muted";
    meta.textContent = when(n.created_at);
    li.append(text, meta);
    if (!n.read) {
      var mark = document.createElement("button");
      mark.type = "button";
      mark.className = "btn btn-sm tray-mark";
      mark.textContent = t("Mark read");
      mark.addEventListener("click", function () { markRead({ ids: [n.id] }); });
      li.appendChild(mark);
      // Following the link reads it too.
      if (n.ticket) text.addEventListener("click", function () { markRead({ ids: [n.id] }); });
    }
    return li;
  }

  function empty() {
    if (!list.querySelector(".tray-item")) {
      var li = document.createElement("li");
      li.className = "muted tray-empty";
      li.textContent = t("No notifications.");
      list.replaceChildren(li);
    }
  }

  function load() {
    fetch(tray.dataset.listUrl + "?per_page=20", {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (res) {
      if (!res.ok) throw new Error("notifications " + res.status);
      return res.json();
    }).then(function (body) {
      loaded = true;
      list.replaceChildren.apply(list, body.items.map(item));
      empty();
      setUnread(body.unread);
    }).catch(function () {
      list.replaceChildren();
      var li = document.createElement("li");
      li.className = "muted";
      li.textContent = t("Notifications could not be loaded just now.");
      list.appendChild(li);
    });
  }

  function markRead(body) {
    fetch(tray.dataset.readUrl, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf }
    }).then(function (res) {
      if (!res.ok) throw new Error("read " + res.status);
      return res.json();
    }).then(function (result) {
      setUnread(result.unread);
      list.querySelectorAll(".tray-item").forEach(function (li) {
        if (body.all || body.ids.indexOf(parseInt(li.dataset.id, 10)) >= 0) {
          li.classList.remove("is-unread");
          var button = li.querySelector(".tray-mark");
          if (button) button.remove();
        }
      });
    }).catch(function () { /* the count stays as it was; the next try will do */ });
  }

  function toggle(open) {
    panel.hidden = !open;
    bell.setAttribute("aria-expanded", String(open));
    if (open && !loaded) load();
  }

  bell.addEventListener("click", function () { toggle(panel.hidden); });
  document.addEventListener("click", function (event) {
    if (!panel.hidden && !tray.contains(event.target)) toggle(false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { toggle(false); bell.focus(); }
  });
  tray.querySelector("[data-tray-read-all]").addEventListener("click", function () {
    markRead({ all: true });
  });

  if (window.consoleSocket) {
    window.consoleSocket.on("notification", function (n) {
      setUnread((parseInt(count.textContent, 10) || 0) + (n.read ? 0 : 1));
      if (loaded) {
        var none = list.querySelector(".tray-empty");
        if (none) none.remove();
        list.prepend(item(n));
      }
      tray.classList.add("has-news");
      setTimeout(function () { tray.classList.remove("has-news"); }, 1500);
    });
  }
})();
