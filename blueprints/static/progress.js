// Follows long work live: every element with data-progress-url polls that
// JSON ({total, done, percent, finished, …}) until finished and
// updates its <progress> bar and its text. Without JavaScript the page shows
// the state of its loading, and a link to load it again.
(function () {
  "use strict";
  var INTERVAL_MS = 2000;

  function render(template, figures) {
    var format = new Intl.NumberFormat(document.documentElement.lang || "de");
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return key === "percent" ? String(figures[key]) : format.format(figures[key]);
    });
  }

  function follow(box) {
    var bar = box.querySelector("progress");
    var text = box.querySelector(".progress-text");
    function poll() {
      fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (figures) {
          bar.max = figures.total || 1;
          bar.value = figures.total ? figures.done : 1;
          bar.textContent = figures.percent + " %";
          text.textContent = render(text.dataset.template, figures);
          if (!figures.finished) { setTimeout(poll, INTERVAL_MS); return; }
          box.setAttribute("data-finished", "");
          // Pages whose result replaces the bar (an import's report) show it at once.
          if (box.hasAttribute("data-reload-when-finished")) { window.location.reload(); }
        })
        .catch(function () { setTimeout(poll, INTERVAL_MS * 5); });
    }
    setTimeout(poll, INTERVAL_MS);
  }

  document.querySelectorAll("[data-progress-url]:not([data-finished])").forEach(follow);
})();
