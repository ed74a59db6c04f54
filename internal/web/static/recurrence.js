// taskapi web app: recurring tasks. The repeat picker shows the custom
// rule's field only when "Custom" is chosen (without this file it is
// always shown). The detail may be app.js's side panel, put in after this
// ran, so the handler is on the document.
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var sel = e.target;
    if (!sel.matches || !sel.matches("[data-repeat-preset]")) { return; }
    var custom = sel.form.querySelector("[data-repeat-custom]");
    if (!custom) { return; }
    if (sel.value === "custom") {
      custom.removeAttribute("data-collapsed");
      custom.querySelector("input").focus();
    } else {
      custom.setAttribute("data-collapsed", "");
    }
  });
})();
