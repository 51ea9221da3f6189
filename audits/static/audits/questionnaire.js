/* Progressive enhancement only: the questionnaire works without this file.
   Shows a same-screen conditional question only when its condition is met. */
(function () {
  "use strict";
  var form = document.querySelector(".q-form");
  if (!form) return;
  var questions = form.querySelectorAll("[data-show-if]");
  function answers(name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.value) values.push(input.value);
    });
    return values;
  }
  function update() {
    questions.forEach(function (question) {
      var wanted = question.getAttribute("data-show-values").split(",");
      var given = answers(question.getAttribute("data-show-if"));
      var met = given.some(function (value) { return wanted.indexOf(value) !== -1; });
      question.hidden = !met;
      var hint = question.querySelector(".question__condition");
      if (hint) hint.hidden = true;
    });
  }
  if (questions.length) {
    form.addEventListener("change", update);
    update();
  }
  var link = document.getElementById("resume-link");
  if (link) link.addEventListener("focus", function () { link.select(); });
  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
