/* Small progressive enhancements; every page works without this file. */

/* Minutes as people read them: "45 min", "3 h 20 min", "2 d 4 h" ("2 दिन 4 घंटे" on a Hindi
 * page): the same rule and the same words as the `duration` filter
 * (helpdesk/i18n/durations.py), whose unit words the page's catalogue carries. */
window.helpdeskDuration = function (minutes, dayMinutes) {
  var day = dayMinutes || 1440, m = Math.max(0, Math.floor(minutes));
  // "one" for 0 and 1, as the Hindi catalogue's plural rule (English writes both alike)
  function unit(name, n) { return window.t("duration:" + name + ":" + (n > 1 ? "other" : "one"), { n: n }); }
  if (m < 60) return unit("min", m);
  if (m < day) {
    return unit("h", Math.floor(m / 60)) + (m % 60 ? " " + unit("min", m % 60) : "");
  }
  var hours = Math.floor((m % day) / 60);
  return unit("d", Math.floor(m / day)) + (hours ? " " + unit("h", hours) : "");
};

(function () {
  "use strict";

  // Ctrl+Enter (Cmd+Enter on a Mac) sends the form from any of its fields.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest && event.target.closest("form[data-ctrl-enter]");
    if (!form) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  // A form marked data-upload-script gets its upload script (attachments.js) when someone
  // starts on it (focus, tap, or a file chosen), not with the page: most replies carry no
  // file, and every KB counts on 2G. Until it arrives the form posts as it is.
  function loadUploadScript(event) {
    var form = event.target.closest && event.target.closest("form[data-upload-script]");
    if (!form || document.querySelector("script[data-upload-loaded]")) return;
    var script = document.createElement("script");
    script.src = form.dataset.uploadScript;
    script.setAttribute("data-upload-loaded", "");
    document.head.appendChild(script);
  }
  // Forms that change something for good (a merge, a delete) ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  ["focusin", "pointerdown", "change"].forEach(function (type) {
    document.addEventListener(type, loadUploadScript, true);
  });
})();
