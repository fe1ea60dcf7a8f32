/* Log a call: the caller's number looked up as it is typed (who they are, their block,
 * their open tickets). Loaded by the log-a-call page only. */
(function () {
  "use strict";

  var csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

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
        else if (r.status === 422) show("error", [el("span", {}, t("This does not look like a valid phone number."))]);
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
})();
