/* Knowledge-base suggestions beside a new ticket's form (log a call, raise a ticket).
 * Loaded by those pages only. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // The index marks matches with <b class="match"> and escapes the rest; rebuild exactly
  // that from an inert <template>, so nothing else in a snippet can ever become markup.
  function snippetNodes(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html || "";
    return Array.prototype.map.call(tpl.content.childNodes, function (node) {
      if (node.nodeName === "B") return el("b", { "class": "match" }, node.textContent);
      return document.createTextNode(node.textContent);
    });
  }

  // Knowledge-base suggestions while a ticket is typed: after a pause of 300 ms, and only
  // when the words (not just the spacing) changed.
  function setupSuggestions(panel) {
    var subject = document.getElementById("f-subject");
    var description = document.getElementById("f-description");
    var language = document.getElementById("f-language");
    var status = panel.querySelector("[data-suggest-status]");
    var list = panel.querySelector("[data-suggest-list]");
    var articleUrl = panel.dataset.articleUrl.replace(/0$/, "");
    var hint = status.textContent;
    var timer = null, lastKey = null, inFlight = null;
    if (!subject && !description) return;
    panel.hidden = false;

    function words() {
      var text = [subject ? subject.value : "", description ? description.value : ""].join(" ");
      return (text.toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) || []);
    }

    function say(text) { status.textContent = text; }

    function render(items) {
      list.replaceChildren.apply(list, items.map(function (item) {
        var li = el("li");
        var link = el("a", { href: articleUrl + item.id, target: "_blank", rel: "noopener" }, item.title);
        link.appendChild(el("span", { "class": "visually-hidden" }, t(" (opens in a new tab)")));
        var snippet = el("p", { "class": "snippet" });
        snippet.replaceChildren.apply(snippet, snippetNodes(item.snippet));
        li.append(link, snippet);
        return li;
      }));
      if (!items.length) say(t("No article matches yet. Keep typing, or log the ticket."));
      else say(tn("{n} article may answer this. Each opens in a new tab.",
                  "{n} articles may answer this. Each opens in a new tab.", items.length));
    }

    function suggest() {
      var found = words();
      var key = found.join(" ") + "|" + (language ? language.value : "");
      if (found.join("").length < 3) {
        lastKey = null;
        if (inFlight) inFlight.abort();
        list.replaceChildren();
        say(hint);
        return;
      }
      if (key === lastKey) return;
      lastKey = key;
      if (inFlight) inFlight.abort();
      inFlight = new AbortController();
      var query = "?text=" + encodeURIComponent(found.join(" ").slice(0, 1000)) +
        (language && language.value ? "&language=" + encodeURIComponent(language.value) : "");
      fetch(panel.dataset.suggestUrl + query, {
        credentials: "same-origin", headers: { "Accept": "application/json" }, signal: inFlight.signal
      }).then(function (res) {
        if (!res.ok) throw new Error("suggest " + res.status);
        return res.json();
      }).then(function (body) {
        if (key !== lastKey) return;  // still typing: a newer request is on its way
        if (body.degraded) { list.replaceChildren(); say(t("Suggestions are unavailable while search is being rebuilt.")); return; }
        render(body.items || []);
      }).catch(function (err) {
        if (err.name === "AbortError") return;
        lastKey = null;
        say(t("Suggestions could not be loaded just now."));
      });
    }

    function later() { clearTimeout(timer); timer = setTimeout(suggest, 300); }
    [subject, description].forEach(function (field) { if (field) field.addEventListener("input", later); });
    if (language) language.addEventListener("change", later);
    if (words().length) suggest();
  }

  document.querySelectorAll("[data-suggest-url]").forEach(setupSuggestions);
})();
