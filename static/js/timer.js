// The quiz countdown. The server is the clock: it sends the seconds left when the page loads
// and refuses late answers whatever this script does. Without JavaScript the page still
// shows the time left and the time the quiz ends.
(function () {
  "use strict";
  var timer = document.querySelector(".timer[data-seconds-left]");
  if (!timer) return;
  var form = document.getElementById(timer.dataset.form);
  var clock = timer.querySelector(".timer-clock");
  var announcer = timer.querySelector(".timer-announcer");
  var endsAt = Date.now() + Number(timer.dataset.secondsLeft) * 1000;
  // Announce to screen readers at these marks only, never every second.
  var allMarks = [600, 300, 60, 30];
  var marks = allMarks.slice();
  var submitted = false;
  var handle = null;

  function format(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  // The page gives every announcement, translated: data-say-600 … data-say-30, data-say-0.
  function announce(seconds) {
    announcer.textContent = timer.getAttribute("data-say-" + seconds) || "";
  }

  function finish() {
    if (submitted || !form) return;
    submitted = true;
    announce(0);
    var button = document.createElement("input");
    button.type = "hidden";
    button.name = "action";
    // Not "finish": if a teacher gave more time since the page opened, the server saves the
    // answers and shows the page again with the new time instead of finishing.
    button.value = "time-up";
    form.appendChild(button);
    // requestSubmit fires "submit", which tells autosave.js to drop a save still waiting.
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    clock.textContent = format(left);
    timer.classList.toggle("timer-low", left <= 60);
    while (marks.length && left <= marks[0]) {
      var mark = marks.shift();
      if (left > mark - 5) announce(mark);
    }
    if (left <= 0) {
      // One more second so the server's clock has surely passed the deadline too.
      window.setTimeout(finish, 1000);
      return;
    }
    window.clearTimeout(handle);
    handle = window.setTimeout(tick, 1000);
  }

  // A background save brings the server's time left: a teacher may have changed the limit.
  if (form) {
    form.addEventListener("quizsite:seconds-left", function (event) {
      if (submitted) return;
      var left = event.detail;
      if (Math.abs(endsAt - Date.now() - left * 1000) < 2000) return;
      endsAt = Date.now() + left * 1000;
      marks = allMarks.filter(function (mark) { return mark < left; });
      tick();
    });
  }

  // Background tabs run timers late; catch up as soon as the learner looks again.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") tick();
  });

  tick();
})();
