// Coordinator pages: show that a long action is running, and switch days from the picker.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.busy")) {
    form.addEventListener("submit", () => {
      const btn = form.querySelector("button[type=submit]");
      if (btn) { btn.disabled = true; btn.textContent = form.dataset.busy || "Working…"; }
    });
  }
  const pick = document.querySelector("#daypick select");
  if (pick) pick.addEventListener("change", () => { window.location.href = "/day/" + pick.value; });
});
