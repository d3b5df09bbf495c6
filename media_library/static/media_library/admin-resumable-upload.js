// Resumable media uploads in the admin's add form, straight to the S3 bucket (or Azure container) in parts
// (media_library/resumable.py, upload_views.py). Active when the file input carries
// data-resumable-url (MediaForm sets it when the store is a bucket); otherwise
// admin-upload.js posts the form as usual. A dropped connection keeps the parts already in
// the bucket: saving again with the same file sends only the missing ones (the upload's id
// is remembered in localStorage by the file's name, size and date).
// The chooser's upload tabs (a modal) use it too; the new item is then chosen (choose()).
// Runs in the capture phase, before admin-upload.js's listener, and stops it for this form.
// Its words come in the editor's language from the input's data-i18n
// (media_library/upload_strings.py), else English.
(function () {
  "use strict";
  var SELECTOR = "input[type=file][data-resumable-url]";
  var BATCH = 20;
  var ENGLISH = {
    uploading: "Uploading… {percent}%",
    uploadingResumed: "Uploading… {percent}% (resumed)",
    checking: "Uploaded; checking the file…",
    interruptedResumable: "The upload was interrupted (the connection dropped). Save again with the same file " +
      "to resume: the parts already sent are kept.",
    partRefused: "The bucket refused a part (HTTP {status}).",
    notStarted: "The upload could not start.",
    notCompleted: "The upload could not be completed.",
  };

  // The sentence ``key`` in the editor's language (admin-upload.js's ringletUploadSay, loaded
  // before this file by the same hook), with this file's English as the fallback.
  function say(input, key, values) {
    return window.ringletUploadSay(input, key, values, ENGLISH);
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function api(form, method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = text ? JSON.parse(text) : {};
        return { status: response.status, data: data };
      });
    });
  }

  function memoryKey(file) {
    return "ringlet-upload:" + [file.name, file.size, file.lastModified, file.type].join(":");
  }

  function putPart(input, url, blob, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("PUT", url);
      xhr.upload.addEventListener("progress", function (e) { onProgress(e.loaded); });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(new Error(say(input, "partRefused", { status: xhr.status })));
      });
      xhr.addEventListener("error", function () { reject(new Error("connection")); });
      xhr.send(blob);
    });
  }

  function ui(input) {
    var old = input.parentNode.querySelector(".media-upload-progress");
    if (old) old.remove();
    var bar = document.createElement("div");
    bar.className = "media-upload-progress";
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.innerHTML = '<div class="media-status__bar"><div class="media-status__fill"></div></div>' +
      '<span class="media-upload-progress__label" aria-live="polite"></span>';
    input.parentNode.appendChild(bar);
    return {
      progress: function (percent, text) {
        bar.setAttribute("aria-valuenow", String(percent));
        bar.querySelector(".media-status__fill").style.width = percent + "%";
        bar.querySelector(".media-upload-progress__label").textContent = text;
      },
      remove: function () { bar.remove(); },
    };
  }

  function message(input, text) {
    var box = input.parentNode.querySelector(".media-upload-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "error-message media-upload-error";
      box.setAttribute("role", "alert");
      input.parentNode.appendChild(box);
    }
    box.textContent = text;
  }

  // The chooser's upload form prefixes its fields ("media-chooser-upload-file"); the add form does not.
  function field(form, input, name) {
    var prefix = input.name.slice(0, input.name.length - "file".length);
    return form.querySelector('[name="' + prefix + name + '"]');
  }

  // In the chooser (a modal): the new item is chosen as one picked from the list would be. The
  // modal's own submit handler (wagtailmedia's) posts the form, now without its file, to the
  // item's "chosen" URL, and the modal takes the answer ("media_chosen") as it does an upload's.
  function choose(form, input, chosenUrl) {
    var title = field(form, input, "title");
    if (title && !title.value) title.value = input.files[0].name.replace(/\.[^.]+$/, "");
    input.value = "";
    form.setAttribute("action", chosenUrl);
    form.dataset.resumableDone = "1";
    form.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
  }

  function upload(form, input, file) {
    var base = input.dataset.resumableUrl;
    var key = memoryKey(file);
    var show = ui(input);
    var sentBefore = 0;
    var state;

    function start() {
      var remembered = window.localStorage.getItem(key);
      var resume = remembered ? api(form, "GET", base + remembered + "/") : Promise.resolve({ status: 404 });
      return resume.then(function (found) {
        if (found.status === 200 && !found.data.media_id) {
          state = { id: remembered, partSize: found.data.part_size, count: found.data.part_count };
          return found.data.parts.map(function (p) { return p.number; });
        }
        var collection = field(form, input, "collection");
        var title = field(form, input, "title");
        return api(form, "POST", base, {
          filename: file.name,
          size: file.size,
          media_type: input.dataset.mediaType,
          title: title ? title.value : "",
          collection: collection ? Number(collection.value) : null,
        }).then(function (started) {
          if (started.status !== 201) throw new Error(started.data.error || say(input, "notStarted"));
          state = { id: started.data.id, partSize: started.data.part_size, count: started.data.part_count };
          window.localStorage.setItem(key, state.id);
          return [];
        });
      });
    }

    function sendMissing(held) {
      var missing = [];
      for (var n = 1; n <= state.count; n++) if (held.indexOf(n) < 0) missing.push(n);
      sentBefore = held.reduce(function (sum, n) { return sum + Math.min(state.partSize, file.size - (n - 1) * state.partSize); }, 0);
      var done = sentBefore;
      var chain = Promise.resolve();
      for (var i = 0; i < missing.length; i += BATCH) {
        (function (numbers) {
          chain = chain.then(function () {
            return api(form, "POST", base + state.id + "/parts/", { numbers: numbers });
          }).then(function (signed) {
            var parts = Promise.resolve();
            numbers.forEach(function (number) {
              parts = parts.then(function () {
                var from = (number - 1) * state.partSize;
                var blob = file.slice(from, Math.min(file.size, from + state.partSize));
                return putPart(input, signed.data.urls[String(number)], blob, function (loaded) {
                  var percent = Math.min(99, Math.floor(((done + loaded) / file.size) * 100));
                  show.progress(percent, say(input, sentBefore ? "uploadingResumed" : "uploading", { percent: percent }));
                }).then(function () { done += blob.size; });
              });
            });
            return parts;
          });
        })(missing.slice(i, i + BATCH));
      }
      return chain;
    }

    function complete() {
      show.progress(100, say(input, "checking"));
      return api(form, "POST", base + state.id + "/complete/").then(function (answer) {
        if (answer.status !== 201) throw new Error(answer.data.error || say(input, "notCompleted"));
        window.localStorage.removeItem(key);
        if (form.closest(".modal")) {
          show.remove();
          choose(form, input, answer.data.chosen_url);
        } else {
          window.location.assign(answer.data.edit_url);
        }
      });
    }

    return start().then(sendMissing).then(complete).catch(function (error) {
      show.remove();
      if (error.message === "connection") {
        message(input, say(input, "interruptedResumable"));
      } else {
        window.localStorage.removeItem(key);
        message(input, error.message);
      }
      throw error;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var input = form.querySelector && form.querySelector(SELECTOR);
    if (!input || !input.files || !input.files.length || !window.fetch || form.dataset.resumableDone) return;
    var limit = Number(input.dataset.maxUploadBytes);
    if (limit && input.files[0].size > limit) return; // admin-upload.js says why
    event.preventDefault();
    event.stopPropagation();
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    var box = input.parentNode.querySelector(".media-upload-error");
    if (box) box.remove();
    upload(form, input, input.files[0]).catch(function () {
      buttons.forEach(function (b) { b.disabled = false; });
    });
  }, true);
})();
