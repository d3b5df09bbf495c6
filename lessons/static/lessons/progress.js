// Saves where a student is in each lesson video/audio and resumes there.
// Attaches to every <video>/<audio> with a data-media-id inside the lesson body; posts
// {lesson, media, position, duration} at most every 5 s while playing, and on play, pause and
// ended with the event named (learning records report them).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var endpoint = script.dataset.endpoint;
  var lesson = parseInt(script.dataset.lesson, 10);
  var csrf = script.dataset.csrf;
  var HEARTBEAT_MS = 5000;
  var positions = {};
  var source = document.getElementById("playback-positions");
  if (source) {
    try { positions = JSON.parse(source.textContent) || {}; } catch (e) { positions = {}; }
  }

  function send(element, mediaId, keepalive, event) {
    var duration = element.duration;
    if (!isFinite(duration) || duration <= 0) return;
    var payload = {
      lesson: lesson,
      media: mediaId,
      position: Math.min(element.currentTime, duration),
      duration: duration,
    };
    if (event) payload.event = event;
    var body = JSON.stringify(payload);
    fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body,
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.ok && data.lesson_completed) {
          document.dispatchEvent(new CustomEvent("lesson:completed", { detail: data }));
        }
      });
    }).catch(function () { /* the next heartbeat tries again */ });
  }

  function attach(element) {
    var mediaId = parseInt(element.dataset.mediaId, 10);
    if (!mediaId) return;
    var last = 0;
    var resumeAt = parseFloat(element.dataset.resumeAt || positions[String(mediaId)] || 0);

    function resume() {
      // Near the end, start again from the beginning rather than a second before the end.
      if (resumeAt > 0 && resumeAt < element.duration - 2) element.currentTime = resumeAt;
    }
    if (element.readyState >= 1) resume(); else element.addEventListener("loadedmetadata", resume, { once: true });

    element.addEventListener("timeupdate", function () {
      var now = Date.now();
      if (!element.paused && now - last >= HEARTBEAT_MS) {
        last = now;
        send(element, mediaId, false);
      }
    });
    element.addEventListener("play", function () { last = Date.now(); send(element, mediaId, false, "play"); });
    // "pause" also fires just before "ended": the end is reported once, as ended.
    element.addEventListener("pause", function () {
      if (element.ended) return;
      last = Date.now();
      send(element, mediaId, false, "pause");
    });
    element.addEventListener("ended", function () { last = Date.now(); send(element, mediaId, false, "ended"); });
    window.addEventListener("pagehide", function () {
      if (!element.paused) send(element, mediaId, true);
    });
  }

  document.querySelectorAll(".lesson__body video[data-media-id], .lesson__body audio[data-media-id]")
    .forEach(attach);
})();
