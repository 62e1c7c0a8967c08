/* After a form comes back with errors, move focus (and a screen reader) to the summary. */
(function () {
  "use strict";
  var summary = document.getElementById("form-errors");
  if (summary) summary.focus();
})();
