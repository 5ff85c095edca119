// The directory's filters fold away on small screens, so the results come first; on wider
// screens, where they sit beside the results, they start open. Runs as soon as the filters
// are on the page (the script comes right after them), so they do not visibly jump.
(function () {
  var filters = document.querySelector("[data-lep-filters]");
  if (!filters || !window.matchMedia) {
    return;
  }
  if (window.matchMedia("(min-width: 40.0625em)").matches) {
    filters.open = true;
  }
})();
