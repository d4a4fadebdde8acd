// Starts GOV.UK Frontend and MOJ Frontend components on every page, and again in any fragment htmx swaps
// in. Loaded as a module from base.html: the Content-Security-Policy allows scripts from this site only.
import { initAll as initGovukFrontend } from "./vendor/govuk-frontend.min.js";
import { initAll as initMojFrontend } from "./vendor/moj-frontend.min.js";

function initComponents(scope) {
  initGovukFrontend({ scope });
  initMojFrontend({ scope });
}

initComponents(document.body);

// htmx fires htmx:load for each element it adds; the body itself was done above.
document.addEventListener("htmx:load", (event) => {
  const element = event.detail && event.detail.elt;
  if (element && element !== document.body && element.nodeType === Node.ELEMENT_NODE) {
    initComponents(element);
  }
});
