// Drill documents page: "Copy" buttons copy the text of the block named by data-copy.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button || !navigator.clipboard) return;
  var block = document.getElementById(button.getAttribute("data-copy"));
  if (!block) return;
  navigator.clipboard.writeText(block.textContent).then(function () {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-copied");
    setTimeout(function () { button.textContent = label; }, 2000);
  });
});
