/* A second tap on "place order" while the first request travels would only find the order
   already placed; disabling the button saves the shopper the wait and the data. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = form.querySelector("button[type=submit]");
      if (form.dataset.submitted) { event.preventDefault(); return; }
      form.dataset.submitted = "1";
      setTimeout(function () { if (button) button.disabled = true; }, 0);
    });
  });
})();
