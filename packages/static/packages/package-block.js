// The package block's facade: a lesson page does not load a SCORM or H5P package's frame, and
// so its runtime (scorm-again, H5P's bundle: long tasks on a phone), until the student presses
// its Start button. The frame comes from the block's <template>, as the server wrote it
// (sandbox, gate URL), and takes the focus, so a screen reader goes on inside the activity.
(function () {
  "use strict";
  if (window.ringletPackageBlocks) return; // included once per block; one copy does the work
  window.ringletPackageBlocks = true;

  function start(block) {
    var template = block.querySelector(".package-block__template");
    var facade = block.querySelector(".package-block__facade");
    if (!template || !facade) return;
    var frame = document.importNode(template.content, true).firstElementChild;
    facade.replaceWith(frame);
    template.remove();
    frame.focus();
  }

  function setUp() {
    document.querySelectorAll(".package-block").forEach(function (block) {
      var button = block.querySelector(".package-block__start");
      if (!button || button.dataset.ready) return;
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () { start(block); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
