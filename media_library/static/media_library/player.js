// Ringlet's media player: Plyr's controls (speed, captions and quality menus, seek previews,
// chapter markers) over one stream, with the player's own keyboard shortcuts, help dialog,
// chapter list, interactive transcript and audio-language menu.
//
// One stream: the markup's MP4 <source>s (for browsers without scripts, preload="none") are
// taken out, and once the student shows intent (pointer over the player, focus, a touch, play)
// it loads HLS through hls.js where Media Source Extensions exist (checked first, so hls.js is
// used even where the browser claims native HLS), native HLS on Safari/iOS, or else one MP4.
// hls.js (over 400 kB) is prefetched when the player comes near the viewport, after the page's
// own load, and run only on intent.
(function () {
  "use strict";
  // player.html includes this script once per player; one copy does the work.
  if (window.ringletMediaPlayer) return;
  var script = document.currentScript;
  var hlsSrc = script && script.dataset.hlsSrc;
  var plyrSrc = script && script.dataset.plyrSrc;
  var iconUrl = script && script.dataset.plyrIcons;
  var SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
  var SPEED_KEY = "ringlet.player.speed";
  var PLYR_KEY = "ringlet.plyr";
  var CAPTIONS_KEY = "ringlet.player.captions."; // + the page's language
  var loading = {};

  // --- The page's language: its words (player_strings.py) and its captions and audio ------
  // English, the msgids, where the markup carries none (a page rendered before this script).
  var ENGLISH = {
    minute: "{n} minute", minutes: "{n} minutes", second: "{n} second", seconds: "{n} seconds",
    lineMatches: "{n} line matches \u201c{query}\u201d.", linesMatch: "{n} lines match \u201c{query}\u201d.",
    noLineMatches: "No line matches \u201c{query}\u201d.", track: "Track {n}",
  };
  var words = ENGLISH;

  function readStrings(root) {
    try {
      return JSON.parse(root.dataset.i18n || "null") || {};
    } catch (e) {
      return {};
    }
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }

  // "{n} minute" or "{n} minutes", by the page language's plural rules (French: 0 and 1 are singular).
  function counted(n, one, other) {
    var form = n === 1 ? "one" : "other";
    try {
      form = new Intl.PluralRules(document.documentElement.lang || "en").select(n);
    } catch (e) { /* the English rule */ }
    return fill(form === "one" ? words[one] : words[other], { n: n });
  }

  function sameLanguage(tag, language) {
    tag = (tag || "").toLowerCase();
    language = (language || "").toLowerCase();
    if (!tag || !language) return false;
    return tag === language || tag.split("-")[0] === language || language.split("-")[0] === tag;
  }

  // The captions' language: the page's (the track in it, as the server ordered them), unless
  // the student chose another on a page in this language (kept per page language, so a French
  // page still opens in French after they chose English captions on an English one).
  function captionLanguage(element) {
    var page = element.dataset.language || "";
    var chosen = null;
    try { chosen = window.localStorage.getItem(CAPTIONS_KEY + page); } catch (e) { chosen = null; }
    var tracks = captionTracks(element);
    var available = function (language) {
      return tracks.find(function (t) { return language && t.srclang.toLowerCase() === language.toLowerCase(); });
    };
    var track = (chosen && available(chosen)) || tracks.find(function (t) { return sameLanguage(t.srclang, page); });
    return track ? track.srclang.toLowerCase() : (page || "auto");
  }

  // Plyr's stored language (a student's choice on any page) would outrank its ``captions.language``
  // option: the stored one is taken out before Plyr starts, and each choice kept per page language.
  function forgetPlyrLanguage() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(PLYR_KEY) || "{}");
      if (stored && "language" in stored) {
        delete stored.language;
        window.localStorage.setItem(PLYR_KEY, JSON.stringify(stored));
      }
    } catch (e) { /* storage refused or garbled: Plyr starts from its options */ }
  }

  function rememberCaptionChoice(element) {
    try {
      var stored = JSON.parse(window.localStorage.getItem(PLYR_KEY) || "{}");
      if (stored && stored.language) {
        window.localStorage.setItem(CAPTIONS_KEY + (element.dataset.language || ""), stored.language);
      }
    } catch (e) { /* not kept */ }
  }

  function loadScript(src) {
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve) {
        var tag = document.createElement("script");
        tag.src = src;
        tag.onload = function () { resolve(true); };
        tag.onerror = function () { resolve(false); };
        document.head.appendChild(tag);
      });
    }
    return loading[src];
  }

  // --- Playback speed, remembered on this device ------------------------------------
  function storedSpeed() {
    try {
      var value = parseFloat(window.localStorage.getItem(SPEED_KEY));
      return SPEEDS.indexOf(value) >= 0 ? value : 1;
    } catch (e) {
      return 1; // storage refused (private mode): the default
    }
  }

  function rememberSpeed(value) {
    if (SPEEDS.indexOf(value) < 0) return;
    try { window.localStorage.setItem(SPEED_KEY, String(value)); } catch (e) { /* not kept */ }
  }

  // --- WebVTT, for the transcript and chapters (cue text only: tags are dropped) ------
  function seconds(stamp) {
    var parts = stamp.split(":").map(parseFloat);
    return parts.reduce(function (total, part) { return total * 60 + part; }, 0);
  }

  function parseVtt(text) {
    var cues = [];
    text.replace(/\r\n?/g, "\n").split(/\n{2,}/).forEach(function (block) {
      var lines = block.split("\n");
      var at = lines.findIndex(function (line) { return line.indexOf("-->") >= 0; });
      if (at < 0) return; // the header, NOTE, STYLE and REGION blocks
      var times = lines[at].match(/([\d:.]+)\s+-->\s+([\d:.]+)/);
      if (!times) return;
      var body = lines.slice(at + 1).join(" ").replace(/<[^>]*>/g, "").trim();
      var scratch = document.createElement("textarea");
      scratch.innerHTML = body; // entity decoding only: the textarea's value is plain text
      body = scratch.value;
      if (body) cues.push({ start: seconds(times[1]), end: seconds(times[2]), text: body });
    });
    return cues;
  }

  function fetchCues(url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(parseVtt)
      .catch(function () { return []; });
  }

  function clock(value) {
    value = Math.max(0, Math.floor(value));
    var h = Math.floor(value / 3600), m = Math.floor((value % 3600) / 60), s = value % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function spoken(value) {
    value = Math.max(0, Math.floor(value));
    var m = Math.floor(value / 60), s = value % 60;
    return (m ? counted(m, "minute", "minutes") + " " : "") + counted(s, "second", "seconds");
  }

  // --- Near the viewport -----------------------------------------------------------------
  function whenNear(element, callback, margin) {
    if (!("IntersectionObserver" in window)) return callback();
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        callback();
      }
    }, { rootMargin: margin || "300px 0px" });
    observer.observe(element);
  }

  function afterLoad(callback) {
    var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 1); };
    var go = function () { idle(callback, { timeout: 2000 }); };
    if (document.readyState === "complete") go();
    else window.addEventListener("load", go, { once: true });
  }

  function prefetch(src) {
    if (!src || loading[src] || document.querySelector('link[rel=prefetch][href="' + src + '"]')) return;
    var link = document.createElement("link");
    link.rel = "prefetch";
    link.as = "script";
    link.href = src;
    document.head.appendChild(link);
  }

  // --- Streams -----------------------------------------------------------------------------
  function resume(element) {
    var start = parseFloat(element.dataset.start || "0");
    if (start > 0) {
      element.addEventListener("loadedmetadata", function once() {
        element.removeEventListener("loadedmetadata", once);
        if (start < element.duration - 1) element.currentTime = start;
      });
    }
  }

  function pickMp4(sources, height) {
    // The chosen height, else the smallest at least as wide as the player's box, else the largest.
    var wanted = height || 0;
    if (!wanted) {
      var box = element_width(sources.element) * (window.devicePixelRatio || 1);
      var fits = sources.list.filter(function (s) { return s.height && s.height * 16 / 9 >= box; });
      return fits.length ? fits[fits.length - 1] : sources.list[0];
    }
    return sources.list.find(function (s) { return s.height === wanted; }) || sources.list[0];
  }

  function element_width(element) {
    return element.getBoundingClientRect().width || 640;
  }

  function playMp4(state, height) {
    var element = state.element;
    var source = pickMp4(state.sources, height);
    if (!source) return;
    var at = element.currentTime, playing = !element.paused;
    if (element.getAttribute("src") === source.url) return;
    element.src = source.url;
    element.preload = "metadata";
    element.dataset.engine = "mp4";
    resumePlay(state);
    if (at) element.addEventListener("loadedmetadata", function once() {
      element.removeEventListener("loadedmetadata", once);
      element.currentTime = at;
      if (playing) element.play();
    });
  }

  function attachHls(state, Hls) {
    var element = state.element, hlsUrl = element.dataset.hls;
    // Before play, only the playlists and a few seconds (duration and first frame); the
    // full 30 s buffer once the student presses play.
    // hls.js buffers by size too (60 MB): before play, keep it to the first seconds.
    var hls = new Hls({
      capLevelToPlayerSize: true,
      startPosition: element.currentTime || parseFloat(element.dataset.start || "0") || -1,
      maxBufferLength: element.paused ? 4 : 30,
      maxBufferSize: element.paused ? 0 : 60 * 1000 * 1000,
      // The page's language's audio track when the master has one (else the default one).
      audioPreference: element.dataset.language ? { lang: element.dataset.language } : undefined,
    });
    element.addEventListener("play", function () {
      hls.config.maxBufferLength = 30;
      hls.config.maxBufferSize = 60 * 1000 * 1000;
    }, { once: true });
    var renewedAt = 0;
    hls.on(Hls.Events.ERROR, function (event, data) {
      // 410: the signed URLs expired (MEDIA_SIGNED_URL_SECONDS; what the edge and Django
      // answer); 403: an object store's presigned URL expired, or access was refused.
      var refused = data.response && (data.response.code === 410 || data.response.code === 403);
      if (refused && Date.now() - renewedAt > 30000) {
        // Ask for the playlist again, which checks access afresh and signs new URLs, and go on
        // where we were (at once: hls.js would otherwise retry the dead URL before giving up).
        // hls.js re-attaches the element for a new source (its time goes back to 0 and it
        // pauses): it starts loading at the position the student was at, and plays on if it was
        // playing (MANIFEST_PARSED below).
        renewedAt = Date.now();
        hls.config.startPosition = element.currentTime;
        state.wantsPlay = state.wantsPlay || !element.paused;
        hls.loadSource(hlsUrl);
        return;
      }
      if (data.fatal) {
        // Fall back to one MP4 rather than leave a dead player.
        hls.destroy();
        element.ringletHls = null;
        playMp4(state, 0);
      }
    });
    hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, function () { audioMenu(state); });
    hls.on(Hls.Events.MANIFEST_PARSED, function () { resumePlay(state); });
    hls.loadSource(hlsUrl);
    hls.attachMedia(element);
    element.ringletHls = hls;
    element.dataset.engine = "hls.js";
  }

  function resumePlay(state) {
    if (!state.wantsPlay) return;
    state.wantsPlay = false;
    var played = state.element.play();
    if (played && played.catch) played.catch(function () { /* the student pauses or leaves */ });
  }

  function startStream(state) {
    if (state.started) return;
    state.started = true;
    var element = state.element, hlsUrl = element.dataset.hls;
    if (!hlsUrl) return playMp4(state, 0);
    if ((window.MediaSource || window.ManagedMediaSource) && hlsSrc) {
      loadScript(hlsSrc).then(function () {
        if (window.Hls && window.Hls.isSupported()) attachHls(state, window.Hls);
        else nativeOrMp4(state);
      });
    } else {
      nativeOrMp4(state);
    }
  }

  function nativeOrMp4(state) {
    var element = state.element;
    if (element.canPlayType("application/vnd.apple.mpegurl")) {
      element.src = element.dataset.hls;
      element.preload = "metadata";
      element.dataset.engine = "native-hls";
      resumePlay(state);
      if (element.audioTracks) element.audioTracks.addEventListener("addtrack", function () {
        nativeAudioLanguage(state);
        audioMenu(state);
      });
    } else {
      playMp4(state, 0);
    }
  }

  // Native HLS (Safari): the page's language's audio track, as hls.js's audioPreference does.
  function nativeAudioLanguage(state) {
    var tracks = Array.from(state.element.audioTracks || []);
    var page = state.element.dataset.language;
    var index = tracks.findIndex(function (t) { return sameLanguage(t.language, page); });
    if (index < 0 || state.audioChosen) return;
    tracks.forEach(function (t, i) { t.enabled = i === index; });
  }

  // --- Quality (the Plyr menu calls this) ------------------------------------------------
  function setQuality(state, height) {
    var hls = state.element.ringletHls;
    if (hls) {
      var index = height ? hls.levels.findIndex(function (level) { return level.height === height; }) : -1;
      hls.currentLevel = index; // -1: automatic
    } else if (state.element.dataset.engine === "mp4") {
      playMp4(state, height);
    }
  }

  // --- Audio languages (several audio renditions in the HLS master) ----------------------
  // The language's own name where the playlist gives one (LANGUAGE="fr": "French" on an
  // English page), with the rendition's NAME when it says more than a generic "audio_2".
  function audioLabel(track, index) {
    var lang = track.lang || track.language || "", name = track.name || track.label || "";
    var language = "";
    try {
      if (lang && window.Intl && Intl.DisplayNames) {
        language = new Intl.DisplayNames([document.documentElement.lang || "en"], { type: "language" }).of(lang);
      }
    } catch (e) { language = ""; }
    if (/^audio_?\d*$/i.test(name)) name = "";
    if (language && name && name.toLowerCase() !== language.toLowerCase()) return language + " (" + name + ")";
    return language || name || lang || fill(words.track, { n: index + 1 });
  }

  function audioMenu(state) {
    var label = state.root.querySelector(".media-player__audio");
    var select = state.root.querySelector(".media-player__audio-select");
    if (!label || !select) return;
    var hls = state.element.ringletHls;
    var tracks = hls ? hls.audioTracks : Array.from(state.element.audioTracks || []);
    if (!tracks || tracks.length < 2) { label.hidden = true; return; }
    select.replaceChildren();
    tracks.forEach(function (track, index) {
      var option = document.createElement("option");
      option.value = String(index);
      option.textContent = audioLabel(track, index);
      select.appendChild(option);
    });
    select.value = String(hls ? hls.audioTrack : tracks.findIndex(function (t) { return t.enabled; }));
    label.hidden = false;
    state.root.querySelector(".media-player__extras").hidden = false;
    if (!select.dataset.bound) {
      select.dataset.bound = "1";
      select.addEventListener("change", function () {
        var chosen = parseInt(select.value, 10), current = state.element.ringletHls;
        state.audioChosen = true;
        if (current) current.audioTrack = chosen;
        else Array.from(state.element.audioTracks || []).forEach(function (t, i) { t.enabled = i === chosen; });
      });
    }
  }

  // --- Keyboard shortcuts (only while focus is in this player) ---------------------------
  var TYPING = "input, select, textarea, [contenteditable]";

  function seekBy(player, delta) {
    var duration = player.duration || player.media.duration || 0;
    var to = Math.max(0, player.currentTime + delta);
    player.currentTime = duration ? Math.min(to, duration) : to;
  }

  function changeSpeed(player, step) {
    var index = SPEEDS.indexOf(player.speed);
    if (index < 0) index = SPEEDS.indexOf(1);
    player.speed = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, index + step))];
  }

  function onKey(state, event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    var target = event.target, player = state.player, key = event.key;
    if (target.closest && target.closest(TYPING + ", dialog, .media-transcript, .media-chapters")) return;
    // Plyr's menus and sliders use the arrows and Space themselves; buttons use Space.
    var inMenu = target.closest && target.closest(".plyr__menu__container, [role^=menuitem]");
    var onSlider = target.matches && target.matches("input[type=range]");
    var onButton = target.matches && target.matches("button, a, [role=button]");
    var handled = true;
    switch (key) {
      case " ":
        if (onButton || inMenu) return;
        player.togglePlay();
        break;
      case "k": case "K": player.togglePlay(); break;
      case "j": case "J": seekBy(player, -10); break;
      case "l": case "L": seekBy(player, 10); break;
      case "ArrowLeft":
        if (onSlider || inMenu) return;
        seekBy(player, -5);
        break;
      case "ArrowRight":
        if (onSlider || inMenu) return;
        seekBy(player, 5);
        break;
      case "m": case "M": player.muted = !player.muted; break;
      case "f": case "F": player.fullscreen.toggle(); break;
      case "c": case "C": player.toggleCaptions(); break;
      case "<": changeSpeed(player, -1); break;
      case ">": changeSpeed(player, 1); break;
      case "?": openHelp(state); break;
      default:
        if (/^[0-9]$/.test(key) && !onSlider) {
          player.currentTime = (player.duration || 0) * parseInt(key, 10) / 10;
        } else {
          handled = false;
        }
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  }

  function openHelp(state) {
    var dialog = state.root.querySelector(".media-player__help");
    if (!dialog || dialog.open) return;
    state.returnFocus = document.activeElement;
    dialog.showModal();
  }

  // --- Chapters ------------------------------------------------------------------------------
  function setUpChapters(state, cues) {
    var nav = state.root.querySelector(".media-chapters");
    if (!nav || !cues.length) return;
    var list = nav.querySelector(".media-chapters__list");
    cues.forEach(function (cue) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "media-chapters__button";
      button.dataset.start = String(cue.start);
      var time = document.createElement("span");
      time.className = "media-chapters__time";
      time.textContent = clock(cue.start);
      time.setAttribute("aria-label", spoken(cue.start));
      button.append(time, " ", cue.text);
      button.addEventListener("click", function () { seekTo(state, cue.start); });
      item.appendChild(button);
      list.appendChild(item);
    });
    nav.hidden = false;
    state.chapters = cues;
  }

  function seekTo(state, at) {
    state.player.currentTime = at;
    state.element.currentTime = at;
  }

  // --- Interactive transcript -------------------------------------------------------------
  function captionTracks(element) {
    return Array.from(element.querySelectorAll("track")).filter(function (track) {
      return track.kind === "captions" || track.kind === "subtitles";
    });
  }

  function transcriptTrack(state) {
    var tracks = captionTracks(state.element);
    var language = state.player && state.player.language;
    return tracks.find(function (t) { return language && t.srclang === language; })
      || tracks.find(function (t) { return t.default; }) || tracks[0];
  }

  function buildTranscript(state) {
    var box = state.root.querySelector(".media-transcript");
    var track = box && transcriptTrack(state);
    if (!track || state.transcriptLanguage === track.srclang) return;
    state.transcriptLanguage = track.srclang;
    fetchCues(track.src).then(function (cues) {
      var list = box.querySelector(".media-transcript__lines");
      list.replaceChildren();
      list.setAttribute("lang", track.srclang);
      state.lines = cues.map(function (cue) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "media-transcript__line";
        button.dataset.start = String(cue.start);
        var time = document.createElement("span");
        time.className = "media-transcript__time";
        time.textContent = clock(cue.start);
        time.setAttribute("aria-label", spoken(cue.start) + ":");
        var text = document.createElement("span");
        text.className = "media-transcript__text";
        text.textContent = cue.text;
        button.append(time, " ", text);
        button.addEventListener("click", function () { seekTo(state, cue.start); });
        item.appendChild(button);
        list.appendChild(item);
        return { cue: cue, item: item, button: button, text: text };
      });
      box.hidden = !cues.length;
      filterTranscript(state);
      followTranscript(state);
    });
  }

  function filterTranscript(state) {
    var box = state.root.querySelector(".media-transcript");
    if (!box || !state.lines) return;
    var query = box.querySelector(".media-transcript__search").value.trim().toLowerCase();
    var matches = 0;
    state.lines.forEach(function (line) {
      var text = line.cue.text, at = query ? text.toLowerCase().indexOf(query) : -1;
      line.text.replaceChildren();
      if (at >= 0) {
        var mark = document.createElement("mark");
        mark.textContent = text.slice(at, at + query.length);
        line.text.append(text.slice(0, at), mark, text.slice(at + query.length));
      } else {
        line.text.textContent = text;
      }
      line.item.hidden = Boolean(query) && at < 0;
      if (!line.item.hidden) matches += 1;
    });
    var status = box.querySelector(".media-transcript__status");
    status.textContent = !query ? ""
      : matches ? fill(counted(matches, "lineMatches", "linesMatch"), { query: query })
      : fill(words.noLineMatches, { query: query });
  }

  function followTranscript(state) {
    var now = state.element.currentTime;
    var box = state.root.querySelector(".media-transcript");
    if (state.lines && box) {
      var current = null;
      state.lines.forEach(function (line) {
        var on = now >= line.cue.start && now < line.cue.end;
        if (on) current = line;
        line.item.classList.toggle("is-current", on);
        if (on) line.button.setAttribute("aria-current", "true");
        else line.button.removeAttribute("aria-current");
      });
      // Keep the current line in view inside the list only: never scroll the page.
      if (current && current !== state.currentLine && box.open && !current.item.hidden) {
        var list = box.querySelector(".media-transcript__lines");
        var top = current.item.offsetTop - list.offsetTop;
        if (top < list.scrollTop || top > list.scrollTop + list.clientHeight - current.item.offsetHeight) {
          list.scrollTop = Math.max(0, top - list.clientHeight / 3);
        }
      }
      state.currentLine = current;
    }
    if (state.chapters) {
      var buttons = state.root.querySelectorAll(".media-chapters__button");
      state.chapters.forEach(function (cue, i) {
        var on = now >= cue.start && (i === state.chapters.length - 1 || now < state.chapters[i + 1].start);
        if (on) buttons[i].setAttribute("aria-current", "step");
        else buttons[i].removeAttribute("aria-current");
      });
    }
  }

  // --- Set-up -----------------------------------------------------------------------------------
  function plyrOptions(state, heights) {
    var element = state.element, video = element.tagName === "VIDEO";
    var controls = ["play-large", "rewind", "play", "fast-forward", "progress", "current-time", "duration",
      "mute", "volume", "captions", "settings", "pip", "fullscreen"];
    return {
      iconUrl: iconUrl,
      loadSprite: true,
      controls: video ? controls : ["rewind", "play", "fast-forward", "progress", "current-time", "duration",
        "mute", "volume", "settings"],
      settings: ["captions", "quality", "speed"],
      speed: { selected: storedSpeed(), options: SPEEDS },
      quality: {
        default: 0,
        options: [0].concat(heights),
        forced: true,
        onChange: function (height) { setQuality(state, height); },
      },
      i18n: Object.assign(
        { qualityLabel: { 0: "Auto" }, rewind: "Back {seektime} seconds", fastForward: "Forward {seektime} seconds" },
        state.strings.plyr || {}
      ),
      seekTime: 10,
      keyboard: { focused: false, global: false }, // ours below: j/l, <, > and ? as well
      tooltips: { controls: true, seek: true },
      // Captions on from the start when the editor marked a track default (as the browser's own
      // player showed them); the student's choice, once made, is remembered by Plyr's storage.
      // The track in the page's language is the default one (media_library/languages.py).
      captions: { active: Boolean(element.querySelector("track[default]")), language: captionLanguage(element), update: false },
      previewThumbnails: { enabled: Boolean(element.dataset.thumbnails), src: element.dataset.thumbnails || "" },
      markers: { enabled: true, points: [] },
      invertTime: false,
      duration: parseFloat(element.dataset.duration) || null,
      storage: { enabled: true, key: "ringlet.plyr" },
      // Plyr's own fullscreen keeps our transcript and menus out of it; the container is enough.
      fullscreen: { enabled: video, iosNative: true },
    };
  }

  function setUp(element) {
    if (element.dataset.playerReady) return;
    element.dataset.playerReady = "1";
    var root = element.closest(".media-player") || element.parentNode;
    var sources = Array.from(element.querySelectorAll("source")).map(function (source) {
      return { url: source.getAttribute("src"), height: parseInt(source.dataset.height || "0", 10) || null };
    });
    // One stream: the <source>s stay for browsers without scripts only.
    element.querySelectorAll("source").forEach(function (source) { source.remove(); });
    // The parser already chose the first <source> (currentSrc), without fetching it
    // (preload="none"): forget it, or play() would start that MP4 as well as the stream.
    element.load();
    var state = { element: element, root: root, sources: { list: sources, element: element } };
    state.strings = readStrings(root);
    words = Object.assign({}, ENGLISH, state.strings.script || {});
    resume(element);
    // Play pressed before the stream is attached: attaching it aborts that play() (a new
    // load), so the player plays again once the stream is there (resumePlay).
    element.addEventListener("play", function () {
      if (!element.getAttribute("src")) state.wantsPlay = true;
      startStream(state);
    });
    // Plyr (its script once per page, then a long task per player on a phone) only for a player
    // near the viewport, or one the student reaches first by keyboard or touch: a lesson with
    // an audio clip far down the page does not pay for it on load. Until then the browser's own
    // controls play the same single stream (startStream on play).
    var enhance = function (event) {
      if (state.enhancing) return;
      state.enhancing = true;
      // Reached by Tab: Plyr moves the element into its container, which drops the focus;
      // its play button takes it once the controls are there.
      state.refocus = Boolean(event && event.type === "focusin");
      element.removeAttribute("controls"); // Plyr's controls replace the browser's
      loadScript(plyrSrc).then(function (ok) { withPlyr(ok); });
    };
    // A player already on screen loses the browser's controls at once, as before: showing them
    // until Plyr's arrive would shift the page.
    var box = root.getBoundingClientRect();
    if (box.top < window.innerHeight + 100 && box.bottom > -100) element.removeAttribute("controls");
    whenNear(root, enhance, "100px 0px");
    ["pointerenter", "pointerdown", "focusin"].forEach(function (type) {
      root.addEventListener(type, enhance, { once: true, passive: true });
    });
    var withPlyr = function (ok) {
      if (!ok || !window.Plyr) {
        element.setAttribute("controls", "");
        return;
      }
      var heights = sources.map(function (s) { return s.height; }).filter(Boolean);
      forgetPlyrLanguage();
      state.player = new window.Plyr(element, plyrOptions(state, heights));
      var container = state.player.elements.container;
      // A click on the video focuses the player, so its shortcuts work.
      container.setAttribute("tabindex", "-1");
      root.addEventListener("keydown", function (event) { onKey(state, event); });
      // Loading a stream resets the rate to the default one: make that the remembered one.
      var applySpeed = function () {
        element.defaultPlaybackRate = storedSpeed();
        state.player.speed = storedSpeed();
      };
      state.player.on("ready", applySpeed);
      state.player.on("ready", function () {
        var first = state.refocus && container.querySelector("button[data-plyr=play]");
        if (first && (!document.activeElement || document.activeElement === document.body)) first.focus();
      });
      element.addEventListener("loadedmetadata", applySpeed);
      element.addEventListener("ratechange", function () { rememberSpeed(element.playbackRate); });
      element.addEventListener("timeupdate", function () { followTranscript(state); });
      element.addEventListener("seeked", function () { followTranscript(state); });
      // The transcript is in the captions' language: rebuilt when it changes, or on opening.
      state.player.on("languagechange", function () {
        rememberCaptionChoice(element);
        buildTranscript(state);
      });
      state.player.on("captionsenabled", function () { buildTranscript(state); });
      var transcript = root.querySelector(".media-transcript");
      if (transcript) transcript.addEventListener("toggle", function () { buildTranscript(state); });
      extras(state);
      buildTranscript(state);
      var chapters = element.querySelector("track[kind=chapters]");
      if (chapters) {
        fetchCues(chapters.src).then(function (cues) {
          state.player.config.markers.points = cues.map(function (cue) { return { time: cue.start, label: cue.text }; });
          setUpChapters(state, cues);
        });
      }
    };
    // hls.js's bytes when the player comes near the viewport, once the page has loaded (a
    // prefetch: downloaded, not run); the stream when the student shows intent: the pointer
    // over the player, a touch, focus inside it, or play. Running hls.js costs a phone over a
    // second of main thread, so a page that is only read never pays it.
    whenNear(root, function () { afterLoad(function () { prefetch(hlsSrc); }); });
    var intent = function () { startStream(state); };
    ["pointerenter", "pointerdown", "focusin"].forEach(function (type) {
      root.addEventListener(type, intent, { once: true, passive: true });
    });
    root.addEventListener("touchstart", intent, { once: true, passive: true });
  }

  function extras(state) {
    var root = state.root;
    var bar = root.querySelector(".media-player__extras");
    if (bar) bar.hidden = false;
    var help = root.querySelector(".media-player__help-button");
    if (help) help.addEventListener("click", function () { openHelp(state); });
    var dialog = root.querySelector(".media-player__help");
    if (dialog) dialog.addEventListener("close", function () {
      if (state.returnFocus && state.returnFocus.focus) state.returnFocus.focus();
    });
    var search = root.querySelector(".media-transcript__search");
    if (search) search.addEventListener("input", function () { filterTranscript(state); });
  }

  function setUpAll() {
    document.querySelectorAll(".media-player__element").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
  window.ringletMediaPlayer = { setUp: setUp, setUpAll: setUpAll, parseVtt: parseVtt };
})();
