// Saves the quiz page in the background a moment after each change, so a closed tab or a
// lost connection loses nothing. Without JavaScript the "Save" button does the same.
// When the site is busy (503) or the network fails, it tries again after 1, 2, 4, 8 and 16 s,
// and says in the page (#autosave-status) when saving keeps failing and when it works again.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form || !window.fetch || !window.FormData) return;
  var status = document.getElementById("autosave-status");
  var saved = document.getElementById("autosave-saved");
  var RETRIES = 5;
  var timer = null;
  var retry = null;
  var saving = false;
  var pending = false;
  var failures = 0;
  var sent = false; // the form itself was submitted: its answers go with it

  function say(what) {
    if (status) status.textContent = status.getAttribute("data-say-" + what) || "";
    if (saved && what !== "saved") saved.hidden = true;
  }

  // The time of the last save that worked, under the buttons: the server's, written as the
  // site writes times (the browser's clock may be in another zone, or 12-hour).
  function savedAt(time) {
    if (!saved || !time) return;
    saved.textContent = saved.getAttribute("data-say").replace("{time}", time);
    saved.hidden = false;
  }

  function failed() {
    failures += 1;
    if (failures > RETRIES) {
      // Given up until the next change, the Save button or the Finish button.
      failures = 0;
      say("failed");
      return;
    }
    if (failures > 1) say("retrying");
    retry = window.setTimeout(save, 1000 * Math.pow(2, failures - 1));
  }

  function save() {
    window.clearTimeout(retry);
    retry = null;
    if (sent) return Promise.resolve();
    if (saving) { pending = true; return Promise.resolve(); }
    saving = true;
    var data = new FormData(form);
    data.set("action", "save");
    data.delete("goto");
    // Not form.action: the buttons named "action" shadow that property.
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Quizsite-Autosave": "1" },
      // Finishes even when the page is being left (the language switch, a link): a save
      // started as the tab hides is not cancelled with the page.
      keepalive: true,
    }).then(function (response) {
      // Time ran out or another tab finished the attempt: show the result, which says so.
      // Leaving the page: no more saves from it, not even the one the tab sends as it hides,
      // which would answer 409 again and leave the message twice on the next pages.
      if (response.status === 409) {
        sent = true;
        window.location.assign(response.headers.get("X-Quizsite-Location"));
        return;
      }
      if (response.redirected) { sent = true; window.location.assign(response.url); return; }
      // Signed out meanwhile (another tab, a password reset): say so, where following the
      // sign-in redirect would have left the question without a word.
      if (response.status === 401) { failures = 0; say("signed-out"); return; }
      if (response.status === 503) { failed(); return; }
      // A stale CSRF token (signed in again elsewhere): trying again cannot help.
      if (response.status === 403) { failures = 0; say("expired"); return; }
      if (!response.ok) { failures = 0; say("failed"); return; }
      if (status && status.textContent) say("saved");
      savedAt(response.headers.get("X-Quizsite-Saved-At"));
      failures = 0;
      // The server's time left, which a teacher may have changed since the page opened:
      // timer.js sets its countdown by it.
      var left = response.headers.get("X-Quizsite-Seconds-Left");
      if (left !== null) {
        form.dispatchEvent(new CustomEvent("quizsite:seconds-left", { detail: Number(left) }));
      }
    }, failed).then(function () {
      saving = false;
      if (pending) { pending = false; save(); }
    });
  }

  // Another form of the page (the language switch) waits for a save still to be made, so the
  // page it opens shows the answer just chosen.
  document.addEventListener("submit", function (event) {
    var other = event.target;
    if (other === form) {
      // Finish or Save sends the answers itself. A background save still waiting would reach
      // the server after Finish and leave "already submitted" on the next page.
      sent = true;
      window.clearTimeout(timer);
      window.clearTimeout(retry);
      timer = retry = null;
      pending = false;
      return;
    }
    if (!timer || !other.requestSubmit) return;
    event.preventDefault();
    window.clearTimeout(timer);
    timer = null;
    save().then(function () { other.requestSubmit(event.submitter); });
  });

  form.addEventListener("change", function (event) {
    // Chosen here: this tab's answer is the one to keep, even if another tab saved another
    // since the page opened (the server keeps a newer answer only for questions untouched).
    var seen = event.target.name && form.elements["seen-" + event.target.name];
    if (seen) seen.value = "changed";
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
