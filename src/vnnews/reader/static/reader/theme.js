// Apply the reader's saved theme before the page paints (loaded blocking in <head>, tiny).
(function () {
  try {
    var saved = localStorage.getItem("vnnews-theme");
    if (saved === "light" || saved === "dark") document.documentElement.dataset.theme = saved;
  } catch (e) { /* storage blocked: follow prefers-color-scheme */ }
})();
