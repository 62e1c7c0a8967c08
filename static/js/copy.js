/*
 * Copy buttons: <button type="button" data-copy="value" data-copied-label="Copied">.
 * Copies data-copy with the Clipboard API; where that is missing or refused (an old
 * browser, a page not served over HTTPS) it tries the older execCommand("copy"), and
 * failing that selects the value shown next to the button (the [data-copy-text]
 * element in the same parent) so the shopper can copy it by hand.
 * No requests, no dependencies; safe to load more than once.
 */
(function () {
    "use strict";
    if (window.chophienCopy) {
        return;
    }
    window.chophienCopy = true;

    // Older browsers: copy through a throw-away text area, which copies the exact
    // value (digits only for the amount, not "40.123 ₫").
    function copyThroughTextArea(value) {
        var area = document.createElement("textarea");
        area.value = value;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.appendChild(area);
        area.select();
        var copied = false;
        try {
            copied = document.execCommand("copy");
        } catch (error) {
            copied = false;
        }
        document.body.removeChild(area);
        return copied;
    }

    // Last resort: select the visible value so a long press copies it.
    function selectText(button) {
        var text = button.parentNode && button.parentNode.querySelector("[data-copy-text]");
        if (text && window.getSelection) {
            var range = document.createRange();
            range.selectNodeContents(text);
            var selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }
    }

    function fallback(button) {
        if (copyThroughTextArea(button.getAttribute("data-copy"))) {
            showCopied(button);
        } else {
            selectText(button);
        }
    }

    function showCopied(button) {
        var label = button.getAttribute("data-copied-label");
        if (!label) {
            return;
        }
        var original = button.getAttribute("data-label") || button.textContent;
        button.setAttribute("data-label", original);
        button.textContent = label;
        var scope = button.closest("section, form, body");
        var status = scope && scope.querySelector("[data-copy-status]");
        if (status) {
            status.textContent = label + ": " + button.getAttribute("data-copy");
        }
        window.setTimeout(function () {
            button.textContent = original;
        }, 2000);
    }

    document.addEventListener("click", function (event) {
        var button = event.target.closest && event.target.closest("button[data-copy]");
        if (!button) {
            return;
        }
        var value = button.getAttribute("data-copy");
        if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(value).then(
                function () {
                    showCopied(button);
                },
                function () {
                    fallback(button);
                }
            );
        } else {
            fallback(button);
        }
    });
})();
