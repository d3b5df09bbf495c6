// Live status in the admin: polls each pending/queued/processing item's JSON status once a
// second and moves its progress bar (shown only while a worker is really encoding it); the
// edit page reloads once the item is ready.
(function () {
  "use strict";
  var ACTIVE = { pending: true, queued: true, processing: true };

  function render(box, data) {
    box.dataset.status = data.status;
    box.className = "media-status media-status--" + data.status;
    box.querySelector(".media-status__label").textContent = data.label;
    var bar = box.querySelector(".media-status__bar");
    bar.hidden = !data.running;
    bar.setAttribute("aria-valuenow", data.progress);
    box.querySelector(".media-status__fill").style.width = data.progress + "%";
    if (data.status === "failed" && data.error && !box.querySelector(".media-status__error")) {
      var p = document.createElement("p");
      p.className = "media-status__error";
      p.textContent = data.error.slice(0, 300);
      p.title = data.error;
      box.appendChild(p);
    }
  }

  function poll() {
    var boxes = document.querySelectorAll("[data-media-status-url]");
    boxes.forEach(function (box) {
      if (!ACTIVE[box.dataset.status] || box.dataset.polling) return;
      box.dataset.polling = "1";
      fetch(box.dataset.mediaStatusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          delete box.dataset.polling;
          if (!data) return;
          var wasActive = ACTIVE[box.dataset.status];
          render(box, data);
          if (wasActive && data.status === "ready" && box.closest(".media-stats, dl")) {
            window.location.reload();
          }
        })
        .catch(function () { delete box.dataset.polling; });
    });
  }
  setInterval(poll, 1000);
})();
