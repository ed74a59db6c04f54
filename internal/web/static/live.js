// taskapi web app: live updates. While a signed-in page is open and
// visible, it follows the user's changes (GET /events, Server-Sent Events)
// and, when something changed (in another tab, on another device, through
// the API), brings itself up to date without a reload: it fetches its own
// URL again and patches in place the parts marked data-live, so focus,
// scroll, selection, open menus and what is being typed stay. A form with
// a field the person changed keeps what they typed; if the server changed
// that field too, the task detail says so quietly and offers a reload.
// Without this file a page stays as it was loaded.
(function () {
  "use strict";
  var body = document.body;
  // A page without data-live-after answered a form (a refused save shows
  // what was typed): it is left as it is.
  var lastID = body.getAttribute("data-live-after");
  if (!body.classList.contains("signed-in") || lastID === null || !window.EventSource || !window.DOMParser || !window.fetch) { return; }

  var pageURL = location.pathname + location.search; // a list stays under app.js's side panel
  var stream = null, retry = 0, reconnect = null, hiddenTimer = null, stopped = false;
  var timer = null, waitingSince = 0, running = false, pending = false, localAt = 0;

  // Classes and attributes that scripts own (app.js: the keyboard cursor,
  // the open row, selection, the phone menu; details a person opened; the
  // recurrence picker's custom field): a patch leaves them as they are.
  var ownClasses = ["cursor", "open", "completing", "leaving", "advanced", "dragging", "over", "active", "live-new"];
  var ownAttrs = { open: true, "data-collapsed": true, "aria-expanded": true, "aria-busy": true };

  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function inPanel(el) { return !!(el.closest && el.closest("#panel")); }

  // ---- The stream ----------------------------------------------------

  function open() {
    if (stream || stopped) { return; }
    clearTimeout(reconnect);
    stream = new EventSource("/events" + (lastID ? "?after=" + encodeURIComponent(lastID) : ""));
    stream.addEventListener("open", function () { retry = 0; });
    stream.addEventListener("changes", function (e) {
      if (e.lastEventId) { lastID = e.lastEventId; }
      schedule();
    });
    // Fallen behind the history kept: start from now, and catch up.
    stream.addEventListener("gone", function () { lastID = ""; close(); schedule(); later(); });
    // The session ended, or the server is shutting down: the refresh
    // tells which (a signed-out page is sent to the login page).
    stream.addEventListener("end", function () { close(); schedule(); later(); });
    stream.addEventListener("error", function () {
      // CONNECTING: the browser reconnects by itself, with Last-Event-ID.
      // CLOSED: refused (429 at the bound, 401, 503): back off, and catch
      // up meanwhile (which also finds a session that ended).
      if (stream && stream.readyState === EventSource.CLOSED) { close(); schedule(); later(); }
    });
  }
  function close() {
    if (stream) { stream.close(); stream = null; }
  }
  // later reconnects after a growing wait (2 s doubling to a minute, with
  // jitter), so that refused streams do not hammer the server.
  function later() {
    if (stopped) { return; }
    var wait = Math.min(60000, 2000 * Math.pow(2, retry++)) * (0.75 + Math.random() / 2);
    clearTimeout(reconnect);
    reconnect = setTimeout(function () { if (!document.hidden) { open(); } }, wait);
  }
  function stop() { stopped = true; close(); clearTimeout(reconnect); clearTimeout(timer); }

  // A hidden page lets its stream go after a while (a browser holds few
  // connections per site, and a user few streams); shown again, it picks
  // up after the last change it saw.
  document.addEventListener("visibilitychange", function () {
    clearTimeout(hiddenTimer);
    if (document.hidden) {
      hiddenTimer = setTimeout(close, 20000);
    } else {
      open();
      if (pending) { schedule(); }
    }
  });
  window.addEventListener("pagehide", close);
  window.addEventListener("pageshow", function (e) { if (e.persisted && !document.hidden) { open(); } });
  // What this page sends (forms, and app.js's posts) makes refreshes read
  // before it stale; logging out ends the stream.
  document.addEventListener("taskapi:write", function () { localAt = Date.now(); });
  document.addEventListener("submit", function (e) {
    localAt = Date.now();
    var f = e.target;
    if (f.getAttribute && f.getAttribute("action") === "/logout") { stop(); }
  }, true);

  // ---- Refresh -------------------------------------------------------

  // schedule gathers a burst of changes into one refresh: 250 ms after the
  // last, at most a second after the first.
  function schedule() {
    pending = true;
    if (document.hidden) { return; }
    var now = Date.now();
    if (!timer) { waitingSince = now; }
    clearTimeout(timer);
    timer = setTimeout(refresh, Math.max(0, Math.min(250, waitingSince + 1000 - now)));
  }

  function get(url, panel) {
    var headers = { "X-Live": "1" };
    if (panel) { headers["X-Panel"] = "1"; }
    return fetch(url, { credentials: "same-origin", headers: headers }).then(function (res) {
      if (res.redirected && new URL(res.url).pathname === "/login") { throw new Error("signed out"); }
      return res.text().then(function (html) {
        return { status: res.status, doc: new DOMParser().parseFromString(html, "text/html") };
      });
    });
  }

  function refresh() {
    timer = null;
    if (running) { return; }
    running = true;
    pending = false;
    var started = Date.now();
    var panel = document.getElementById("panel");
    var panelDetail = panel && panel.classList.contains("open") && panel.querySelector("[data-task-detail]");
    var jobs = [get(pageURL, false)];
    if (panelDetail) { jobs.push(get(location.pathname + location.search, true)); }
    Promise.all(jobs).then(function (got) {
      // Something sent from this page meanwhile may not be in what was
      // read: read again rather than undo it on screen.
      if (localAt > started) { pending = true; return; }
      apply(got[0], false);
      if (panelDetail && got[1] && panelDetail.isConnected) { apply(got[1], true); }
    }, function (err) {
      if (err.message === "signed out") { signedOut(); }
    }).then(function () {
      running = false;
      if (pending) { schedule(); }
    });
  }

  // apply patches the page's live parts (or the panel's detail) with
  // those of a fresh copy.
  function apply(r, panel) {
    var mine = $$("[data-live]").filter(function (el) { return inPanel(el) === panel; });
    mine.forEach(function (el) {
      // The answer to a form (app.js's panel shows a refused save or a
      // conflict with what was typed) stays until the person acts on it.
      if (el.hasAttribute("data-live-hold")) { return; }
      var key = el.getAttribute("data-live");
      var fresh = r.doc.querySelector('[data-live="' + key + '"]');
      if (!fresh) {
        if (key === "detail" && r.status === 404) { notice(el, "This task was deleted elsewhere.", false); }
        return;
      }
      var focused = document.activeElement;
      var conflicts = [];
      if (key === "detail") { clearNotice(el); }
      patch(el, fresh, conflicts);
      if (focused && focused !== document.activeElement && focused.isConnected) { focused.focus({ preventScroll: true }); }
      if (key === "detail" && conflicts.length) { notice(el, "This task was changed elsewhere.", true); }
    });
    // app.js recounts the selection.
    document.dispatchEvent(new Event("taskapi:live"));
  }

  // ---- Patching ------------------------------------------------------

  function keyOf(n) {
    return n.nodeType === 1 ? (n.id || n.getAttribute("data-id") || n.getAttribute("data-key") || "") : "";
  }
  function kindOf(n) { return n.nodeType === 1 ? n.tagName : "#" + n.nodeType; }

  // patch makes old (in the page) like fresh (parsed), in place.
  function patch(old, fresh, conflicts) {
    if (old.nodeType !== 1) {
      if (old.nodeValue !== fresh.nodeValue) { old.nodeValue = fresh.nodeValue; }
      return;
    }
    if (old.tagName === "FORM" && formConflicts(old, fresh)) {
      conflicts.push(old); // left as it is: what was typed, and the version it was based on
      return;
    }
    attributes(old, fresh);
    switch (old.tagName) {
      case "TEXTAREA":
        // The default; the browser keeps a value the person edited.
        if (old.defaultValue !== fresh.defaultValue) { old.defaultValue = fresh.defaultValue; }
        return;
      case "TEMPLATE":
        if (old.innerHTML !== fresh.innerHTML) { old.innerHTML = fresh.innerHTML; }
        return;
    }
    children(old, fresh, conflicts);
  }

  function attributes(old, fresh) {
    var i, a;
    for (i = old.attributes.length - 1; i >= 0; i--) {
      a = old.attributes[i].name;
      if (!fresh.hasAttribute(a) && !ownAttrs[a] && a !== "class") { old.removeAttribute(a); }
    }
    for (i = 0; i < fresh.attributes.length; i++) {
      a = fresh.attributes[i];
      if (ownAttrs[a.name]) { continue; }
      if (a.name === "class") {
        var keep = ownClasses.filter(function (c) { return old.classList.contains(c); });
        var want = a.value + (keep.length ? " " + keep.join(" ") : "");
        if (old.getAttribute("class") !== want) { old.setAttribute("class", want); }
      } else if (old.getAttribute(a.name) !== a.value) {
        old.setAttribute(a.name, a.value);
      }
    }
    if (!fresh.hasAttribute("class") && old.hasAttribute("class")) {
      var own = ownClasses.filter(function (c) { return old.classList.contains(c); });
      if (own.length) { old.setAttribute("class", own.join(" ")); } else { old.removeAttribute("class"); }
    }
  }

  // children patches old's children into fresh's: keyed ones (id, data-id,
  // data-key) follow their key, others their order among their kind; a
  // node that goes away but holds what the person typed stays.
  function children(old, fresh, conflicts) {
    var keyed = {}, unkeyed = {}, c;
    for (c = old.firstChild; c; c = c.nextSibling) {
      var k = keyOf(c);
      if (k) { keyed[k] = c; } else { (unkeyed[kindOf(c)] = unkeyed[kindOf(c)] || []).push(c); }
    }
    var seq = [], used = [];
    Array.prototype.slice.call(fresh.childNodes).forEach(function (f) {
      var k = keyOf(f), m = null;
      if (k) {
        m = keyed[k];
        if (m && kindOf(m) !== kindOf(f)) { m = null; }
        if (m) { delete keyed[k]; }
      } else if (unkeyed[kindOf(f)] && unkeyed[kindOf(f)].length) {
        m = unkeyed[kindOf(f)].shift();
      }
      if (m) {
        patch(m, f, conflicts);
        seq.push(m);
        used.push(m);
      } else {
        var n = document.importNode(f, true);
        if (n.nodeType === 1 && n.hasAttribute("data-id")) { arrived(n); }
        seq.push(n);
      }
    });
    var ref = old.firstChild;
    seq.forEach(function (n) {
      if (n === ref) { ref = ref.nextSibling; } else { old.insertBefore(n, ref); }
    });
    while (ref) {
      var next = ref.nextSibling;
      if (used.indexOf(ref) < 0) {
        if (ref.nodeType === 1 && edited(ref)) { conflicts.push(ref); } else { old.removeChild(ref); }
      }
      ref = next;
    }
  }

  // arrived marks a row or card that came in, for a brief highlight.
  function arrived(n) {
    n.classList.add("live-new");
    n.addEventListener("animationend", function () { n.classList.remove("live-new"); }, { once: true });
  }

  // ---- What the person typed -----------------------------------------

  function fields(root) {
    return $$("input, textarea, select", root).filter(function (el) {
      return el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
    });
  }
  function dirty(el) {
    if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
    if (el.tagName === "SELECT") { return el.value !== selectDefault(el); }
    return el.value !== el.defaultValue;
  }
  function edited(root) { return fields(root).some(dirty); }
  function selectDefault(sel) {
    var opts = Array.prototype.slice.call(sel.options);
    var d = opts.filter(function (o) { return o.defaultSelected; })[0] || opts[0];
    return d ? d.value : "";
  }
  // serverValue is a field's value as the page was given it.
  function serverValue(el) {
    if (el.type === "checkbox" || el.type === "radio") { return el.hasAttribute("checked") ? "on" : ""; }
    if (el.tagName === "SELECT") {
      var sel = el.querySelector("option[selected]") || el.querySelector("option");
      return sel ? (sel.hasAttribute("value") ? sel.getAttribute("value") : sel.textContent) : "";
    }
    if (el.tagName === "TEXTAREA") { return el.defaultValue; }
    return el.getAttribute("value") || "";
  }
  function counterpart(el, form) {
    if (el.id) { return form.querySelector("#" + CSS.escape(el.id)); }
    var same = $$('[name="' + CSS.escape(el.name) + '"]', form);
    if (el.type === "checkbox" || el.type === "radio") {
      return same.filter(function (x) { return x.value === el.value; })[0] || null;
    }
    return same[0] || null;
  }
  // formConflicts: a field the person changed was changed on the server
  // too (or went away) since the page was given it.
  function formConflicts(old, fresh) {
    return fields(old).some(function (el) {
      if (!dirty(el)) { return false; }
      var f = counterpart(el, fresh);
      return !f || serverValue(f) !== serverValue(el);
    });
  }

  // ---- Notices -------------------------------------------------------

  function notice(detail, text, reload) {
    var n = detail.querySelector(".live-notice");
    if (!n) {
      n = document.createElement("div");
      n.className = "live-notice";
      n.setAttribute("role", "status");
      var heading = detail.querySelector(".task-heading");
      detail.insertBefore(n, heading ? heading.nextSibling : detail.firstChild);
    }
    n.textContent = text + " ";
    if (reload) {
      var a = document.createElement("a");
      a.href = inPanel(detail) ? location.pathname + location.search : pageURL;
      a.textContent = "Reload";
      a.setAttribute("data-live-reload", "");
      n.appendChild(a);
      n.appendChild(document.createTextNode(" to see it; what you typed here is not saved yet."));
    }
  }
  function clearNotice(detail) {
    var n = detail.querySelector(".live-notice");
    if (n) { n.remove(); }
  }
  // On the task's own page, Reload loads it again (the panel's link is
  // opened in the panel by app.js).
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-live-reload]");
    if (a && !inPanel(a) && e.button === 0) { e.preventDefault(); location.reload(); }
  });

  function signedOut() {
    stop();
    var box = document.getElementById("toasts");
    if (!box || box.querySelector(".live-signed-out")) { return; }
    var t = document.createElement("div");
    t.className = "toast error live-signed-out";
    var span = document.createElement("span");
    span.textContent = "You are signed out. ";
    var a = document.createElement("a");
    a.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    a.textContent = "Log in again";
    span.appendChild(a);
    t.appendChild(span);
    box.appendChild(t);
  }

  if (!document.hidden) { open(); }
})();
