// Saves the quiz page in the background a moment after each change, so a closed tab or a
// lost connection loses nothing. Without JavaScript the "Save" button does the same.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form || !window.fetch || !window.FormData) return;
  var timer = null;
  var saving = false;
  var pending = false;

  function save() {
    if (saving) { pending = true; return; }
    saving = true;
    var data = new FormData(form);
    data.set("action", "save");
    data.delete("goto");
    // Not form.action: the buttons named "action" shadow that property.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Quizsite-Autosave": "1" },
    }).then(function (response) {
      // Time ran out or another tab finished the attempt: show the result.
      if (response.redirected) window.location.assign(response.url);
    }).catch(function () {
      // Offline: the next change, the Save button or the Finish button tries again.
    }).then(function () {
      saving = false;
      if (pending) { pending = false; save(); }
    });
  }

  form.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 800);
  });
  // Save right away when the learner leaves the tab.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && timer) {
      window.clearTimeout(timer);
      timer = null;
      save();
    }
  });
})();
