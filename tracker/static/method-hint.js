// The log form's "N teams answer this in under half your time": shown while the chosen team is flagged
// on the chosen request (the server's figures are in data-hints: {request id: {team id: how many}}).
(function () {
  "use strict";
  var hint = document.getElementById("method-hint");
  var request = document.querySelector("select.app-request-select");
  var team = document.getElementById("team_id");
  if (!hint || !request || !team) return;
  var hints = JSON.parse(hint.getAttribute("data-hints") || "{}");
  var href = hint.getAttribute("data-href").replace(/0$/, "");

  function update() {
    var count = (hints[request.value] || {})[team.value];
    hint.hidden = !count;
    if (!count) return;
    hint.querySelector("[data-field=count]").textContent = count;
    hint.querySelector("[data-field=teams]").textContent = count === 1 ? "team answers" : "teams answer";
    hint.querySelector("[data-field=link]").setAttribute("href", href + request.value + "#methods");
  }
  request.addEventListener("change", update);
  team.addEventListener("change", update);
  update();
})();
