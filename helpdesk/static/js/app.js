/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  var csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  // Ctrl+Enter (Cmd+Enter on a Mac) sends the form from any of its fields.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest && event.target.closest("form[data-ctrl-enter]");
    if (!form) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // Fill a field from the lookup unless the agent already typed something of their own.
  function prefill(input, value) {
    if (!input || !value) return;
    if (input.value.trim() === "" || input.dataset.autofilled === "1") {
      input.value = value;
      input.dataset.autofilled = "1";
    }
  }

  function setupLookup(phone) {
    var box = document.getElementById("caller-info");
    var nameInput = document.getElementById("f-requester_name");
    var blockInput = document.getElementById("f-block");
    var ticketUrl = phone.dataset.ticketUrl.replace(/0$/, "");
    var timer = null, lastAsked = null, inFlight = null;

    [nameInput, blockInput].forEach(function (input) {
      if (input) input.addEventListener("input", function () { input.dataset.autofilled = "0"; });
    });

    function show(className, nodes) {
      box.className = "caller-info " + className;
      box.replaceChildren.apply(box, nodes);
      box.hidden = false;
    }

    function render(data) {
      var person = data.contacts[0] || data.users[0];
      if (!person) {
        show("unknown", [el("span", {}, t("New caller: no record of {phone} yet.", { phone: data.phone }))]);
        return;
      }
      prefill(nameInput, person.name);
      prefill(blockInput, person.block);
      var nodes = [el("h3", {}, t("Known caller: {name}", { name: person.name }) + (person.block ? " · " + person.block : ""))];
      // The same number may be on file in several blocks, one contact in each.
      data.contacts.slice(1).forEach(function (c) {
        nodes.push(el("div", { "class": "muted" }, t("Also on file: {name}", { name: c.name }) + " · " + (c.block || t("no block yet"))));
      });
      data.users.forEach(function (u) {
        nodes.push(el("div", { "class": "muted" }, t("{name} has a login ({role})", { name: u.name, role: t("role:" + u.role) })));
      });
      if (data.open_tickets.length) {
        var list = el("ul");
        data.open_tickets.forEach(function (t) {
          var li = el("li");
          li.appendChild(el("a", { href: ticketUrl + t.id }, t.number));
          li.appendChild(document.createTextNode(" " + t.subject + " · " + window.t(t.status.charAt(0).toUpperCase() + t.status.slice(1))));
          list.appendChild(li);
        });
        nodes.push(el("strong", {}, tn("{n} open ticket:", "{n} open tickets:", data.open_tickets.length)), list);
      } else {
        nodes.push(el("div", { "class": "muted" }, t("No open tickets.")));
      }
      show("known", nodes);
    }

    function lookup(force) {
      var value = phone.value.trim();
      var digits = value.replace(/\D/g, "");
      if (digits.length < 10) { box.hidden = true; lastAsked = null; return; }
      if (value === lastAsked && !force) return;
      lastAsked = value;
      if (inFlight) inFlight.abort();
      inFlight = new AbortController();
      fetch(phone.dataset.lookupUrl + "?phone=" + encodeURIComponent(value), {
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken },
        signal: inFlight.signal
      }).then(function (res) {
        return res.json().then(function (body) { return { status: res.status, body: body }; });
      }).then(function (r) {
        if (value !== phone.value.trim()) return;  // the agent kept typing
        if (r.status === 200) render(r.body);
        else if (r.status === 422) show("error", [el("span", {}, "This does not look like a valid phone number.")]);
        else box.hidden = true;
      }).catch(function (err) {
        if (err.name !== "AbortError") box.hidden = true;
      });
    }

    phone.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 300);
    });
    phone.addEventListener("blur", function () { clearTimeout(timer); lookup(false); });
    if (phone.value.trim()) lookup(true);
  }

  document.querySelectorAll("[data-lookup-url]").forEach(setupLookup);

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

  // The article editor's live preview: the server renders and sanitizes, as on the article page.
  function setupPreview(body) {
    var target = document.getElementById(body.dataset.previewTarget);
    var button = body.form && body.form.querySelector("[data-preview-button]");
    var timer = null, inFlight = null;

    function preview() {
      if (inFlight) inFlight.abort();
      inFlight = new AbortController();
      var data = new URLSearchParams({ body: body.value });
      fetch(body.dataset.previewUrl, {
        method: "POST", credentials: "same-origin", body: data, signal: inFlight.signal,
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken }
      }).then(function (res) {
        if (!res.ok) throw new Error("preview " + res.status);
        return res.json();
      }).then(function (result) {
        // Sanitized by the server (bleach), exactly what the article page will show.
        target.innerHTML = result.html || "";
      }).catch(function () { /* the Preview button still works without script */ });
    }

    body.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(preview, 400); });
    if (button) button.addEventListener("click", function (event) { event.preventDefault(); preview(); });
    if (body.value.trim()) preview();
  }

  document.querySelectorAll("[data-preview-url]").forEach(setupPreview);
})();
