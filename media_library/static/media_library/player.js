// Ringlet's media player: HLS through hls.js where Media Source Extensions exist
// (checked first, so hls.js is used even where the browser claims native HLS),
// native HLS on Safari/iOS, and the MP4 <source> elements otherwise.
(function () {
  "use strict";

  function resume(element) {
    var start = parseFloat(element.dataset.start || "0");
    if (start > 0) {
      element.addEventListener("loadedmetadata", function once() {
        element.removeEventListener("loadedmetadata", once);
        if (start < element.duration - 1) element.currentTime = start;
      });
    }
  }

  function setUp(element) {
    if (element.dataset.playerReady) return;
    element.dataset.playerReady = "1";
    var hlsUrl = element.dataset.hls;
    resume(element);
    if (!hlsUrl) return;
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ capLevelToPlayerSize: true });
      var renewedAt = 0;
      hls.on(window.Hls.Events.ERROR, function (event, data) {
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
    } else if (element.canPlayType("application/vnd.apple.mpegurl")) {
      element.src = hlsUrl;
      element.dataset.engine = "native-hls";
    } else {
      element.dataset.engine = "mp4";
    }
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
