/* The one Socket.IO connection of a signed-in page: window.consoleSocket on /console.
 * Other scripts listen on it (consoleSocket.on("ticket.created", ...)) instead of opening
 * their own; the server authenticates it with the session cookie and puts it in exactly
 * the rooms its user may hear. */
(function () {
  "use strict";
  if (typeof window.io !== "function" || window.consoleSocket) return;
  var socket = window.io("/console", { transports: ["websocket", "polling"] });
  var meta = document.querySelector('meta[name="user-id"]');
  socket.userId = meta ? parseInt(meta.content, 10) : null;
  window.consoleSocket = socket;
  // Tell the page (and any script loaded after this one) when it is live or not.
  function mark(state) { document.documentElement.setAttribute("data-console", state); }
  socket.on("connect", function () { mark("connected"); });
  socket.on("disconnect", function (reason) {
    mark("disconnected");
    // Only the server ends a console on purpose: its user was deactivated. Reloading
    // shows the sign-in page instead of a screen that silently stopped updating.
    if (reason === "io server disconnect") window.location.reload();
  });
  socket.on("connect_error", function () { mark("disconnected"); });
})();
