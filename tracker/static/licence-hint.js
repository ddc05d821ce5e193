// The log form's quiet "no current licence" hint: shown while the chosen request has no licence in force.
(function () {
  "use strict";
  var hint = document.getElementById("licence-hint");
  var select = document.querySelector("select.app-request-select");
  if (!hint || !select) return;
  var licensed = (hint.getAttribute("data-licensed") || "").split(" ").filter(Boolean);

  function update() {
    hint.hidden = !select.value || licensed.indexOf(select.value) !== -1;
  }
  select.addEventListener("change", update);
  update();
})();
