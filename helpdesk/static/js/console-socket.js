/* One Socket.IO connection to the /console namespace per page, shared as
   window.consoleSocket; the browser's session cookie authenticates it. */
(function () {
  "use strict";
  if (window.consoleSocket || typeof window.io !== "function") return;
  window.consoleSocket = window.io("/console", { transports: ["websocket", "polling"] });
})();
