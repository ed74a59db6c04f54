// taskapi web app: reminders that go off while a page is open. The page
// asks the server for unread notifications on load and every 30 s (and
// when it becomes visible again), and shows each once as a notice with a
// link to its task; dismissing it (or following the link) marks it read.
(function () {
  "use strict";
  var body = document.body;
  var csrf = body.getAttribute("data-csrf");
  var box = document.getElementById("toasts");
  if (!csrf || !box || !body.classList.contains("signed-in")) { return; }
  var shown = {};
  var every = 30000;

  function read(id) {
    return fetch(id ? "/notifications/" + id + "/read" : "/notifications/read", {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf }
    }).catch(function () {});
  }

  function dismiss(el, id) {
    el.remove();
    read(id);
    updateAll();
  }

  // With two or more notices, the first carries "Dismiss all".
  function updateAll() {
    var notices = box.querySelectorAll(".toast.notice");
    var all = box.querySelector(".notice-all");
    if (notices.length < 2) { if (all) { all.remove(); } return; }
    if (all) { return; }
    var b = document.createElement("button");
    b.type = "button";
    b.className = "notice-all";
    b.textContent = "Dismiss all";
    b.addEventListener("click", function () {
      Array.prototype.forEach.call(box.querySelectorAll(".toast.notice"), function (n) { n.remove(); });
      read("");
    });
    notices[0].querySelector(".notice-body").appendChild(b);
  }

  function show(n) {
    var t = document.createElement("div");
    t.className = "toast notice";
    t.setAttribute("data-notification", n.id);
    var b = document.createElement("div");
    b.className = "notice-body";
    var kind = document.createElement("span");
    kind.className = "notice-kind";
    kind.innerHTML = '<svg aria-hidden="true" width="14" height="14" viewBox="0 0 16 16"><path d="M8 2a4 4 0 0 0-4 4v2.5L3 11h10l-1-2.5V6a4 4 0 0 0-4-4zM6.5 13a1.5 1.5 0 0 0 3 0" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/></svg>';
    kind.appendChild(document.createTextNode("Reminder · " + n.created));
    b.appendChild(kind);
    var title = document.createElement(n.url ? "a" : "span");
    title.textContent = n.title;
    if (n.url) {
      title.href = n.url;
      title.addEventListener("click", function () { read(n.id); });
    }
    b.appendChild(title);
    if (n.due) {
      var meta = document.createElement("span");
      meta.className = "notice-meta";
      meta.textContent = "Due " + n.due;
      b.appendChild(meta);
    }
    t.appendChild(b);
    var close = document.createElement("button");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss the reminder for " + n.title);
    close.textContent = "×";
    close.addEventListener("click", function () { dismiss(t, n.id); });
    t.appendChild(close);
    box.appendChild(t);
  }

  function poll() {
    fetch("/notifications", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        // Oldest first, so the newest ends up nearest the bottom.
        data.items.slice().reverse().forEach(function (n) {
          if (shown[n.id]) { return; }
          shown[n.id] = true;
          show(n);
        });
        updateAll();
      })
      .catch(function () {});
  }

  poll();
  setInterval(function () { if (!document.hidden) { poll(); } }, every);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
})();
