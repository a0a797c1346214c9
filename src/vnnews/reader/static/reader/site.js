// vnnews reader: the theme switch and "Xem thêm" (load more in place). Without JavaScript the
// switch stays hidden and "Xem thêm" is a plain link to the next page.
(function () {
  "use strict";
  var root = document.documentElement;
  var dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function effectiveTheme() {
    return root.dataset.theme || (dark && dark.matches ? "dark" : "light");
  }

  function setupThemeToggle() {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) return;
    function render() {
      var isDark = effectiveTheme() === "dark";
      button.textContent = isDark ? "Nền sáng" : "Nền tối";
      button.setAttribute("aria-pressed", isDark ? "true" : "false");
      button.setAttribute("aria-label", isDark ? "Chuyển sang nền sáng" : "Chuyển sang nền tối");
    }
    button.hidden = false;
    render();
    button.addEventListener("click", function () {
      var next = effectiveTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("vnnews-theme", next); } catch (e) { /* not saved */ }
      render();
    });
    if (dark && dark.addEventListener) dark.addEventListener("change", render);
  }

  function loadMore(link) {
    var list = document.getElementById(link.dataset.list);
    var status = document.querySelector('[data-status="' + link.dataset.list + '"]');
    if (!list || !link.dataset.fragment) return false;
    link.setAttribute("aria-busy", "true");
    fetch(link.dataset.fragment, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;  // our own server-rendered, autoescaped fragment
        var items = template.content.querySelector("ol.items");
        var added = items ? Array.prototype.slice.call(items.children) : [];
        added.forEach(function (item) { list.appendChild(item); });
        var next = template.content.querySelector("a.more");
        if (next) {
          link.href = next.getAttribute("href");
          link.dataset.fragment = next.dataset.fragment;
          link.removeAttribute("aria-busy");
        } else {
          link.parentNode.removeChild(link);
        }
        if (status) status.textContent = "Đã tải thêm " + added.length + " bài.";
        // Keep keyboard users in place: focus the first new headline.
        var first = added.length && added[0].querySelector("h3 a");
        if (first) first.focus({ preventScroll: false });
      })
      .catch(function () {
        window.location.href = link.href;  // fall back to the plain next page
      });
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.more[data-fragment]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    if (link.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
    if (loadMore(link)) event.preventDefault();
  });

  setupThemeToggle();
})();
