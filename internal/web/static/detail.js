// taskapi web app: the task detail's subtasks and comments (their
// templates: part_task_subtasks.html, part_task_comments.html). The detail
// may be a page or app.js's side panel, put in after this ran, so every
// handler is on the document. Without this file each action still works
// as a form post.
(function () {
  "use strict";

  // Ctrl+Enter (Cmd+Enter on a Mac) sends a comment.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && t.matches && t.matches("textarea[data-submit-shortcut]") && t.form) {
      e.preventDefault();
      if (t.value.trim()) { t.form.requestSubmit(); }
    }
  });

  // Alt+↑ / Alt+↓ on a subtask moves it, as its buttons do.
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) { return; }
    var item = e.target.closest && e.target.closest("[data-subtask]");
    if (!item || e.target.matches("input, textarea, select")) { return; }
    var b = item.querySelector('[data-move="' + (e.key === "ArrowUp" ? "up" : "down") + '"]');
    e.preventDefault();
    if (b && !b.disabled) { b.form.requestSubmit(b); }
  });

  // "Show earlier comments" puts the earlier page above the thread in
  // place (the link, followed, would show that page alone), and focuses
  // the last comment added, right above where the reader was.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-comments-earlier]");
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) { return; }
    var section = a.closest("section"), list = section && section.querySelector("[data-comment-list]");
    if (!list) { return; }
    e.preventDefault();
    a.setAttribute("aria-busy", "true");
    fetch(a.href, { credentials: "same-origin", headers: { "X-Panel": "1" } }).then(function (res) {
      if (!res.ok) { throw new Error(String(res.status)); }
      return res.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var items = Array.prototype.slice.call(doc.querySelectorAll("[data-comment-list] > li"));
      var seen = {};
      Array.prototype.forEach.call(list.children, function (li) { seen[li.id] = true; });
      items = items.filter(function (li) { return !seen[li.id]; });
      var first = list.firstElementChild;
      items.forEach(function (li) { list.insertBefore(document.importNode(li, true), first); });
      var more = doc.querySelector("a[data-comments-earlier]");
      if (more) { a.href = more.getAttribute("href"); a.removeAttribute("aria-busy"); } else { a.parentNode.remove(); }
      var last = items.length && document.getElementById(items[items.length - 1].id);
      if (last) { last.focus(); }
    }).catch(function () { location.href = a.href; });
  }, true);
})();
