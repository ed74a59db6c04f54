// taskapi web app: enhancements only. Every action works without this
// file as a form post; this makes them instant and adds the keyboard.
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf") || "";
  document.documentElement.classList.add("js");

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // wrote tells live.js that this page sent a change (see there).
  function wrote() { document.dispatchEvent(new Event("taskapi:write")); }

  function post(url, data) {
    wrote();
    return fetch(url, {
      method: "POST", body: new URLSearchParams(data), credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf }
    }).then(function (res) {
      if (res.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); throw new Error("login"); }
      return res.json().then(function (body) { if (!res.ok) { throw new Error(body.error || "That did not work."); } return body; });
    });
  }

  // Toasts: successes leave after 4 s, errors stay until dismissed.
  function toast(text, opts) {
    opts = opts || {};
    var box = $("#toasts");
    if (!box) { return; }
    var t = document.createElement("div");
    t.className = "toast" + (opts.error ? " error" : "");
    var span = document.createElement("span");
    span.textContent = text;
    t.appendChild(span);
    if (opts.action) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = opts.action;
      b.addEventListener("click", function () { t.remove(); opts.onAction(); });
      t.appendChild(b);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", function () { t.remove(); });
    t.appendChild(close);
    box.appendChild(t);
    if (!opts.error) { setTimeout(function () { t.remove(); }, opts.action ? 6000 : 4000); }
  }

  // Theme switch.
  $$("[data-theme-toggle]").forEach(function (b) {
    b.addEventListener("click", function (e) {
      e.preventDefault();
      var root = document.documentElement;
      var cur = root.getAttribute("data-theme") || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
      var next = cur === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      document.cookie = "taskapi_theme=" + next + "; Path=/; Max-Age=31536000; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
    });
  });

  // Phone menu.
  var menu = $("[data-menu]"), sidebar = $("#sidebar");
  if (menu && sidebar) {
    menu.addEventListener("click", function (e) {
      e.preventDefault();
      var open = sidebar.classList.toggle("open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { var first = $("a", sidebar); if (first) { first.focus(); } }
    });
  }

  // The browser's time zone, for sign-up and settings.
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  $$("[data-browser-timezone]").forEach(function (i) { if (!i.value) { i.value = zone; } });
  $$("[data-use-browser-zone]").forEach(function (b) {
    b.addEventListener("click", function () { var i = $("#s-timezone"); if (i && zone) { i.value = zone; i.focus(); } });
  });

  // Copy buttons: data-copy names the element (by ID) whose value or text
  // is copied (a secret shown once). A button that starts hidden, as it
  // needs this script, is shown; without it the secret stays selectable.
  $$("[data-copy]").forEach(function (b) {
    var el = document.getElementById(b.getAttribute("data-copy"));
    if (!el || !navigator.clipboard) { return; }
    b.hidden = false;
    b.addEventListener("click", function () {
      var text = "value" in el ? el.value : el.textContent.trim();
      navigator.clipboard.writeText(text).then(function () { b.textContent = "Copied"; },
        function () { if (el.select) { el.focus(); el.select(); } });
    });
  });
  $$("[data-select-all]").forEach(function (i) { i.addEventListener("focus", function () { i.select(); }); });

  // Confirmations.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.matches && f.matches("form[data-confirm]") && !confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);

  // Filters apply as soon as a choice changes.
  $$("form[data-filters] select, form[data-filters] input[type=date]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });

  // One-click complete: the check fills, the row leaves, Undo brings it back.
  function toggle(form) {
    var row = form.closest(".task");
    var done = form.elements.done.value === "1";
    var data = new FormData(form);
    if (done) { row.classList.add("completing"); }
    post(form.action, data).then(function (res) {
      if (res.next) { advanced(row, form, res); return; }
      row.classList.add("leaving");
      setTimeout(function () { row.remove(); }, 180);
      toast((done ? "Completed “" : "Reopened “") + res.title + "”", {
        action: "Undo", onAction: function () {
          var undo = new FormData();
          undo.append("done", done ? "0" : "1");
          post(form.action, undo).then(function () { location.reload(); }, function (err) { toast(err.message, { error: true }); });
        }
      });
    }, function (err) {
      row.classList.remove("completing");
      if (err.message !== "login") { toast(err.message, { error: true }); }
    });
  }
  // A recurring task moved on to its next date: the row stays, with the
  // new date and the occurrence its form now completes.
  function advanced(row, form, res) {
    row.classList.remove("completing", "advanced");
    var time = $("time.due", row);
    if (time && res.due) {
      time.textContent = res.due.words; time.className = "due due-" + res.due["class"];
      time.setAttribute("datetime", res.due.iso); time.title = res.due.full;
    }
    if (form.elements.occurrence && res.due) { form.elements.occurrence.value = res.due.iso; }
    void row.offsetWidth;
    row.classList.add("advanced");
    toast("Completed “" + res.title + "”. Next: " + res.next, {
      action: "Undo", onAction: function () {
        post(res.undo, new FormData()).then(function () { location.reload(); }, function (err) { toast(err.message, { error: true }); });
      }
    });
  }
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.matches && f.matches("form[data-toggle]")) { e.preventDefault(); toggle(f); }
  });

  // Quick add: what was understood is highlighted in the field as the
  // person types (a mirror of the text behind the transparent input) and
  // summed up in chips below it. Backspace just after a highlighted part
  // keeps it as plain title text: its range goes in the form's "declined"
  // field, which the server's parse honours.
  var quick = $("[data-quick-input]"), tokens = $("#quick-tokens"), timer = null, seq = 0;
  var mirror = $("[data-quick-mirror]"), declinedField = $("[data-quick-declined]");
  var spans = [], declined = [], before = null;
  function showTokens(res) {
    tokens.textContent = "";
    var parts = [];
    if (res.due) { parts.push(["due", "Due " + res.due]); }
    if (res.priority) { parts.push(["priority", res.priority + " priority"]); }
    if (res.category) { parts.push(["category", "#" + res.category]); }
    if (res.repeat) { parts.push(["repeat", res.repeat]); }
    (res.tags || []).forEach(function (t) { parts.push(["tag", "@" + t]); });
    if (declined.length) { parts.push(["kept", "Kept as text: " + declined.map(function (r) { return r.text; }).join(", ")]); }
    parts.forEach(function (p) {
      var s = document.createElement("span");
      s.className = "token " + p[0];
      s.textContent = p[1];
      tokens.appendChild(s);
    });
  }
  function paint() {
    if (!mirror) { return; }
    var text = quick.value, at = 0;
    mirror.textContent = "";
    spans.forEach(function (s) {
      if (s.start < at || s.end > text.length) { return; }
      mirror.appendChild(document.createTextNode(text.slice(at, s.start)));
      var m = document.createElement("mark");
      m.className = "qt qt-" + s.kind;
      m.textContent = text.slice(s.start, s.end);
      mirror.appendChild(m);
      at = s.end;
    });
    mirror.appendChild(document.createTextNode(text.slice(at)));
    mirror.scrollLeft = quick.scrollLeft;
  }
  // edit says which part of the old text the new one replaced: from the
  // caret before and after, checked against both texts, else by their
  // common start and end.
  function edit(old, cur, selStart, selEnd, caret) {
    var a = Math.min(selStart, caret), e = caret, b = e - (cur.length - old.length);
    if (a >= 0 && a <= e && b >= a && b <= old.length && old.slice(0, a) + cur.slice(a, e) + old.slice(b) === cur) {
      return { a: a, b: b, e: e };
    }
    a = 0;
    while (a < old.length && a < cur.length && old[a] === cur[a]) { a++; }
    b = old.length; e = cur.length;
    while (b > a && e > a && old[b - 1] === cur[e - 1]) { b--; e--; }
    return { a: a, b: b, e: e };
  }
  // shift moves ranges past an edit, and drops those it changed: a range
  // the edit overlaps, or that a letter was typed against.
  function shift(ranges, ed, cur) {
    var d = (ed.e - ed.a) - (ed.b - ed.a);
    return ranges.filter(function (r) {
      if (ed.b < r.start || (ed.b === r.start && (ed.e === ed.a ? ed.b > ed.a : /\s$/.test(cur.slice(ed.a, ed.e))))) { return true; }
      if (ed.a > r.end || (ed.a === r.end && (ed.e === ed.a ? ed.b > ed.a : /^\s/.test(cur.slice(ed.a, ed.e))))) { return true; }
      return false;
    }).map(function (r) {
      return ed.b <= r.start ? { start: r.start + d, end: r.end + d, kind: r.kind, text: r.text } : r;
    });
  }
  function preview() {
    clearTimeout(timer);
    declinedField.value = declined.map(function (r) { return r.start + "-" + r.end; }).join(",");
    var text = quick.value;
    if (!text.trim()) { tokens.textContent = ""; spans = []; paint(); return; }
    timer = setTimeout(function () {
      var n = ++seq, data = new FormData();
      data.append("text", text);
      data.append("declined", declinedField.value);
      post("/tasks/quick-preview", data).then(function (res) {
        if (n !== seq || quick.value !== text) { return; }
        spans = res.spans;
        paint();
        showTokens(res);
      }, function () {});
    }, 120);
  }
  function clearQuick() {
    quick.value = ""; spans = []; declined = []; tokens.textContent = ""; declinedField.value = ""; paint();
  }
  if (quick && tokens && declinedField) {
    quick.addEventListener("beforeinput", function () {
      before = { text: quick.value, start: quick.selectionStart, end: quick.selectionEnd };
    });
    quick.addEventListener("input", function () {
      var cur = quick.value, old = before ? before.text : "";
      var ed = before ? edit(old, cur, before.start, before.end, quick.selectionStart) : edit(old, cur, 0, old.length, cur.length);
      before = null;
      spans = shift(spans, ed, cur);
      declined = shift(declined, ed, cur);
      paint();
      preview();
    });
    quick.addEventListener("scroll", paint);
    quick.addEventListener("keyup", function () { if (mirror) { mirror.scrollLeft = quick.scrollLeft; } });
    quick.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { clearQuick(); quick.blur(); return; }
      if (e.key !== "Backspace" || quick.selectionStart !== quick.selectionEnd) { return; }
      var at = quick.selectionStart, hit = null;
      spans.forEach(function (s) { if (s.end === at && quick.value.slice(s.start, s.end) === s.text) { hit = s; } });
      if (!hit) { return; }
      e.preventDefault();
      declined.push({ start: hit.start, end: hit.end, text: hit.text });
      spans = spans.filter(function (s) { return s !== hit; });
      paint();
      preview();
    });
    if (quick.value) { preview(); }
  }

  // Selection: the bulk bar shows while rows are selected; shift-click
  // selects a range. The bar is looked up each time: live.js may bring
  // it (and rows) in, or take selected rows away (taskapi:live).
  var lastSel = null;
  function updateBulk() {
    var bulk = $("#bulk");
    if (!bulk) { return; }
    var n = $$("#main [data-select]:checked").length;
    bulk.classList.toggle("active", n > 0);
    document.body.classList.toggle("selecting", n > 0);
    var c = $("[data-bulk-count]", bulk);
    if (c) { c.textContent = n + (n === 1 ? " task selected:" : " tasks selected:"); }
  }
  document.addEventListener("click", function (e) {
    var box = e.target.closest && e.target.closest("#main [data-select]");
    if (!box) { return; }
    var boxes = $$("#main [data-select]");
    if (e.shiftKey && lastSel && boxes.indexOf(lastSel) >= 0) {
      var a = boxes.indexOf(lastSel), b = boxes.indexOf(box);
      boxes.slice(Math.min(a, b), Math.max(a, b) + 1).forEach(function (x) { x.checked = box.checked; });
    }
    lastSel = box;
    updateBulk();
  });
  // Select mode (phones): the Select switch shows the boxes; a long press
  // on a row switches it on with that row selected; leaving it clears
  // the selection; a tap on a row then selects it instead of opening it.
  var selectMode = $("[data-select-mode]");
  function selecting() { return !!selectMode && selectMode.checked; }
  if (selectMode) {
    selectMode.addEventListener("change", function () {
      if (!selectMode.checked) { $$("#main [data-select]").forEach(function (b) { b.checked = false; }); updateBulk(); }
    });
    var press = null, pressed = false;
    document.addEventListener("touchstart", function (e) {
      var row = e.target.closest && e.target.closest("#main [data-tasks] > .task");
      pressed = false;
      if (!row || e.target.closest("form, input, button") || selecting()) { return; }
      press = setTimeout(function () {
        press = null;
        pressed = true;
        selectMode.checked = true;
        var box = $("[data-select]", row);
        if (box) { box.checked = true; lastSel = box; }
        updateBulk();
      }, 500);
    }, { passive: true });
    ["touchend", "touchmove", "touchcancel"].forEach(function (ev) {
      document.addEventListener(ev, function () {
        if (press) { clearTimeout(press); press = null; }
        if (pressed && ev !== "touchmove") { setTimeout(function () { pressed = false; }, 400); }
      }, { passive: true });
    });
    // The click and context menu that follow a long press do nothing more.
    document.addEventListener("click", function (e) { if (pressed) { pressed = false; e.preventDefault(); e.stopImmediatePropagation(); } }, true);
    document.addEventListener("contextmenu", function (e) { if (pressed) { e.preventDefault(); } });
  }
  document.addEventListener("taskapi:live", updateBulk);
  document.addEventListener("submit", function (e) {
    if (e.target.id !== "bulk") { return; }
    var action = e.submitter && e.submitter.value;
    if (action === "delete" && !confirm("Delete the selected tasks?")) { e.preventDefault(); }
  });

  // Board: drag a card to another column. The handlers are on the
  // document, so cards that live.js brings in can be dragged too.
  var dragged = null;
  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".card[draggable]");
    if (!card) { return; }
    dragged = card; card.classList.add("dragging"); e.dataTransfer.setData("text/plain", card.getAttribute("data-id"));
  });
  document.addEventListener("dragend", function () { if (dragged) { dragged.classList.remove("dragging"); dragged = null; } });
  function dropList(e) { return e.target.closest ? e.target.closest("[data-drop]") : null; }
  document.addEventListener("dragover", function (e) { var list = dropList(e); if (list && dragged) { e.preventDefault(); list.classList.add("over"); } });
  document.addEventListener("dragleave", function (e) { var list = dropList(e); if (list) { list.classList.remove("over"); } });
  document.addEventListener("drop", function (e) {
    var list = dropList(e);
    if (!list) { return; }
    e.preventDefault();
    list.classList.remove("over");
    var card = dragged;
    if (!card || card.parentNode === list) { return; }
    var data = new FormData();
    data.append("status", list.getAttribute("data-drop"));
    post("/tasks/" + card.getAttribute("data-id") + "/status", data).then(function (res) {
      location.reload();
    }, function (err) { toast(err.message, { error: true }); });
  });

  // The task detail in a side panel beside the list: the same
  // server-rendered detail as the task's own page (X-Panel: 1 asks for it
  // without the page around it). The URL follows (Back closes the panel),
  // Escape closes it, focus goes into it and back to the row.
  var panel = null, pushed = false, panelRowID = "";
  var listURL = location.pathname + location.search, listTitle = document.title;
  var taskPath = /^\/tasks\/[0-9a-f-]{36}$/;
  var list = $("#main [data-tasks]");
  function panelOpen() { return !!panel && panel.classList.contains("open"); }
  function focusPanel() { var h = panel && $("#detail-title", panel); if (h) { h.focus(); } }
  function listRow(id) { return id ? $('#main [data-tasks] > .task[data-id="' + id + '"]') : null; }
  function panelFetch(url, opts) {
    opts = opts || {};
    opts.credentials = "same-origin";
    opts.headers = { "X-Panel": "1", "X-CSRF-Token": csrf };
    if (opts.method === "POST") { wrote(); }
    return fetch(url, opts).then(function (res) {
      return res.text().then(function (html) { return { res: res, html: html }; });
    });
  }
  // showDetail puts the detail of an answer in the panel; false when the
  // answer is not one (a login page, an error page, another page).
  function showDetail(r) {
    var doc = new DOMParser().parseFromString(r.html, "text/html");
    var d = doc.querySelector("[data-task-detail]");
    if (!d) { return false; }
    if (!panel) {
      panel = document.createElement("aside");
      panel.className = "panel";
      panel.id = "panel";
      panel.setAttribute("aria-labelledby", "detail-title");
      $(".app").appendChild(panel);
    }
    var id = d.getAttribute("data-id");
    if (panelRowID && panelRowID !== id) { var was = listRow(panelRowID); if (was) { was.classList.remove("open"); } }
    panelRowID = id;
    panel.replaceChildren(document.importNode(d, true));
    panel.classList.add("open");
    document.body.classList.add("panel-open");
    document.title = d.getAttribute("data-title") + " · taskapi";
    // The row as saved replaces the list's.
    var tpl = $("template[data-panel-row]", panel), old = listRow(id);
    if (tpl && old) {
      var fresh = document.importNode(tpl.content.querySelector(".task"), true);
      if (old.classList.contains("cursor")) { fresh.classList.add("cursor"); }
      var sel = $("[data-select]", old);
      if (sel && sel.checked) { $("[data-select]", fresh).checked = true; }
      old.replaceWith(fresh);
    }
    var row = listRow(id);
    if (row) { row.classList.add("open"); }
    var saved = d.getAttribute("data-saved");
    if (saved) { toast(saved); }
    return true;
  }
  function answered(r) {
    if (showDetail(r)) { return true; }
    if (r.res.redirected || r.res.ok) { location.href = r.res.url; return false; }
    var doc = new DOMParser().parseFromString(r.html, "text/html"), h = doc.querySelector("main h1");
    toast(h ? h.textContent : "That did not work.", { error: true });
    return false;
  }
  function openTask(href, how) {
    return panelFetch(href).then(function (r) {
      if (!answered(r)) { return; }
      if (how === "push") { history.pushState({ panel: href }, "", href); pushed = true; }
      if (how === "replace") { history.replaceState({ panel: href }, "", href); }
      focusPanel();
    }, function () { location.href = href; });
  }
  function openRow(row) {
    var link = $(".task-title", row);
    if (!link) { return; }
    var rs = rows();
    cursor = rs.indexOf(row);
    rs.forEach(function (r) { r.classList.toggle("cursor", r === row); });
    openTask(link.getAttribute("href"), panelOpen() ? "replace" : "push");
  }
  function closePanel(fromHistory) {
    if (!panelOpen()) { return; }
    panel.classList.remove("open");
    panel.replaceChildren();
    document.body.classList.remove("panel-open");
    document.title = listTitle;
    if (!fromHistory) {
      if (pushed) { pushed = false; history.back(); } else { history.replaceState(null, "", listURL); }
    }
    var row = listRow(panelRowID);
    panelRowID = "";
    if (row) { row.classList.remove("open"); var link = $(".task-title", row); if (link) { link.focus(); } } else { $("#main").focus(); }
  }
  if (list) {
    window.addEventListener("popstate", function (e) {
      if (e.state && e.state.panel) { pushed = true; openTask(e.state.panel, ""); } else { pushed = false; closePanel(true); }
    });
    document.addEventListener("click", function (e) {
      if (e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) { return; }
      var t = e.target, a = t.closest("a");
      var row = t.closest("#main [data-tasks] > .task");
      if (row) {
        if (t.closest("form, input, button, label") || (a && !a.classList.contains("task-title"))) { return; }
        e.preventDefault();
        if (selecting()) {
          var box = $("[data-select]", row);
          if (box) { box.checked = !box.checked; lastSel = box; updateBulk(); }
          return;
        }
        openRow(row);
        return;
      }
      if (!panel || !panel.contains(t) || !a) { return; }
      if (a.hasAttribute("data-panel-close")) { e.preventDefault(); closePanel(); return; }
      var u = new URL(a.href, location.href);
      if (u.origin === location.origin && taskPath.test(u.pathname) && !a.hasAttribute("data-panel-page")) {
        e.preventDefault();
        openTask(u.pathname + u.search, "replace");
      }
    });
    // The panel's forms are sent by the script and answered with the
    // detail again: a save keeps the panel open (a conflict or an invalid
    // field shows in it), a delete closes it with an Undo.
    document.addEventListener("submit", function (e) {
      var f = e.target;
      if (!panel || !panel.contains(f)) { return; }
      e.preventDefault();
      var data = new FormData(f);
      if (e.submitter && e.submitter.name) { data.append(e.submitter.name, e.submitter.value); }
      if (/\/delete$/.test(new URL(f.action).pathname)) {
        var id = panelRowID;
        post(f.action, data).then(function (res) {
          var row = listRow(id);
          closePanel();
          if (row) { row.remove(); }
          toast("Task deleted", res.undo ? { action: "Undo", onAction: function () {
            post("/tasks/undo", new FormData()).then(function () { location.reload(); }, function (err) { toast(err.message, { error: true }); });
          } } : {});
        }, function (err) { toast(err.message, { error: true }); });
        return;
      }
      // data-refocus: the control to focus in the new detail (the first of
      // a comma-separated list that is there and enabled), so that adding
      // or moving goes on from where it was.
      var again = (f.getAttribute("data-refocus") || "").split(",");
      panelFetch(f.action, { method: "POST", body: new URLSearchParams(data) }).then(function (r) {
        if (!answered(r)) { return; }
        var bad = $("[aria-invalid=true]", panel), el = again.map(function (s) { return s.trim() && $(s.trim(), panel); })
          .filter(function (x) { return x && !x.disabled; })[0];
        if (bad) { bad.focus(); } else if (el) { el.focus(); } else { focusPanel(); }
      }, function () { toast("That did not work. Check your connection and try again.", { error: true }); });
    });
  }

  // Keyboard.
  var help = null;
  function rows() { return $$("#main [data-tasks] > .task"); }
  var cursor = -1;
  function setCursor(i) {
    var rs = rows();
    if (!rs.length) { return; }
    cursor = Math.max(0, Math.min(rs.length - 1, i));
    rs.forEach(function (r) { r.classList.remove("cursor"); });
    rs[cursor].classList.add("cursor");
    var link = $(".task-title", rs[cursor]);
    if (link) { link.focus(); }
  }
  function current() { var rs = rows(); return cursor >= 0 && cursor < rs.length ? rs[cursor] : null; }
  function toggleHelp() {
    if (help) { help.remove(); help = null; return; }
    help = document.createElement("div");
    help.className = "help";
    help.setAttribute("role", "dialog");
    help.setAttribute("aria-modal", "true");
    help.setAttribute("aria-label", "Keyboard shortcuts");
    var keys = [["q", "Quick add"], ["/", "Search"], ["j / k", "Next / previous task"], ["x", "Select task"], ["c", "Complete task"],
      ["e", "Open task"], ["⌫", "After a highlight in quick add: keep it as text"], ["#", "Delete task"], ["g t", "Go to Today"], ["g u", "Go to Upcoming"], ["g a", "Go to All"], ["?", "Show these"], ["Esc", "Close"]];
    var card = document.createElement("div");
    card.className = "help-card";
    var h = document.createElement("h2");
    h.textContent = "Keyboard shortcuts";
    card.appendChild(h);
    var dl = document.createElement("dl");
    keys.forEach(function (k) {
      var dt = document.createElement("dt"), kbd = document.createElement("kbd"), dd = document.createElement("dd");
      kbd.textContent = k[0]; dd.textContent = k[1];
      dt.appendChild(kbd); dl.appendChild(dt); dl.appendChild(dd);
    });
    card.appendChild(dl);
    var close = document.createElement("button");
    close.className = "button";
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", toggleHelp);
    card.appendChild(close);
    help.appendChild(card);
    help.addEventListener("click", function (e) { if (e.target === help) { toggleHelp(); } });
    document.body.appendChild(help);
    close.focus();
  }
  var pendingG = false;
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var tag = (e.target.tagName || "").toLowerCase();
    if (e.key === "Escape" && help) { toggleHelp(); return; }
    if (e.key === "Escape" && panelOpen()) {
      if (tag === "input" || tag === "textarea" || tag === "select") {
        // The first Escape leaves the field (what was typed stays), the next closes.
        if (panel.contains(e.target)) { e.preventDefault(); focusPanel(); }
        return;
      }
      e.preventDefault();
      closePanel();
      return;
    }
    if (tag === "input" || tag === "textarea" || tag === "select" || e.target.isContentEditable) { return; }
    if (pendingG) {
      pendingG = false;
      var to = { t: "/today", u: "/upcoming", a: "/all" }[e.key];
      if (to) { e.preventDefault(); location.href = to; }
      return;
    }
    var row = current();
    switch (e.key) {
      case "?": e.preventDefault(); toggleHelp(); break;
      case "q": if (quick) { e.preventDefault(); quick.focus(); } break;
      case "/": var s = $("[data-search]"); if (s) { e.preventDefault(); s.focus(); } break;
      case "j": e.preventDefault(); setCursor(cursor + 1); break;
      case "k": e.preventDefault(); setCursor(cursor - 1); break;
      case "g": pendingG = true; break;
      case "x": if (row) { e.preventDefault(); var sel = $("[data-select]", row); if (sel) { sel.checked = !sel.checked; lastSel = sel; updateBulk(); } } break;
      case "c": if (row) { e.preventDefault(); toggle($("form[data-toggle]", row)); } break;
      case "e": if (row) { e.preventDefault(); $(".task-title", row).click(); } break;
      case "#":
        if (row && confirm("Delete this task?")) {
          var data = new FormData();
          post("/tasks/" + row.getAttribute("data-id") + "/delete", data).then(function (res) {
            row.remove();
            toast("Task deleted", res.undo ? { action: "Undo", onAction: function () {
              post("/tasks/undo", new FormData()).then(function () { location.reload(); }, function (err) { toast(err.message, { error: true }); });
            } } : {});
          }, function (err) { toast(err.message, { error: true }); });
        }
        break;
    }
  });
})();
