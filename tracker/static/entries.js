// Type-ahead for the request on the log form: the <select> stays the source of truth,
// so the form still posts request_id, and without script the plain select still works.
(function () {
  "use strict";
  var select = document.querySelector("select.app-request-select");
  if (!select || typeof accessibleAutocomplete === "undefined") return;

  function optionWithText(text) {
    return Array.prototype.filter.call(select.options, function (option) {
      return option.value && option.textContent === text;
    })[0];
  }

  accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: "",
    showAllValues: true,
    displayMenu: "overlay",
    minLength: 0,
    tNoResults: function () { return "No request found: add it below"; },
    dropdownArrow: function (config) {
      return '<svg class="' + config.className + '" viewBox="0 0 512 512" aria-hidden="true" focusable="false">' +
        '<path d="M256,298.3L256,298.3L256,298.3l174.2-167.2c4.3-4.2,11.4-4.1,15.8,0.2l30.6,29.9c4.4,4.3,4.5,11.3,0.2,15.5L264.1,380.9' +
        'c-2.2,2.2-5.2,3.2-8.1,3c-3,0.1-5.9-0.9-8.1-3L35.2,176.7c-4.3-4.2-4.2-11.2,0.2-15.5L66,131.3c4.4-4.3,11.5-4.4,15.8-0.2L256,298.3z"/></svg>';
    },
    onConfirm: function (text) {
      // Leaving the box without picking keeps whatever its text names; text naming no
      // request means none, and the form then asks for one (or for a new one below).
      var typed = input() ? input().value : "";
      var option = optionWithText(text || typed);
      select.value = option ? option.value : "";
      select.dispatchEvent(new Event("change"));  // others listening to the select (licence-hint.js) follow it
    }
  });

  function input() {
    return document.getElementById(select.id.replace(/-select$/, ""));
  }
  if (input()) {
    input().addEventListener("input", function () {
      if (!input().value) select.value = "";
    });
  }
})();

// Before saving: a date in a month that a lead has signed off for the chosen team cannot take
// the entry. Say so by the date as soon as it is chosen (the server refuses it anyway).
(function () {
  "use strict";
  var form = document.querySelector("form[data-locked-months]");
  var day = document.getElementById("occurred_on");
  var team = document.getElementById("team_id");
  var note = document.getElementById("occurred_on-locked");
  if (!form || !day || !team || !note) return;
  var locked = JSON.parse(form.getAttribute("data-locked-months") || "{}");

  function check() {
    var months = locked[team.value] || {};
    var reason = day.value ? months[day.value.slice(0, 7)] : undefined;
    note.hidden = !reason;
    note.textContent = reason ? "That month cannot take new entries. " + reason + "." : "";
    var described = (day.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== note.id;
    });
    if (reason) described.push(note.id);
    day.setAttribute("aria-describedby", described.join(" "));
  }

  day.addEventListener("input", check);
  day.addEventListener("change", check);
  team.addEventListener("change", check);
  check();
})();

// "The request is not in the list": what was typed in the type-ahead and matched nothing
// becomes the new request's title, so it is not typed twice.
(function () {
  "use strict";
  var expander = document.getElementById("new-request");
  var typed = document.getElementById("request_id");
  var title = document.getElementById("new_request_title");
  var select = document.getElementById("request_id-select");
  if (!expander || !typed || !title || typed.tagName !== "INPUT") return;
  expander.addEventListener("toggle", function () {
    if (!expander.open || title.value || !typed.value || (select && select.value)) return;
    title.value = typed.value;
  });
})();
