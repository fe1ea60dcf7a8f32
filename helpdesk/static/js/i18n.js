/* Translations for the other scripts. The page carries its catalogue (English text →
 * the page's language) in <script type="application/json" id="i18n">; t("Known caller:
 * {name}", {name: n}) answers the translation, or the English text when there is none.
 * Loaded first and not deferred, so every script, deferred or not, finds t(). */
(function () {
  "use strict";
  var catalogue = null;

  function strings() {
    if (catalogue) return catalogue;
    var node = document.getElementById("i18n");
    if (!node) return {};  // not parsed yet: look again next time
    try { catalogue = JSON.parse(node.textContent) || {}; } catch (err) { catalogue = {}; }
    return catalogue;
  }

  function fill(text, params) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return params && Object.prototype.hasOwnProperty.call(params, key) ? String(params[key]) : whole;
    });
  }

  window.t = function (text, params) { return fill(strings()[text] || text, params); };
  /* one/other by count; {n} is the count */
  window.tn = function (one, other, n, params) {
    return window.t(n === 1 ? one : other, Object.assign({ n: n }, params || {}));
  };
  /* Intl locale of the page's language: dates and numbers as its readers write them */
  window.uiLocale = function () {
    return document.documentElement.lang === "hi" ? "hi-IN" : "en-IN";
  };
})();
