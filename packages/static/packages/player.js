// The package player: runs inside the lesson's sandboxed iframe, under the package's own CSP.
// SCORM: creates the runtime API (scorm-again) as window.API (1.2) or window.API_1484_11 (2004),
// loads the student's saved data model, then opens the SCO in the inner frame, which finds the
// API by walking up its parents. Commits go to the signed session's runtime endpoint.
// H5P: plays the content with h5p-standalone, restores its saved state, and posts the
// statements H5P emits (with the current state) to the session's statements endpoint.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("package-config").textContent);

  function scorm() {
    var settings = {
      autocommit: true,
      autocommitSeconds: 30,
      lmsCommitUrl: config.commit || false,
      dataCommitFormat: "json",
      terminateCommitPayloadField: "terminate",
      alwaysSendTotalTime: false,
      logLevel: 4
    };
    var api = config.kind === "scorm12" ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
    api.loadFromJSON(config.cmi, "");
    if (config.kind === "scorm12") window.API = api; else window.API_1484_11 = api;
    window.addEventListener("pagehide", function () {
      // A student closing the lesson mid-session: keep what the SCO set so far.
      if (api.isInitialized && api.isInitialized() && !(api.isTerminated && api.isTerminated())) {
        try { api.lmsCommit ? api.lmsCommit() : (api.Commit ? api.Commit("") : api.LMSCommit("")); } catch (e) { /* closing */ }
      }
    });
    document.getElementById("package-content").src = config.launch;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      keepalive: true
    });
  }

  function h5p() {
    var options = {
      h5pJsonPath: config.files.replace(/\/$/, ""),
      frameJs: config.frameJs,
      frameCss: config.frameCss,
      frame: false,
      copyright: false,
      export: false,
      icon: false,
      fullScreen: true
    };
    if (config.activity) options.xAPIObjectIRI = config.activity;
    if (config.tracked) {
      // H5P's own state saving (every 30 s) goes to the session; its actor is a placeholder:
      // Ringlet names the learner itself when it passes statements on.
      options.saveFreq = 30;
      options.user = { name: "Learner", mail: "learner@ringlet.invalid" };
      options.ajax = { contentUserDataUrl: config.stateUrl + "?content=:contentId&type=:dataType&sub=:subContentId" };
      if (config.state) options.contentUserData = [{ dataType: "state", previousState: config.state, state: config.state }];
    }
    var element = document.getElementById("h5p-container");
    new window.H5PStandalone.H5P(element, options).then(function () {
      document.body.dataset.ready = "true";
      if (!config.tracked) return;
      window.H5P.externalDispatcher.on("xAPI", function (event) {
        // The content runs in H5P's own iframe (embed type "iframe"): its instance lives there.
        var frame = element.querySelector("iframe");
        var inner = frame && frame.contentWindow ? frame.contentWindow.H5P : null;
        var instance = currentInstance(inner) || currentInstance(window.H5P);
        var state = instance && instance.getCurrentState ? JSON.stringify(instance.getCurrentState()) : null;
        post(config.statements, { statement: event.data.statement, state: state });
      });
    });
  }

  function currentInstance(H5P) {
    return H5P && H5P.instances && H5P.instances.length ? H5P.instances[0] : null;
  }

  if (config.kind === "h5p") h5p(); else scorm();
})();
