/* The article editor's live preview. Loaded by the editor only. */
(function () {
  "use strict";

  var csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

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
