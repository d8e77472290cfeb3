// Workflow builder: small enhancements; the form works without them.
"use strict";
(() => {
  // Picking an org or an object loads its objects or fields.
  for (const sel of document.querySelectorAll("select[data-autosubmit]")) {
    sel.addEventListener("change", () => {
      if (sel.name === "org") {
        const obj = sel.form.querySelector('select[name="object"]');
        if (obj) obj.value = "";
      }
      sel.form.submit();
    });
  }
  const form = document.getElementById("wf-builder");
  if (!form) return;
  const direction = () => form.querySelector('input[name="direction"]:checked')?.value || "inbound";
  const operation = () => form.querySelector('select[name="operation"]')?.value || "create";
  // Required fields not mapped are flagged as the choices change.
  const flag = () => {
    form.dataset.direction = direction();
    const writes = direction() !== "inbound" && operation() !== "update";
    for (const row of form.querySelectorAll("tr[data-required]")) {
      const mapped = row.querySelector('input[name="map"]').checked;
      row.classList.toggle("wf-required-missing", writes && !mapped);
    }
  };
  form.addEventListener("change", flag);
  flag();
})();
