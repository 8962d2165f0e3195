// The "Print the slips" button: shown only where this script runs (without it the page says to
// use the browser's Print command), it opens the browser's print dialog.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () {
      window.print();
    });
  }
})();
