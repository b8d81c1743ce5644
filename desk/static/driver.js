// The driver's run page: record crate scans, keep them in a queue in localStorage, send them when
// the phone is online. Each scan has its own client id, so a scan sent twice (an answer lost on
// the way) is stored once by the desk.
"use strict";
(() => {
  const cfg = JSON.parse(document.getElementById("cfg").textContent);
  const KEY = `bookvan-queue-${cfg.token}`;
  const DONE = `bookvan-done-${cfg.token}`;
  const $ = (s) => document.querySelector(s);
  let sending = false;

  const load = (k) => { try { return JSON.parse(localStorage.getItem(k) || "[]"); } catch { return []; } };
  const save = (k, v) => localStorage.setItem(k, JSON.stringify(v));

  function clientId() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);  // works without a secure context, unlike randomUUID
    return "d-" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  function localTime() {  // ISO with the phone's offset, e.g. 2026-12-01T09:05:12+08:00
    const d = new Date(), off = -d.getTimezoneOffset(), p = (n) => String(Math.abs(n)).padStart(2, "0");
    const s = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    return s + (off >= 0 ? "+" : "-") + p(Math.trunc(off / 60)) + ":" + p(off % 60);
  }

  function showState() {
    const queue = load(KEY), sent = load(DONE);
    const last = {};  // per crate and stop: loading at one stop is not unloading at the next
    for (const s of sent) last[s.crate_id + "@" + s.node_id] = [s.event, "sent"];
    for (const s of queue) last[s.crate_id + "@" + s.node_id] = [s.event, "waiting"];
    for (const li of document.querySelectorAll("li.crate")) {
      const rec = last[li.dataset.crate + "@" + li.dataset.node] || (li.dataset.recorded ? [li.dataset.recorded, "sent"] : null);
      const st = li.querySelector(".state");
      li.classList.remove("is-loaded", "is-unloaded", "is-missing", "is-damaged", "is-waiting");
      if (rec) {
        li.classList.add("is-" + rec[0]);
        if (rec[1] === "waiting") li.classList.add("is-waiting");
        st.textContent = rec[0] + (rec[1] === "waiting" ? " · not sent yet" : " ✓");
      } else st.textContent = "";
    }
    const n = queue.length, net = $("#net");
    net.textContent = (navigator.onLine ? "online" : "offline") + (n ? ` · ${n} scan(s) waiting` : " · all sent");
    net.className = "net " + (n ? "waiting" : "sent") + (navigator.onLine ? "" : " offline");
  }

  function record(crate, event, node) {
    crate = crate.trim();
    if (!crate) return;
    const queue = load(KEY);
    queue.push({ client_id: clientId(), time: localTime(), crate_id: crate, event, node_id: node, vehicle_id: cfg.van });
    save(KEY, queue);
    $("#msg").textContent = `${crate}: ${event}`;
    showState();
    flush();
  }

  async function flush() {
    if (sending || !navigator.onLine) { showState(); return; }
    const queue = load(KEY);
    if (!queue.length) { showState(); return; }
    sending = true;
    try {
      const r = await fetch(`/d/${cfg.token}/scans`, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": cfg.csrf },
        body: JSON.stringify({ scans: queue }),
      });
      if (r.ok) {
        const body = await r.json();
        const acked = new Set(body.acked);
        const now = load(KEY);  // scans recorded while this request was on its way stay queued
        save(DONE, load(DONE).concat(now.filter((s) => acked.has(s.client_id))).slice(-2000));
        save(KEY, now.filter((s) => !acked.has(s.client_id)));
        if (body.rejected && body.rejected.length) $("#msg").textContent = `${body.rejected.length} scan(s) refused by the desk`;
      }
    } catch (e) {
      // offline or the desk is down: the queue stays and is sent later
    } finally {
      sending = false;
      showState();
    }
  }

  document.addEventListener("click", (e) => {
    const b = e.target.closest("li.crate button");
    if (!b) return;
    const li = b.closest("li.crate");
    record(li.dataset.crate, b.dataset.event, li.dataset.node);
    const sel = $("#node-in");  // typed ids go to the stop the driver is working at
    if (sel) sel.value = li.dataset.node;
  });
  const form = $("#manual");
  if (form) form.addEventListener("submit", (e) => {
    e.preventDefault();
    record($("#crate-in").value.toUpperCase(), $("#event-in").value, $("#node-in").value);
    $("#crate-in").value = "";
  });

  // Camera: the browser's BarcodeDetector where it exists, else jsQR on video frames.
  const cam = $("#camera");
  if (cam) cam.addEventListener("click", async () => {
    const video = $("#video");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      $("#msg").textContent = "No camera here: type the crate id."; return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream; video.hidden = false; await video.play();
      const detector = "BarcodeDetector" in window ? new window.BarcodeDetector({ formats: ["qr_code", "code_128"] }) : null;
      const canvas = document.createElement("canvas"), ctx = canvas.getContext("2d", { willReadFrequently: true });
      const stop = () => { stream.getTracks().forEach((t) => t.stop()); video.hidden = true; };
      const tick = async () => {
        let text = null;
        if (detector) { const found = await detector.detect(video); if (found.length) text = found[0].rawValue; }
        else if (window.jsQR && video.videoWidth) {
          canvas.width = video.videoWidth; canvas.height = video.videoHeight;
          ctx.drawImage(video, 0, 0);
          const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
          const code = window.jsQR(img.data, img.width, img.height);
          if (code) text = code.data;
        }
        if (text) { stop(); $("#crate-in").value = text.trim(); $("#crate-in").focus(); return; }
        if (!video.hidden) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    } catch (err) {
      $("#msg").textContent = "Camera not available: type the crate id.";
    }
  });

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/d/sw.js", { scope: "/d/" }).catch(() => {});
    // this very page was loaded before the worker ran: keep it now, for a reload without signal
    if (window.caches) caches.open("bookvan-driver-v1").then((c) => c.add(location.href)).catch(() => {});
  }
  window.addEventListener("online", flush);
  window.addEventListener("offline", showState);
  setInterval(flush, 15000);
  showState();
  flush();
})();
