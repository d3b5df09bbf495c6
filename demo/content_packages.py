"""Content packages made by code: a SCORM 1.2 quick check, a SCORM 2004 course with suspend data, and an
H5P multiple-choice question with the two H5P libraries it needs.

Everything in them is written here (HTML, scripts, manifests, the H5P libraries' code), so no
third-party content or licence is involved. ``make run``'s demo course plays them, and the
tests build them (and broken variants) with the same functions.
"""

import io
import json
import zipfile

SCORM12_NS = (
    'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
SCORM2004_NS = (
    'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
    'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
    'xmlns:imsss="http://www.imsglobal.org/xsd/imsss" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)

STYLE = """body { font: 16px/1.5 system-ui, sans-serif; margin: 1.5rem; color: #1d2433; }
button { font: inherit; padding: .4rem 1rem; margin: .25rem .25rem 0 0; }
fieldset { border: 1px solid #c5cad6; border-radius: 6px; margin: 1rem 0; }
label { display: block; margin: .25rem 0; }
.note { color: #46506a; }
"""


def zip_bytes(files):
    """A zip (deflated) of ``{name: bytes or str}``, in the given order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data.encode() if isinstance(data, str) else data)
    return buffer.getvalue()


# --- SCORM 1.2: one question, a score, lesson_status, LMSFinish ---------------------------

SCO12_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="sco.css"></head>
<body><main>
<h1>{title}</h1>
<p id="status" class="note">Connecting to the course…</p>
<fieldset><legend>Which page type holds the lessons of a course?</legend>
<label><input type="radio" name="answer" value="course"> A course page, or one of its modules</label>
<label><input type="radio" name="answer" value="home"> The home page</label>
<label><input type="radio" name="answer" value="image"> An image</label>
</fieldset>
<button id="submit" type="button">Submit my answer</button>
<p id="result" role="status"></p>
</main><script src="sco12.js"></script></body></html>
"""

SCO12_JS = """(function () {
  "use strict";
  function findAPI(win) {
    for (var hops = 0; win && hops < 10; hops++) {
      if (win.API) return win.API;
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  var api = findAPI(window);
  var status = document.getElementById("status");
  if (!api) { status.textContent = "This activity needs a learning platform to record your answer."; return; }
  api.LMSInitialize("");
  var name = api.LMSGetValue("cmi.core.student_name");
  status.textContent = "Connected" + (name ? " as " + name : "") + ".";
  api.LMSSetValue("cmi.core.lesson_location", "question-1");
  if (api.LMSGetValue("cmi.core.lesson_status") === "not attempted") {
    api.LMSSetValue("cmi.core.lesson_status", "incomplete");
  }
  api.LMSCommit("");
  document.getElementById("submit").addEventListener("click", function () {
    var chosen = document.querySelector("input[name=answer]:checked");
    var response = chosen ? chosen.value : "";
    var correct = response === "course";
    var score = correct ? 80 : 20;
    api.LMSSetValue("cmi.interactions.0.id", "page-type-of-lessons");
    api.LMSSetValue("cmi.interactions.0.type", "choice");
    api.LMSSetValue("cmi.interactions.0.student_response", response);
    api.LMSSetValue("cmi.interactions.0.correct_responses.0.pattern", "course");
    api.LMSSetValue("cmi.interactions.0.result", correct ? "correct" : "wrong");
    api.LMSSetValue("cmi.core.score.min", "0");
    api.LMSSetValue("cmi.core.score.max", "100");
    api.LMSSetValue("cmi.core.score.raw", String(score));
    api.LMSSetValue("cmi.core.lesson_status", correct ? "passed" : "failed");
    api.LMSSetValue("cmi.core.exit", "");
    api.LMSCommit("");
    var finished = api.LMSFinish("");
    document.getElementById("submit").disabled = true;
    document.getElementById("result").textContent =
      (correct ? "Passed" : "Not passed") + ": " + score + "%" + (finished === "true" ? " (recorded)" : "");
  });
})();
"""


def scorm12_manifest(title, mastery=60, launch="index.html", files=("index.html", "sco12.js", "sco.css")):
    file_list = "".join(f'<file href="{name}"/>' for name in files)
    mastery_element = f"<adlcp:masteryscore>{mastery}</adlcp:masteryscore>" if mastery is not None else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="ringlet-quick-check" version="1" {SCORM12_NS}>
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>{title}</title>
      <item identifier="item-1" identifierref="sco-1"><title>{title}</title>{mastery_element}</item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco-1" type="webcontent" adlcp:scormtype="sco" href="{launch}">
      {file_list}
    </resource>
  </resources>
</manifest>
"""


def scorm12_files(title="Quick check (SCORM 1.2)", mastery=60):
    return {
        "imsmanifest.xml": scorm12_manifest(title, mastery),
        "index.html": SCO12_HTML.format(title=title),
        "sco12.js": SCO12_JS,
        "sco.css": STYLE,
    }


def scorm12_package(title="Quick check (SCORM 1.2)", mastery=60):
    return zip_bytes(scorm12_files(title, mastery))


# --- SCORM 2004: three pages, location and suspend data, a score and Terminate -----------------

SCO2004_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="sco.css"></head>
<body><main>
<h1>{title}</h1>
<p id="welcome" class="note"></p>
<section id="page" aria-live="polite">
  <h2 id="page-title"></h2>
  <p id="page-text"></p>
</section>
<label>Your notes (kept when you leave) <input id="notes" type="text" size="40"></label>
<p>
  <button id="previous" type="button">Previous page</button>
  <button id="next" type="button">Next page</button>
  <button id="leave" type="button">Save and leave</button>
  <button id="finish" type="button" hidden>Finish</button>
</p>
<p id="result" role="status"></p>
</main><script src="sco2004.js"></script></body></html>
"""

SCO2004_JS = """(function () {
  "use strict";
  var PAGES = [
    ["Pages and blocks", "A lesson is a page; its body is made of blocks."],
    ["Media", "Videos are transcoded in the background and play from signed URLs."],
    ["Packages", "SCORM and H5P activities keep your place when you come back."]
  ];
  function findAPI(win) {
    for (var hops = 0; win && hops < 10; hops++) {
      if (win.API_1484_11) return win.API_1484_11;
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  var api = findAPI(window);
  var $ = function (id) { return document.getElementById(id); };
  if (!api) { $("welcome").textContent = "This activity needs a learning platform."; return; }
  api.Initialize("");
  var page = 1;
  var data = { notes: "" };
  if (api.GetValue("cmi.entry") === "resume") {
    page = parseInt(api.GetValue("cmi.location"), 10) || 1;
    try { data = JSON.parse(api.GetValue("cmi.suspend_data") || "{}"); } catch (e) { data = {}; }
    $("welcome").textContent = "Welcome back: you were on page " + page + ".";
  } else {
    $("welcome").textContent = "Welcome.";
  }
  $("notes").value = data.notes || "";
  function show() {
    $("page-title").textContent = "Page " + page + " of " + PAGES.length + ": " + PAGES[page - 1][0];
    $("page-text").textContent = PAGES[page - 1][1];
    $("previous").disabled = page === 1;
    $("next").hidden = page === PAGES.length;
    $("finish").hidden = page !== PAGES.length;
  }
  function save() {
    data.notes = $("notes").value;
    api.SetValue("cmi.location", String(page));
    api.SetValue("cmi.suspend_data", JSON.stringify(data));
    api.SetValue("cmi.progress_measure", String(Math.round(100 * page / PAGES.length) / 100));
    api.SetValue("cmi.completion_status", "incomplete");
    api.SetValue("cmi.exit", "suspend");
    api.Commit("");
  }
  $("previous").addEventListener("click", function () { page -= 1; save(); show(); });
  $("next").addEventListener("click", function () { page += 1; save(); show(); });
  $("leave").addEventListener("click", function () {
    save();
    api.Terminate("");
    $("result").textContent = "Saved. Come back to carry on from page " + page + ".";
  });
  $("finish").addEventListener("click", function () {
    data.notes = $("notes").value;
    api.SetValue("cmi.interactions.0.id", "notes-written");
    api.SetValue("cmi.interactions.0.type", "fill-in");
    api.SetValue("cmi.interactions.0.learner_response", data.notes.slice(0, 250));
    api.SetValue("cmi.interactions.0.result", data.notes ? "correct" : "incorrect");
    api.SetValue("cmi.score.min", "0");
    api.SetValue("cmi.score.max", "100");
    api.SetValue("cmi.score.raw", "90");
    api.SetValue("cmi.score.scaled", "0.9");
    api.SetValue("cmi.completion_status", "completed");
    api.SetValue("cmi.success_status", "passed");
    api.SetValue("cmi.exit", "normal");
    api.Commit("");
    api.Terminate("");
    $("result").textContent = "Finished: 90%.";
  });
  show();
})();
"""


def scorm2004_manifest(title, passing="0.7", files=("index.html", "sco2004.js", "sco.css")):
    file_list = "".join(f'<file href="{name}"/>' for name in files)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="ringlet-three-pages" version="1" {SCORM2004_NS}>
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>{title}</title>
      <item identifier="item-1" identifierref="sco-1"><title>{title}</title>
        <imsss:sequencing><imsss:objectives>
          <imsss:primaryObjective objectiveID="pages-read" satisfiedByMeasure="true">
            <imsss:minNormalizedMeasure>{passing}</imsss:minNormalizedMeasure>
          </imsss:primaryObjective>
        </imsss:objectives></imsss:sequencing>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco-1" type="webcontent" adlcp:scormType="sco" href="index.html">
      {file_list}
    </resource>
  </resources>
</manifest>
"""


def scorm2004_files(title="Three short pages (SCORM 2004)"):
    return {
        "imsmanifest.xml": scorm2004_manifest(title),
        "index.html": SCO2004_HTML.format(title=title),
        "sco2004.js": SCO2004_JS,
        "sco.css": STYLE,
    }


def scorm2004_package(title="Three short pages (SCORM 2004)"):
    return zip_bytes(scorm2004_files(title))


# --- H5P: a multiple-choice question, with its two libraries -----------------------------------

CHOICE_LIBRARY = "H5P.RingletChoice-1.0"
FEEDBACK_LIBRARY = "H5P.RingletFeedback-1.0"

CHOICE_JS = """var H5P = H5P || {};
H5P.RingletChoice = (function () {
  "use strict";
  function RingletChoice(params, contentId, extras) {
    H5P.EventDispatcher.call(this);
    this.params = params || {};
    this.contentId = contentId;
    var state = (extras && extras.previousState) || {};
    this.chosen = typeof state.chosen === "number" ? state.chosen : null;
    this.checked = !!state.checked;
  }
  RingletChoice.prototype = Object.create(H5P.EventDispatcher.prototype);
  RingletChoice.prototype.constructor = RingletChoice;

  RingletChoice.prototype.attach = function ($container) {
    var self = this;
    var root = $container.get(0);
    root.classList.add("ringlet-choice");
    var question = document.createElement("p");
    question.className = "ringlet-choice__question";
    question.textContent = this.params.question;
    root.appendChild(question);
    var list = document.createElement("div");
    (this.params.answers || []).forEach(function (answer, index) {
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "ringlet-choice-" + self.contentId;
      input.value = String(index);
      input.checked = self.chosen === index;
      input.addEventListener("change", function () { self.chosen = index; });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + answer.text));
      list.appendChild(label);
    });
    root.appendChild(list);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "ringlet-choice__check";
    button.textContent = "Check";
    root.appendChild(button);
    var feedback = document.createElement("p");
    feedback.className = "ringlet-choice__feedback";
    feedback.setAttribute("role", "status");
    root.appendChild(feedback);
    if (this.checked) feedback.textContent = H5P.RingletFeedback.text(this.getScore(), this.getMaxScore());
    button.addEventListener("click", function () {
      if (self.chosen === null) { feedback.textContent = "Choose an answer first."; return; }
      self.checked = true;
      var score = self.getScore();
      feedback.textContent = H5P.RingletFeedback.text(score, self.getMaxScore());
      self.triggerXAPIScored(score, self.getMaxScore(), "answered", true, score === self.getMaxScore());
    });
  };
  RingletChoice.prototype.getScore = function () {
    var answer = (this.params.answers || [])[this.chosen];
    return answer && answer.correct ? 1 : 0;
  };
  RingletChoice.prototype.getMaxScore = function () { return 1; };
  RingletChoice.prototype.getAnswerGiven = function () { return this.chosen !== null; };
  RingletChoice.prototype.getCurrentState = function () {
    return { chosen: this.chosen, checked: this.checked };
  };
  return RingletChoice;
})();
"""

FEEDBACK_JS = """var H5P = H5P || {};
H5P.RingletFeedback = {
  text: function (score, max) {
    if (score === max) return "Correct! " + score + "/" + max;
    return "Not quite: " + score + "/" + max + ". Try again.";
  }
};
"""

CHOICE_CSS = """.ringlet-choice { font: 16px/1.5 system-ui, sans-serif; padding: 1rem; }
.ringlet-choice label { display: block; margin: .25rem 0; }
.ringlet-choice__check { margin-top: .5rem; }
"""


def h5p_files(title="Which block plays a video? (H5P)", with_libraries=True):
    content = {
        "question": "Which lesson block plays a video from the media library?",
        "answers": [
            {"text": "The video block", "correct": True},
            {"text": "The code block", "correct": False},
            {"text": "The callout block", "correct": False},
        ],
    }
    meta = {
        "title": title,
        "language": "en",
        "mainLibrary": "H5P.RingletChoice",
        "embedTypes": ["iframe"],
        "license": "U",
        "preloadedDependencies": [
            {"machineName": "H5P.RingletChoice", "majorVersion": 1, "minorVersion": 0},
        ],
    }
    files = {"h5p.json": json.dumps(meta, indent=2), "content/content.json": json.dumps(content, indent=2)}
    if with_libraries:
        files |= {
            f"{CHOICE_LIBRARY}/library.json": json.dumps(
                {
                    "title": "Ringlet choice",
                    "machineName": "H5P.RingletChoice",
                    "majorVersion": 1,
                    "minorVersion": 0,
                    "patchVersion": 0,
                    "runnable": 1,
                    "preloadedJs": [{"path": "ringlet-choice.js"}],
                    "preloadedCss": [{"path": "ringlet-choice.css"}],
                    "preloadedDependencies": [
                        {"machineName": "H5P.RingletFeedback", "majorVersion": 1, "minorVersion": 0}
                    ],
                },
                indent=2,
            ),
            f"{CHOICE_LIBRARY}/ringlet-choice.js": CHOICE_JS,
            f"{CHOICE_LIBRARY}/ringlet-choice.css": CHOICE_CSS,
            f"{FEEDBACK_LIBRARY}/library.json": json.dumps(
                {
                    "title": "Ringlet feedback",
                    "machineName": "H5P.RingletFeedback",
                    "majorVersion": 1,
                    "minorVersion": 0,
                    "patchVersion": 0,
                    "runnable": 0,
                    "preloadedJs": [{"path": "feedback.js"}],
                },
                indent=2,
            ),
            f"{FEEDBACK_LIBRARY}/feedback.js": FEEDBACK_JS,
        }
    return files


def h5p_package(title="Which block plays a video? (H5P)", with_libraries=True):
    return zip_bytes(h5p_files(title, with_libraries))
