// sfbridge console, activities page: recipient suggestions while typing,
// from GET /api/v1/recipients. The form works without it.
"use strict";
(() => {
  const input = document.querySelector("[data-suggest]");
  const list = document.getElementById("recipient-suggestions");
  if (!input || !list) {
    return;
  }
  let timer = 0;
  let asked = "";
  // last returns the address being typed: what follows the last separator.
  const last = () => input.value.split(/[,;\s]+/).pop();
  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    input.removeAttribute("aria-expanded");
  };
  const choose = (email) => {
    const parts = input.value.split(/[,;\s]+/).filter(Boolean);
    parts.pop();
    parts.push(email);
    input.value = parts.join(", ") + ", ";
    close();
    input.focus();
  };
  const show = (recipients) => {
    list.replaceChildren();
    for (const r of recipients) {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.tabIndex = -1;
      li.dataset.email = r.email;
      li.textContent = r.name + " <" + r.email + "> · " + r.object;
      li.addEventListener("mousedown", (ev) => {
        ev.preventDefault();
        choose(r.email);
      });
      li.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter") {
          ev.preventDefault();
          choose(r.email);
        }
      });
      list.append(li);
    }
    list.hidden = recipients.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
  };
  const ask = async () => {
    const q = last();
    if (q.length < 2) {
      close();
      return;
    }
    asked = q;
    const resp = await fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), { credentials: "same-origin" });
    if (!resp.ok || asked !== q) {
      return;
    }
    const body = await resp.json();
    show(body.recipients || []);
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown" && !list.hidden) {
      ev.preventDefault();
      list.firstElementChild.focus();
    } else if (ev.key === "Escape") {
      close();
    }
  });
  list.addEventListener("keydown", (ev) => {
    const item = document.activeElement;
    if (ev.key === "ArrowDown" && item.nextElementSibling) {
      ev.preventDefault();
      item.nextElementSibling.focus();
    } else if (ev.key === "ArrowUp") {
      ev.preventDefault();
      (item.previousElementSibling || input).focus();
    } else if (ev.key === "Escape") {
      close();
      input.focus();
    }
  });
  input.addEventListener("blur", () => setTimeout(() => {
    if (!list.contains(document.activeElement)) {
      close();
    }
  }, 100));
})();
