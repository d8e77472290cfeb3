// The sheet grid: a cell's form is sent to the API in place (Enter or
// leaving the cell), the row's badge shows pending, then follows the row
// until it is synced or failed, without reloading the page. Without
// JavaScript each cell is a plain form.
(function () {
  "use strict";
  var grid = document.getElementById("grid");
  if (!grid || grid.dataset.editable !== "true") { return; }
  document.documentElement.classList.add("js");
  var api = grid.dataset.api;
  var message = document.getElementById("grid-message");

  function setBadge(rowID, status, error) {
    var badge = grid.querySelector('[data-testid="status-' + rowID + '"]');
    if (!badge) { return; }
    badge.className = "badge status-" + status;
    badge.textContent = grid.dataset["status" + status.charAt(0).toUpperCase() + status.slice(1)] || status;
    var cell = badge.parentNode, old = cell.querySelector(".row-error");
    if (old) { old.remove(); }
    if (error) {
      var p = document.createElement("p");
      p.className = "row-error";
      // The row's error is advice worded for the CLI; the page says where
      // to act, in its language.
      p.textContent = status === "failed" ? grid.dataset.failed : error;
      cell.appendChild(p);
    }
  }

  // follow polls the row until it leaves pending, for a minute at most.
  function follow(rowID, tries) {
    if (tries <= 0) { return; }
    window.setTimeout(function () {
      fetch(api + "/rows?after=" + (rowID - 1) + "&limit=1", { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (page) {
          var row = page && page.rows && page.rows[0];
          if (!row || row.id !== rowID) { return; }
          setBadge(rowID, row.status, row.error);
          if (row.status === "pending") { follow(rowID, tries - 1); }
        })
        .catch(function () { follow(rowID, tries - 1); });
    }, 1000);
  }

  // refusal words an API refusal in the page's language: a refused value
  // by its reason code (the page holds the wording), anything else as the
  // API says it.
  function refusal(body) {
    var details = body.details || {};
    var fields = details.fields || [];
    if (!fields.length) { return body.message; }
    var value = (details.values || []).filter(function (v) { return v.field === fields[0].field; })[0];
    var wording = value && document.querySelector('#value-messages [data-reason="' + value.reason + '"]');
    if (!wording) { return fields[0].message; }
    return wording.textContent.replace("{value}", value.value || "").replace("{column}", value.column);
  }

  function save(form) {
    var input = form.querySelector('input[name="value"]');
    if (input.value === input.defaultValue) { return; }
    var rowID = Number(form.closest("tr").dataset.row);
    var values = {};
    values[form.querySelector('input[name="column"]').value] = input.value === "" ? null : input.value;
    form.classList.add("saving");
    message.textContent = grid.dataset.saving;
    fetch(api + "/rows/" + rowID, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ values: values })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      form.classList.remove("saving");
      if (!res.ok) {
        message.textContent = refusal(res.body);
        // Keep what was typed, to be corrected: the cell is marked until
        // a value is accepted (Escape brings the saved one back).
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      input.removeAttribute("aria-invalid");
      // A column no workflow sends keeps the change in the sheet: say so,
      // and whether Salesforce's next change overwrites it.
      message.textContent = (res.body.overwritten || []).length ? grid.dataset.savedOverwritten :
        (res.body.unsent || []).length ? grid.dataset.savedLocal : "";
      input.defaultValue = input.value;
      setBadge(rowID, res.body.status, res.body.error);
      follow(rowID, 60);
    }).catch(function () {
      form.classList.remove("saving");
      form.submit();
    });
  }

  grid.querySelectorAll(".cell-form").forEach(function (form) {
    form.addEventListener("submit", function (e) { e.preventDefault(); save(form); });
    var input = form.querySelector('input[name="value"]');
    input.addEventListener("change", function () { save(form); });
    input.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || !input.hasAttribute("aria-invalid")) { return; }
      input.value = input.defaultValue;
      input.removeAttribute("aria-invalid");
      message.textContent = "";
    });
  });
})();
