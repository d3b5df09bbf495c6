// Saves where a student is in each lesson video/audio and resumes there.
// Attaches to every <video>/<audio> with a data-media-id inside the lesson body; reports
// {lesson, media, position, duration} every data-interval ms while playing (15 s by default),
// after a seek, on play, pause and ended (with the event named: learning records report them),
// and when the page is hidden or closed. Reports are forms (URLSearchParams) with the CSRF token
// in csrfmiddlewaretoken and the page's grant in token (lessons/playback_buffer.py): the same
// body goes through fetch (whose answer says when the lesson completed) or, when the page is
// going away, navigator.sendBeacon, which cannot set headers and survives the page.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var endpoint = script.dataset.endpoint;
  var lesson = parseInt(script.dataset.lesson, 10);
  var csrf = script.dataset.csrf;
  var token = script.dataset.token || "";
  var interval = parseInt(script.dataset.interval, 10) || 15000;
  var positions = {};
  var source = document.getElementById("playback-positions");
  if (source) {
    try { positions = JSON.parse(source.textContent) || {}; } catch (e) { positions = {}; }
  }

  function report(element, mediaId, event) {
    var duration = element.duration;
    if (!isFinite(duration) || duration <= 0) return null;
    var body = new URLSearchParams();
    body.set("csrfmiddlewaretoken", csrf);
    body.set("lesson", String(lesson));
    body.set("media", String(mediaId));
    body.set("position", String(Math.min(element.currentTime, duration)));
    body.set("duration", String(duration));
    if (event) body.set("event", event);
    if (token) body.set("token", token);
    return body;
  }

  function send(element, mediaId, event) {
    var body = report(element, mediaId, event);
    if (!body) return;
    fetch(endpoint, { method: "POST", credentials: "same-origin", keepalive: true, body: body })
      .then(function (response) {
        return response.json().then(function (data) {
          if (response.ok && data.lesson_completed) {
            document.dispatchEvent(new CustomEvent("lesson:completed", { detail: data }));
          }
        });
      })
      .catch(function () { /* the next report tries again */ });
  }

  function beacon(element, mediaId) {
    var body = report(element, mediaId);
    if (!body) return;
    if (!(navigator.sendBeacon && navigator.sendBeacon(endpoint, body))) {
      fetch(endpoint, { method: "POST", credentials: "same-origin", keepalive: true, body: body })
        .catch(function () { /* nothing more can be done while the page goes away */ });
    }
  }

  function attach(element) {
    var mediaId = parseInt(element.dataset.mediaId, 10);
    if (!mediaId) return;
    var last = 0;
    var sentAt = -1; // the position last reported, so a hidden page does not repeat it
    var resumeAt = parseFloat(element.dataset.resumeAt || positions[String(mediaId)] || 0);

    function resume() {
      // Near the end, start again from the beginning rather than a second before the end.
      if (resumeAt > 0 && resumeAt < element.duration - 2) element.currentTime = resumeAt;
    }
    if (element.readyState >= 1) resume(); else element.addEventListener("loadedmetadata", resume, { once: true });

    function now(event) {
      if (!isFinite(element.duration) || element.duration <= 0) {
        // Played before the stream's metadata arrived (the player loads it on play): report
        // once the length is known, rather than skipping this report.
        element.addEventListener("durationchange", function () { now(event); }, { once: true });
        return;
      }
      last = Date.now();
      sentAt = element.currentTime;
      send(element, mediaId, event);
    }

    element.addEventListener("timeupdate", function () {
      if (!element.paused && Date.now() - last >= interval) now();
    });
    element.addEventListener("play", function () { now("play"); });
    // "pause" also fires just before "ended": the end is reported once, as ended.
    element.addEventListener("pause", function () { if (!element.ended) now("pause"); });
    element.addEventListener("ended", function () { now("ended"); });
    // A seek while paused moves the resume point too; while playing, the next report would be late.
    element.addEventListener("seeked", function () { if (!element.seeking) now(); });

    function leaving() {
      if (element.currentTime === sentAt) return;
      sentAt = element.currentTime;
      last = Date.now();
      beacon(element, mediaId);
    }
    window.addEventListener("pagehide", leaving);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") leaving();
    });
  }

  document.querySelectorAll(".lesson__body video[data-media-id], .lesson__body audio[data-media-id]")
    .forEach(attach);
})();
