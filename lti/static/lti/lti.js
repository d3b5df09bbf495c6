// LTI pages run no inline script (the site's CSP): a deep linking response posts itself back
// to the platform, and the Dynamic Registration page's Close button tells the platform so.
document.querySelectorAll("form[data-lti-autosubmit]").forEach((form) => form.submit());
document.querySelectorAll("[data-lti-close]").forEach((button) => {
  button.addEventListener("click", () => {
    (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  });
});
