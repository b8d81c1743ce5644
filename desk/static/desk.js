// Coordinator pages: show that a long action is running, and switch days from the picker.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.busy")) {
    form.addEventListener("submit", () => {
      const btn = form.querySelector("button[type=submit]");
      if (btn) { btn.disabled = true; btn.textContent = form.dataset.busy || "Working…"; }
    });
  }
  // Today follows the drivers' scans: reload every minute unless the coordinator is busy with a form
  const live = document.querySelector("main[data-refresh]");
  if (live) {
    let touched = false;
    document.addEventListener("input", () => { touched = true; });
    setInterval(() => { if (!touched && !document.hidden) window.location.reload(); },
                Number(live.dataset.refresh) * 1000);
  }
  const pick = document.querySelector("#daypick select");
  if (pick) pick.addEventListener("change", () => { window.location.href = "/day/" + pick.value; });
});
