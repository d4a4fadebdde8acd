// The register's filter panel with JavaScript (jinja2/reviews/register.html). htmx sends the filters
// whenever one changes and swaps in the results; this file only
// - turns a board chosen in the type-ahead into a ticked checkbox (so several boards can be added),
// - tells screen readers the new number of results after each update, and
// - starts MOJ's filter toggle (not in MOJ's initAll): on narrow screens MOJ's CSS lays the filter panel over
//   the whole page, so it starts hidden behind a "Show filter" button, with "Close" in the panel; on wide
//   screens it starts shown, and "Hide filter" gives the results the whole width.
// Without JavaScript the same form is submitted with "Apply filters". Loaded as a module (CSP: no inline script).
import { FilterToggleButton } from "./vendor/moj-frontend.min.js";

const form = document.getElementById("register-filters");
const typeahead = document.getElementById("id_board");
const boards = document.getElementById("register-boards");
const chosen = document.getElementById("register-board-choices");
const status = document.getElementById("register-status");

function boardFor(text) {
  const wanted = text.trim().toLowerCase();
  if (!wanted || !boards) return null;
  for (const option of boards.options) {
    if (option.value.toLowerCase() === wanted || option.dataset.name.toLowerCase() === wanted) {
      return option;
    }
  }
  return null;
}

function addBoard(option) {
  const code = option.dataset.code;
  const id = `id_board_${code}`;
  let box = document.getElementById(id);
  if (!box) {
    const item = document.createElement("div");
    item.className = "govuk-checkboxes__item";
    box = document.createElement("input");
    box.className = "govuk-checkboxes__input";
    box.type = "checkbox";
    box.name = "board";
    box.value = code;
    box.id = id;
    const label = document.createElement("label");
    label.className = "govuk-label govuk-checkboxes__label";
    label.htmlFor = id;
    label.textContent = option.dataset.name;
    item.append(box, label);
    chosen.append(item);
  }
  box.checked = true;
  typeahead.value = "";
}

if (form && typeahead && chosen) {
  // Picking a suggestion fires "input" at once: add the board and update the results.
  typeahead.addEventListener("input", () => {
    const option = boardFor(typeahead.value);
    if (option) {
      addBoard(option);
      form.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  // Leaving the box with text that is not a board yet: wait for "Apply filters" (which reports the error)
  // rather than reloading the results on every half-typed name.
  typeahead.addEventListener("change", (event) => {
    const option = boardFor(typeahead.value);
    if (option) {
      addBoard(option);
    } else if (typeahead.value.trim()) {
      event.stopPropagation();
    }
  });
}

if (status) {
  document.body.addEventListener("htmx:afterSettle", () => {
    const count = document.getElementById("register-count");
    if (count) status.textContent = count.textContent;
  });
}

const filterPanel = document.querySelector('[data-module="moj-filter"]');
if (filterPanel) {
  new FilterToggleButton(filterPanel, { startHidden: false });
}
