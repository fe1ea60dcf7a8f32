/* The reply box's canned-response picker. "/" at the start of the reply opens it; the words
   typed after the "/" filter the list; Up/Down choose; Enter asks the server to fill the
   response in for this ticket (which counts the use) and puts the text in the reply. */
(function () {
  "use strict";

  var picker = document.querySelector("[data-response-picker]");
  var box = document.getElementById("f-body");
  if (!picker || !box) return;
  var list = picker.querySelector("[data-response-list]");
  var empty = picker.querySelector("[data-response-empty]");
  var csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var language = picker.dataset.language;
  var responses = null;  // loaded on first use
  var shown = [];
  var active = 0;

  function isOpen() { return !picker.hidden; }

  function query() {
    var first = box.value.split("\n", 1)[0];
    return first.charAt(0) === "/" ? first.slice(1).toLowerCase() : null;
  }

  function load() {
    if (responses) return Promise.resolve(responses);
    return fetch(picker.dataset.listUrl, {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (res) { return res.json(); }).then(function (data) {
      // The ticket's own language first; most used first within it (the server's order).
      responses = (data.items || []).slice().sort(function (a, b) {
        return (a.language === language ? 0 : 1) - (b.language === language ? 0 : 1);
      });
      return responses;
    });
  }

  function render() {
    var words = (query() || "").split(/\s+/).filter(Boolean);
    shown = (responses || []).filter(function (r) {
      var text = (r.title + " " + r.body).toLowerCase();
      return words.every(function (w) { return text.indexOf(w) !== -1; });
    }).slice(0, 8);
    active = Math.min(active, Math.max(shown.length - 1, 0));
    list.replaceChildren.apply(list, shown.map(function (r, i) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = "response-option-" + r.id;
      item.setAttribute("aria-selected", i === active ? "true" : "false");
      var title = document.createElement("strong");
      title.textContent = r.title;
      var lang = document.createElement("span");
      lang.className = "muted";
      lang.textContent = " · " + r.language + (r.shared ? "" : " · " + window.t("mine"));
      var body = document.createElement("span");
      body.className = "sub";
      body.textContent = r.body.length > 100 ? r.body.slice(0, 100) + "…" : r.body;
      item.append(title, lang, body);
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        insert(r);
      });
      return item;
    }));
    empty.hidden = shown.length > 0;
    if (shown[active]) box.setAttribute("aria-activedescendant", "response-option-" + shown[active].id);
  }

  function open() {
    picker.hidden = false;
    box.setAttribute("aria-expanded", "true");
    load().then(render).catch(function () {
      empty.textContent = window.t("Responses could not be loaded.");
      empty.hidden = false;
    });
  }

  function close() {
    picker.hidden = true;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
    active = 0;
  }

  function insert(response) {
    var url = picker.dataset.fillUrl.replace(/\/0\/fill$/, "/" + response.id + "/fill");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify({ ticket: Number(picker.dataset.ticket) })
    }).then(function (res) {
      if (!res.ok) throw new Error("fill failed: " + res.status);
      return res.json();
    }).then(function (data) {
      var rest = box.value.split("\n").slice(1).join("\n");
      box.value = data.body + (rest ? "\n" + rest : "");
      close();
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    }).catch(function () {
      empty.textContent = window.t("The response could not be inserted.");
      empty.hidden = false;
    });
  }

  box.setAttribute("aria-controls", list.id = "response-list");
  box.setAttribute("aria-expanded", "false");

  box.addEventListener("input", function () {
    if (query() === null) { if (isOpen()) close(); return; }
    if (!isOpen()) open(); else render();
  });

  box.addEventListener("keydown", function (event) {
    if (!isOpen() || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") { event.preventDefault(); close(); return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!shown.length) return;
      active = (active + (event.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length;
      render();
      return;
    }
    if (event.key === "Enter" && !event.shiftKey && shown[active]) {
      event.preventDefault();
      insert(shown[active]);
    }
  });

  box.addEventListener("blur", function () { setTimeout(function () { if (document.activeElement !== box) close(); }, 150); });

  var button = document.querySelector("[data-response-open]");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (query() === null) box.value = "/" + box.value;
      box.focus();
      box.setSelectionRange(1, 1);
      open();
    });
  }
})();
