// A small rich-text editor for articles: a contenteditable box over the body's textarea, a
// toolbar of the formats the server keeps (learning.richtext), and "insert image" for images
// uploaded to this article. Without JavaScript the textarea (HTML) is used as it is. The server
// sanitises whatever arrives, so this is a convenience, not a safeguard.
(function () {
  var textarea = document.querySelector(".ln-body-field textarea");
  var box = document.querySelector(".ln-editable");
  var toolbar = document.querySelector(".ln-toolbar");
  if (!textarea || !box || !toolbar || !document.execCommand) { return; }
  box.innerHTML = textarea.value;
  box.hidden = false;
  toolbar.hidden = false;
  textarea.hidden = true;
  var label = document.querySelector("label[for='" + textarea.id + "']");
  if (label) { label.addEventListener("click", function () { box.focus(); }); }
  document.execCommand("defaultParagraphSeparator", false, "p");

  var saved = null;  // the caret, kept while a button outside the box has the focus
  function remember() {
    var selection = window.getSelection();
    if (selection.rangeCount && box.contains(selection.anchorNode)) { saved = selection.getRangeAt(0); }
  }
  function restore() {
    box.focus();
    if (saved) { var s = window.getSelection(); s.removeAllRanges(); s.addRange(saved); }
  }
  box.addEventListener("keyup", remember);
  box.addEventListener("mouseup", remember);
  box.addEventListener("input", function () { textarea.value = box.innerHTML; remember(); });

  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-cmd]");
    if (!button) { return; }
    restore();
    var arg = button.getAttribute("data-arg");
    if (button.hasAttribute("data-prompt")) {
      arg = window.prompt(button.getAttribute("data-prompt"), "https://");
      if (!arg) { return; }
    }
    document.execCommand(button.getAttribute("data-cmd"), false, arg);
    textarea.value = box.innerHTML;
  });

  document.querySelectorAll("[data-insert-image]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      restore();
      var img = document.createElement("img");
      img.src = button.getAttribute("data-insert-image");
      img.alt = button.getAttribute("data-alt") || "";
      document.execCommand("insertHTML", false, img.outerHTML);
      textarea.value = box.innerHTML;
    });
  });

  textarea.form.addEventListener("submit", function () { textarea.value = box.innerHTML; });
})();
