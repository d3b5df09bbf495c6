// Ringlet's media player: HLS through hls.js where Media Source Extensions exist
// (checked first, so hls.js is used even where the browser claims native HLS),
// native HLS on Safari/iOS, and the MP4 <source> elements otherwise.
(function () {
  "use strict";
  // player.html includes this script once per player; one copy does the work.
  if (window.ringletMediaPlayer) return;
  var hlsSrc = document.currentScript && document.currentScript.dataset.hlsSrc;
  var hlsLoading = null;

  function resume(element) {
    var start = parseFloat(element.dataset.start || "0");
    if (start > 0) {
      element.addEventListener("loadedmetadata", function once() {
        element.removeEventListener("loadedmetadata", once);
        if (start < element.duration - 1) element.currentTime = start;
      });
    }
  }

  function afterLoad(callback) {
    if (document.readyState === "complete") callback();
    else window.addEventListener("load", callback, { once: true });
  }

  // hls.js (over 600 kB) is fetched once, after the page has loaded, so it never competes
  // with the page's own text and images on a slow connection (a lesson's LCP); the MP4
  // sources play meanwhile.
  function loadHls() {
    if (!hlsLoading) {
      hlsLoading = new Promise(function (resolve) {
        if (window.Hls || !hlsSrc) return resolve(window.Hls);
        var tag = document.createElement("script");
        tag.src = hlsSrc;
        tag.onload = function () { resolve(window.Hls); };
        tag.onerror = function () { resolve(undefined); };
        afterLoad(function () { document.head.appendChild(tag); });
      });
    }
    return hlsLoading;
  }

  function attachHls(element, Hls, hlsUrl) {
    // Where the element already is (a resumed position, or a student who pressed play on
    // the MP4 and paused): attaching reloads the element, so hls.js starts from there.
    var hls = new Hls({ capLevelToPlayerSize: true, startPosition: element.currentTime || -1 });
    var renewedAt = 0;
    hls.on(Hls.Events.ERROR, function (event, data) {
      var refused = data.response && data.response.code === 403;
      if (data.fatal && refused && Date.now() - renewedAt > 30000) {
        // The signed segment URLs expired (MEDIA_SIGNED_URL_SECONDS): ask for the playlist
        // again, which checks access afresh and signs new ones, and go on where we were.
        renewedAt = Date.now();
        var at = element.currentTime;
        hls.loadSource(hlsUrl);
        hls.startLoad(at);
        return;
      }
      if (data.fatal) {
        // Fall back to the MP4 sources rather than leave a dead player.
        hls.destroy();
        element.removeAttribute("src");
        element.load();
      }
    });
    hls.loadSource(hlsUrl);
    hls.attachMedia(element);
    element.ringletHls = hls;
    element.dataset.engine = "hls.js";
  }

  function withoutHls(element, hlsUrl) {
    if (element.canPlayType("application/vnd.apple.mpegurl")) {
      element.src = hlsUrl;
      element.dataset.engine = "native-hls";
    } else {
      element.dataset.engine = "mp4";
    }
  }

  function setUp(element) {
    if (element.dataset.playerReady) return;
    element.dataset.playerReady = "1";
    var hlsUrl = element.dataset.hls;
    resume(element);
    if (!hlsUrl) return;
    if (!(window.MediaSource || window.ManagedMediaSource) || !hlsSrc) {
      withoutHls(element, hlsUrl);
      return;
    }
    loadHls().then(function (Hls) {
      if (!element.paused) {
        element.dataset.engine = "mp4"; // already playing the MP4: do not interrupt it
      } else if (Hls && Hls.isSupported()) {
        attachHls(element, Hls, hlsUrl);
      } else {
        withoutHls(element, hlsUrl);
      }
    });
  }

  function setUpAll() {
    document.querySelectorAll(".media-player__element").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
  window.ringletMediaPlayer = { setUp: setUp, setUpAll: setUpAll };
})();
