// Copies the JavaScript and images the service needs from node_modules into ../static/.
// Not copied, on purpose: the GDS Transport fonts (licensed for GOV.UK only), the crown, the royal crest,
// and GOV.UK's or MOJ's own logos, favicons and sharing images: this service is not on GOV.UK.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "..", "node_modules");
const staticDir = join(here, "..", "..", "static");

// The source maps go too: the scripts name them, and collectstatic's manifest fails on a missing one.
const scripts = {
  "govuk-frontend.min.js": "govuk-frontend/dist/govuk/govuk-frontend.min.js",
  "govuk-frontend.min.js.map": "govuk-frontend/dist/govuk/govuk-frontend.min.js.map",
  "moj-frontend.min.js": "@ministryofjustice/frontend/moj/moj-frontend.min.js",
  "moj-frontend.min.js.map": "@ministryofjustice/frontend/moj/moj-frontend.min.js.map",
  "htmx.min.js": "htmx.org/dist/htmx.min.js",
};

const imageSources = [join(modules, "@ministryofjustice/frontend/moj/assets/images")];
const isBranding = (name) => /crown|crest|logotype|opengraph|apple-touch|favicon|govuk-icon/.test(name);

const vendorDir = join(staticDir, "js", "vendor");
rmSync(vendorDir, { recursive: true, force: true });
mkdirSync(vendorDir, { recursive: true });
for (const [name, source] of Object.entries(scripts)) {
  copyFileSync(join(modules, source), join(vendorDir, name));
}

const imagesDir = join(staticDir, "images");
rmSync(imagesDir, { recursive: true, force: true });
mkdirSync(imagesDir, { recursive: true });
let copied = 0;
for (const source of imageSources) {
  for (const name of readdirSync(source)) {
    if (isBranding(name)) continue;
    copyFileSync(join(source, name), join(imagesDir, name));
    copied += 1;
  }
}
console.log(`Copied ${Object.keys(scripts).length} scripts and maps to static/js/vendor and ${copied} images to static/images`);
