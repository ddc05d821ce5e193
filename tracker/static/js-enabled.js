// Marks <body> when JavaScript runs, as the NHS.UK page template does inline; a file of its
// own because the Content-Security-Policy allows no inline script (templates/base.html).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
