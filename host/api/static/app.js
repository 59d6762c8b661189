// Progressive enhancement only: every page works without this file. Loaded from the host
// itself (script-src 'self'); no inline script anywhere.
(function () {
  "use strict";
  // What-if: evaluate without leaving the page (the same GET the form sends without script),
  // then replace only the result panel.
  var form = document.querySelector('form[data-enhance="whatif"]');
  if (form && window.fetch && window.DOMParser) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
      var button = form.querySelector("button");
      if (button) { button.disabled = true; }
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("whatif-result");
          var here = document.getElementById("whatif-result");
          if (fresh && here) { here.replaceWith(fresh); }
          history.replaceState(null, "", url);
        })
        .catch(function () { form.submit(); })
        .finally(function () { if (button) { button.disabled = false; } });
    });
  }
  // A long-running form (allocation) shows its progress bar while the server works.
  document.querySelectorAll("form[data-progress]").forEach(function (f) {
    f.addEventListener("submit", function () {
      var bar = document.getElementById(f.getAttribute("data-progress"));
      if (bar) { bar.hidden = false; }
    });
  });
})();
