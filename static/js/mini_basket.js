// The header's basket count, read from the basket_count cookie that the server sets
// whenever it loads the basket (shop/page_cache.py). Pages themselves are the same for
// every visitor so that they can be served from the cache.
(function () {
  "use strict";
  var match = document.cookie.match(/(?:^|;\s*)basket_count=(\d+)/);
  var count = match ? parseInt(match[1], 10) : 0;
  if (!count) {
    return;
  }
  var show = function () {
    document.querySelectorAll("[data-basket-count]").forEach(function (badge) {
      badge.querySelector("[data-basket-count-number]").textContent = String(count);
      badge.hidden = false;
    });
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", show);
  } else {
    show();
  }
})();
