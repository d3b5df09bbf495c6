// The media upload form in the admin: refuses a file over the size limit before sending it,
// and sends an accepted one with a progress bar. The limit comes from the file input's
// data-max-upload-bytes (set by media_library.forms.MediaForm); the server checks again.
// No inline script: this file is loaded by the insert_global_admin_js hook. Its words come in
// the editor's language from the input's data-i18n (media_library/upload_strings.py), else English.
(function () {
  "use strict";
  var MIB = 1024 * 1024;
  var SELECTOR = "input[type=file][data-max-upload-bytes]";
  var ENGLISH = {
    tooLarge: "This file is too large: {size}; the limit is {limit}. " +
      "Export a smaller file (a lower resolution or bitrate), or split it into parts.",
    uploading: "Uploading… {percent}%",
    checking: "Uploaded; checking the file…",
    interrupted: "The upload was interrupted (the connection dropped). Check your connection and try again.",
  };

  // The sentence ``key`` in the editor's language, its {name}s filled from ``values``; ``english``
  // holds the fallbacks (this file's own when not given). admin-resumable-upload.js, loaded after
  // this file by the same hook, uses it too (window.ringletUploadSay).
  function say(input, key, values, english) {
    var words = {};
    try { words = JSON.parse(input.dataset.i18n || "{}"); } catch (e) { words = {}; }
    var text = words[key] || (english || ENGLISH)[key];
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? String(values[name]) : all;
    });
  }
  window.ringletUploadSay = say;

  // The same wording and rounding as media_library.validation.too_large_message.
  function mibText(bytes, roundUp) {
    var value = bytes / MIB;
    var digits = value >= 100 ? 0 : 1;
    var scale = Math.pow(10, digits);
    value = (roundUp ? Math.ceil(value * scale) : Math.floor(value * scale)) / scale;
    var text = value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
    return text.replace(/\.0$/, "") + " MiB";
  }

  function tooLargeMessage(input, size, limit) {
    return say(input, "tooLarge", { size: mibText(size, true), limit: mibText(limit, false) });
  }

  function messageBox(input) {
    var box = input.parentNode.querySelector(".media-upload-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "error-message media-upload-error";
      box.setAttribute("role", "alert");
      input.parentNode.appendChild(box);
    }
    return box;
  }

  function clearMessage(input) {
    var box = input.parentNode.querySelector(".media-upload-error");
    if (box) box.remove();
  }

  // Whether the chosen file may be sent; if not, says why and clears the choice.
  function check(input) {
    var limit = Number(input.dataset.maxUploadBytes);
    var file = input.files && input.files[0];
    clearMessage(input);
    if (file && limit && file.size > limit) {
      messageBox(input).textContent = tooLargeMessage(input, file.size, limit);
      input.value = "";
      return false;
    }
    return true;
  }

  function progressBar(input) {
    var bar = document.createElement("div");
    bar.className = "media-upload-progress";
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.setAttribute("aria-valuenow", "0");
    bar.innerHTML = '<div class="media-status__bar"><div class="media-status__fill"></div></div>' +
      '<span class="media-upload-progress__label"></span>';
    bar.querySelector(".media-upload-progress__label").textContent = say(input, "uploading", { percent: 0 });
    input.parentNode.appendChild(bar);
    return function (percent) {
      bar.setAttribute("aria-valuenow", String(percent));
      bar.querySelector(".media-status__fill").style.width = percent + "%";
      bar.querySelector(".media-upload-progress__label").textContent =
        percent < 100 ? say(input, "uploading", { percent: percent }) : say(input, "checking");
    };
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches(SELECTOR)) check(event.target);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var input = form.querySelector && form.querySelector(SELECTOR);
    if (!input) return;
    if (!check(input)) {
      event.preventDefault();
      return;
    }
    // Modal choosers post through their own script; without a file there is nothing to show.
    if (form.closest(".modal") || !input.files || !input.files.length || !window.FormData) return;
    event.preventDefault();
    var update = progressBar(input);
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    var action = new URL(form.getAttribute("action") || window.location.href, window.location.href).href;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", action);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) update(Math.floor((e.loaded / e.total) * 100));
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL && xhr.responseURL !== action) {
        // Saved: Django redirected (to the listing); go where it sent us.
        window.location.assign(xhr.responseURL);
      } else {
        // The form again, with the server's errors: show it as a normal post would.
        document.open();
        document.write(xhr.responseText);
        document.close();
      }
    });
    xhr.addEventListener("error", function () {
      buttons.forEach(function (b) { b.disabled = false; });
      form.querySelector(".media-upload-progress").remove();
      messageBox(input).textContent = say(input, "interrupted");
    });
    xhr.send(new FormData(form));
  });
})();
