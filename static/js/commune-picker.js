/* Province → commune picker: loads a province's communes and filters them without accents.
   Without JavaScript the form still works: a button re-renders the communes server-side. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-communes-url]");
  if (!form) return;
  var province = form.querySelector("[name=province_code]");
  var commune = form.querySelector("[name=commune_code]");
  var searchBox = form.querySelector(".commune-search");
  var search = document.getElementById("commune-search");
  if (!province || !commune || !search) return;
  searchBox.hidden = false;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  var all = [];
  function remember() {
    all = Array.prototype.slice.call(commune.options).filter(function (o) { return o.value; })
      .map(function (o) { return { code: o.value, name: o.textContent, key: fold(o.textContent) }; });
  }
  function render(list) {
    var chosen = commune.value;
    var placeholder = commune.options[0] && !commune.options[0].value ? commune.options[0].textContent : "";
    commune.innerHTML = "";
    var first = document.createElement("option");
    first.value = ""; first.textContent = placeholder;
    commune.appendChild(first);
    list.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.code; option.textContent = item.name;
      if (item.code === chosen) option.selected = true;
      commune.appendChild(option);
    });
    if (list.length === 1) commune.value = list[0].code;
  }
  function narrow() {
    var words = fold(search.value).split(/\s+/).filter(Boolean);
    render(all.filter(function (item) {
      return words.every(function (word) { return item.key.indexOf(word) !== -1; });
    }));
  }
  remember();
  search.addEventListener("input", narrow);
  // Arrow keys change the province once per press, so several answers can be on their way
  // and come back in any order: only the answer for the latest choice may fill the list.
  var asked = 0;
  function load() {
    var ticket = ++asked;
    commune.value = "";
    if (!province.value) { all = []; render([]); return; }
    fetch(form.dataset.communesUrl + "?province=" + encodeURIComponent(province.value), {
      headers: { Accept: "application/json" }
    }).then(function (response) { return response.json(); })
      .then(function (data) {
        if (ticket !== asked) return;
        all = data.communes.map(function (c) { return { code: c.code, name: c.name, key: fold(c.name) }; });
        narrow();  // the shopper may have typed while the list was on its way
      });
  }
  province.addEventListener("change", load);
  // On a slow phone the shopper can choose a province before this deferred script has
  // run: its "change" went unheard, and the commune list would stay empty.
  if (province.value && !all.length) load();
})();
