// Loaded at the top of <body>, before anything is drawn: NHS.UK frontend styles its
// components for script-capable browsers by these classes. A file rather than an inline
// script, so the Content-Security-Policy needs no per-page nonce and pages can be cached.
document.body.className +=
  " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
