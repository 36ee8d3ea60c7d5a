// reeducate: progressive enhancement. Every page works without this file; with it, the
// exercise search refreshes its results as the user types or picks a filter.
"use strict";

(function () {
  function liveSearch(form) {
    var results = document.querySelector(form.dataset.results);
    var fragment = form.dataset.fragment;
    if (!results || !fragment || !window.fetch || !window.URLSearchParams) {
      return;
    }
    var timer = null;
    var pending = null;

    function query(extra) {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (typeof value === "string" && value.trim() !== "") {
          params.append(key, value.trim());
        }
      });
      if (extra) {
        extra.forEach(function (value, key) {
          if (key === "page") {
            params.set(key, value);
          }
        });
      }
      return params.toString();
    }

    function refresh(extra) {
      var qs = query(extra);
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      results.setAttribute("aria-busy", "true");
      fetch(fragment + (qs ? "?" + qs : ""), {
        headers: { Accept: "text/html" },
        signal: pending.signal,
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.text();
        })
        .then(function (html) {
          // The fragment is rendered (and escaped) by the server from the same template.
          results.innerHTML = html;
          results.removeAttribute("aria-busy");
          window.history.replaceState(null, "", form.action + (qs ? "?" + qs : ""));
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            results.removeAttribute("aria-busy");
            form.submit();
          }
        });
    }

    form.addEventListener("input", function (event) {
      if (event.target.tagName === "SELECT") {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 250);
    });
    form.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") {
        window.clearTimeout(timer);
        refresh();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      refresh();
    });
    results.addEventListener("click", function (event) {
      var link = event.target.closest(".pager a");
      if (!link) {
        return;
      }
      event.preventDefault();
      refresh(new URL(link.href, window.location.href).searchParams);
      results.scrollIntoView({ block: "start" });
    });
    form.dataset.enhanced = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-live-search]").forEach(liveSearch);
  });
})();
