/* Drag and drop on the pipeline board. Without JavaScript each card keeps its select + button,
   which post to the same URL; this file only adds the mouse path on top. */
(function () {
  "use strict";

  var board = document.querySelector("[data-pl-board]");
  if (!board || !window.fetch || !("draggable" in document.createElement("div"))) {
    return;
  }
  var moveUrl = board.getAttribute("data-move-url");
  var nextUrl = board.getAttribute("data-next");
  var csrf = board.querySelector("input[name=csrfmiddlewaretoken]").value;
  var dialog = document.querySelector("[data-pl-lost-dialog]");
  var dragged = null;

  function notify(text, type) {
    document.dispatchEvent(
      new CustomEvent("w-messages:add", { detail: { clear: true, text: text, type: type } })
    );
  }

  function column(stage) {
    return board.querySelector('.pl-column[data-stage="' + stage + '"]');
  }

  function bump(stage, delta) {
    var col = column(stage);
    if (!col) return;
    var count = col.querySelector("[data-pl-count]");
    count.textContent = String(Math.max(0, parseInt(count.textContent, 10) + delta));
    var list = col.querySelector("[data-pl-cards]");
    var empty = list.querySelector("[data-pl-empty]");
    if (empty && list.querySelector("[data-pl-card]")) empty.remove();
  }

  function clearHighlights() {
    board.querySelectorAll(".pl-column").forEach(function (col) {
      col.classList.remove("pl-column--allowed", "pl-column--blocked", "pl-column--over");
    });
  }

  function post(card, target, note) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    data.append("engagement", card.getAttribute("data-engagement"));
    data.append("target", target);
    data.append("note", note || "");
    data.append("next", nextUrl);
    card.classList.add("pl-card--busy");
    return fetch(moveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        return response.json().catch(function () {
          return { ok: false, message: board.getAttribute("data-error") };
        });
      })
      .then(function (result) {
        card.classList.remove("pl-card--busy");
        if (!result.ok) {
          notify(result.message, "error");
          return;
        }
        var from = card.getAttribute("data-stage");
        var item = card.closest("li");
        var holder = document.createElement("div");
        holder.innerHTML = result.card.trim();
        var fresh = holder.firstElementChild;
        item.replaceChildren(fresh);
        column(result.stage).querySelector("[data-pl-cards]").prepend(item);
        bump(from, -1);
        bump(result.stage, +1);
        wire(fresh);
        fresh.focus({ preventScroll: true });
        notify(result.message, "success");
      })
      .catch(function () {
        card.classList.remove("pl-card--busy");
        notify(board.getAttribute("data-error"), "error");
      });
  }

  function askLostReason(card) {
    if (!dialog || typeof dialog.showModal !== "function") {
      notify("Choisissez « Perdu » et sa raison dans la liste de la carte.", "warning");
      return;
    }
    dialog.querySelector("[data-pl-lost-name]").textContent = card.getAttribute("data-name");
    var form = dialog.querySelector("form");
    form.reset();
    dialog.returnValue = "";
    dialog.onclose = function () {
      if (dialog.returnValue !== "confirm") return;
      post(card, "lost:" + form.elements.reason.value, form.elements.note.value);
    };
    dialog.showModal();
  }

  function wire(card) {
    card.addEventListener("dragstart", function (event) {
      dragged = card;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.getAttribute("data-engagement"));
      var targets = (card.getAttribute("data-targets") || "").split(" ");
      board.querySelectorAll(".pl-column").forEach(function (col) {
        var stage = col.getAttribute("data-stage");
        if (stage === card.getAttribute("data-stage")) return;
        col.classList.add(targets.indexOf(stage) >= 0 ? "pl-column--allowed" : "pl-column--blocked");
      });
      card.classList.add("pl-card--dragging");
    });
    card.addEventListener("dragend", function () {
      card.classList.remove("pl-card--dragging");
      clearHighlights();
      dragged = null;
    });
  }

  board.querySelectorAll("[data-pl-card]").forEach(wire);

  board.querySelectorAll(".pl-column").forEach(function (col) {
    col.addEventListener("dragover", function (event) {
      if (dragged && col.classList.contains("pl-column--allowed")) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        col.classList.add("pl-column--over");
      }
    });
    col.addEventListener("dragleave", function (event) {
      if (!col.contains(event.relatedTarget)) col.classList.remove("pl-column--over");
    });
    col.addEventListener("drop", function (event) {
      event.preventDefault();
      var card = dragged;
      clearHighlights();
      if (!card || !col.classList) return;
      var stage = col.getAttribute("data-stage");
      if (stage === card.getAttribute("data-stage")) return;
      if (stage === "lost") {
        askLostReason(card);
      } else if (card.getAttribute("data-stage") === "lost") {
        post(card, "reopen");
      } else {
        post(card, stage);
      }
    });
  });
})();
