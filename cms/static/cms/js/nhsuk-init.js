// Starts NHS.UK frontend's components (header menu, details, character counts…) on every
// page. A module file rather than an inline script, so the Content-Security-Policy needs
// no per-page nonce and pages can be cached.
import { initAll } from "../../wagtailnhsukfrontend/js/nhsuk-frontend-10.4.2.min.js";

initAll();
