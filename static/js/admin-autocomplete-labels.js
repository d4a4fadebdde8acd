"use strict";
// Django admin's autocomplete fields (select2) draw a combobox named only by the value chosen, so an empty one
// and the read-only textbox inside it have no accessible name (axe: aria-input-field-name). This names both by
// the field's label as well.
// Loaded at the end of the admin's change form (templates/admin/change_form.html), after select2 has started.
{
  const $ = django.jQuery;

  function nameComboboxes(scope) {
    scope.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const label = document.querySelector(`label[for="${select.id}"]`);
      const container = `select2-${select.id}-container`;
      const combobox = document.querySelector(`[role="combobox"][aria-labelledby="${container}"]`);
      if (!label || !combobox) return;
      label.id = label.id || `${select.id}-label`;
      combobox.setAttribute("aria-labelledby", `${label.id} ${container}`);
      // The value inside is a read-only textbox of its own, which needs a name too.
      document.getElementById(container)?.setAttribute("aria-labelledby", label.id);
    });
  }

  $(() => nameComboboxes(document));
  document.addEventListener("formset:added", (event) => nameComboboxes(event.target));
}
