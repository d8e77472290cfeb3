// sfbridge console: small enhancements; every page works without them.
"use strict";
document.addEventListener("click", (ev) => {
  const copy = ev.target.closest("[data-copy]");
  if (copy) {
    const text = document.getElementById(copy.dataset.copy).textContent;
    navigator.clipboard.writeText(text).then(() => {
      copy.textContent = copy.dataset.copied;
    });
  }
});
document.addEventListener("submit", (ev) => {
  const button = ev.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    ev.preventDefault();
  }
});
