/* Suggestions under the search box: words and facet values from /api/suggest.
   The page works without this file; it only adds a list (ARIA combobox pattern):
   Arrow keys move through it, Enter runs the highlighted suggestion, Escape closes it. */
(function () {
  "use strict";
  var input = document.getElementById("q");
  if (!input || !window.fetch) { return; }
  var form = input.form;
  var list = document.createElement("ul");
  list.id = "q-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  form.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  var items = [], active = -1, timer = null, asked = 0;

  function close() {
    list.hidden = true;
    list.textContent = "";
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(i) {
    active = i;
    for (var n = 0; n < list.children.length; n++) {
      list.children[n].setAttribute("aria-selected", n === i ? "true" : "false");
    }
    if (i >= 0) { input.setAttribute("aria-activedescendant", list.children[i].id); }
    else { input.removeAttribute("aria-activedescendant"); }
  }

  function choose(s) {
    input.value = s.q;
    if (s.param) {
      var extra = document.createElement("input");
      extra.type = "hidden";
      extra.name = s.param;
      extra.value = s.value;
      form.appendChild(extra);
    }
    close();
    form.submit();
  }

  function show(suggestions) {
    close();
    items = suggestions;
    if (!items.length) { return; }
    items.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "q-suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var text = document.createElement("span");
      text.className = "s-text";
      text.textContent = s.text;
      var kind = document.createElement("span");
      kind.className = "s-kind";
      kind.textContent = s.kind === "word" ? "" : s.kind;
      li.appendChild(text);
      li.appendChild(kind);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(s); });
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function ask() {
    var value = input.value;
    if (!/\w{2,}$/.test(value)) { close(); return; }
    var mine = ++asked;
    fetch("/api/suggest?limit=8&q=" + encodeURIComponent(value), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
      .then(function (data) { if (mine === asked && document.activeElement === input) { show(data.suggestions || []); } })
      .catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!items.length) { return; }
      e.preventDefault();
      var step = e.key === "ArrowDown" ? 1 : -1;
      var next = active + step;            // -1 is the text box itself
      if (next >= items.length) { next = -1; } else if (next < -1) { next = items.length - 1; }
      highlight(next);
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      choose(items[active]);
    } else if (e.key === "Escape" && !list.hidden) {
      e.preventDefault();
      close();
    } else if (e.key === "Tab") {
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
}());

// Filters a long facet as you type (the same box submits a GET form without JavaScript, which
// filters on the server across every value, not only the ones on the page).
(function () {
  "use strict";
  function filter(input) {
    var section = document.getElementById(input.getAttribute("data-facet-find"));
    if (!section) return;
    var text = input.value.trim().toLowerCase();
    var items = section.querySelectorAll(".facet-values li");
    for (var i = 0; i < items.length; i++) {
      var label = (items[i].getAttribute("data-label") || "").toLowerCase();
      var keep = !text || label.indexOf(text) >= 0 || items[i].classList.contains("selected");
      items[i].hidden = !keep;
    }
    var more = section.querySelector("details.more");
    if (more && text) more.open = true;
  }
  document.addEventListener("input", function (e) {
    var t = e.target;
    if (t && t.matches && t.matches("input[data-facet-find]")) filter(t);
  });
})();
