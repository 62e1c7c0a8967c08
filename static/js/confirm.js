/* One tap that cannot be undone asks first: forms with data-confirm="question".
   Without JavaScript the form still works (the server checks everything again). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
