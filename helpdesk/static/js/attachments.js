/* Forms that carry photos and files (data-upload): say at once when a file is too big,
 * list what was chosen, and send with a progress bar, which matters on a 2G link.
 * Without this file the forms still work: the browser sends them as they are. */
(function () {
  "use strict";

  function mb(bytes) { return (bytes / (1024 * 1024)).toFixed(1) + " MB"; }

  // The form's fields may be replaced by the server's answer (errors): wire them again,
  // while the form's own submit handler stays the one installed by init().
  function wire(form) {
    var field = form.querySelector("[data-upload-field]");
    if (!field) return null;
    var inputs = Array.prototype.slice.call(field.querySelectorAll('input[type="file"]'));
    var chosen = field.querySelector("[data-upload-chosen]");
    var error = field.querySelector("[data-upload-error]");
    var progress = field.querySelector("[data-upload-progress]");
    var maxBytes = parseInt(field.dataset.maxBytes, 10);
    var maxFiles = parseInt(field.dataset.maxFiles, 10);

    function files() {
      var all = [];
      inputs.forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (f) { all.push(f); });
      });
      return all;
    }

    function problem() {
      var list = files();
      if (list.length > maxFiles) return t("Send at most {n} files at once.", { n: maxFiles });
      for (var i = 0; i < list.length; i++) {
        if (list[i].size > maxBytes) {
          return t("{name} is {size}: larger than {max} MB. Send a smaller photo or file.",
            { name: list[i].name, size: mb(list[i].size), max: field.dataset.maxMb });
        }
        if (list[i].size === 0) return t("{name} is empty.", { name: list[i].name });
      }
      return "";
    }

    function showError(text) {
      error.textContent = text;
      error.hidden = !text;
      field.classList.toggle("has-error", !!text);
    }

    function showChosen() {
      chosen.replaceChildren.apply(chosen, files().map(function (f) {
        var li = document.createElement("li");
        li.textContent = f.name + " (" + mb(f.size) + ")";
        return li;
      }));
      showError(problem());
    }
    inputs.forEach(function (input) { input.addEventListener("change", showChosen); });

    function send() {
      var button = form.querySelector('button[type="submit"]');
      var bar = progress.querySelector("progress");
      var text = progress.querySelector("[data-upload-progress-text]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      // The server answers the redirect this request follows with an empty 204: the page
      // itself is loaded once, by the navigation below.
      xhr.setRequestHeader("X-Upload-Follow", "1");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var pct = Math.round((e.loaded / e.total) * 100);
        bar.value = pct;
        text.textContent = t("Sending… {progress} of {size}", { progress: pct + "%", size: mb(e.total) });
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 400) {
          text.textContent = t("Sent. Opening…");
          window.location.assign(xhr.responseURL || form.action);
          return;
        }
        // The server's own page with its messages next to the fields: show its form.
        var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var again = form.id && page.getElementById(form.id);
        done();
        if (again) {
          form.replaceChildren.apply(form, Array.prototype.slice.call(again.childNodes));
          form.upload = wire(form);
        } else {
          showError(xhr.status === 413 ? t("The file is too large.") : t("The files could not be sent ({status}).", { status: xhr.status }));
        }
      });
      xhr.addEventListener("error", function () {
        done();
        showError(t("The upload stopped. Check the connection and send again."));
      });
      function done() {
        progress.hidden = true;
        if (button) button.disabled = false;
      }
      showError("");
      progress.hidden = false;
      bar.value = 0;
      if (button) button.disabled = true;
      xhr.send(new FormData(form));
    }

    return { files: files, problem: problem, showError: showError, send: send };
  }

  function init(form) {
    form.upload = wire(form);
    form.addEventListener("submit", function (event) {
      var upload = form.upload;
      if (!upload || !upload.files().length) return; // nothing to upload: the ordinary post
      event.preventDefault();
      var why = upload.problem();
      if (why) { upload.showError(why); return; }
      upload.send();
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), init);
})();
