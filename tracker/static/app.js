// Starts the NHS.UK design system's components (header menu, details, error summary...) on every page.
// A file of its own, not inline: the Content-Security-Policy allows no inline script.
import { initAll } from "./nhsuk/nhsuk-frontend.min.js";

initAll();
