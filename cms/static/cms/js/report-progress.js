// Polls a background report's status and updates the page, announcing changes politely to
// screen readers. Without JavaScript, the "Check again" link does the same by hand.
(function () {
  const box = document.querySelector("[data-report-status]");
  // A finished report's page is final: polling it would reload a failed one for ever.
  if (!box || box.hasAttribute("data-report-finished")) return;
  const url = box.dataset.statusUrl;
  const message = box.querySelector("[data-report-message]");
  const bar = box.querySelector("[data-report-progress]");
  const download = box.querySelector("[data-report-download]");
  const refresh = box.querySelector("[data-report-refresh]");
  let delay = 1500;

  async function check() {
    let data;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      data = await response.json();
    } catch (error) {
      return setTimeout(check, (delay = Math.min(delay * 2, 15000)));
    }
    if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
    if (data.download_url) {
      if (message) message.textContent = "Your report is ready.";
      if (bar) bar.hidden = true;
      if (refresh) refresh.parentElement.hidden = true;
      const link = document.createElement("a");
      link.className = "nhsuk-button";
      link.href = data.download_url;
      link.setAttribute("download", "");
      link.textContent = "Download the report";
      download.replaceChildren(link);
      download.hidden = false;
      return;
    }
    if (data.status === "failed" || data.status === "done") {
      // Failed, or done with no file to offer: the page says what to do next (a failed
      // report offers "Try again", a form), so show it as the server renders it.
      window.location.reload();
      return;
    }
    if (message) {
      message.textContent = data.status === "queued" && !data.progress
        ? "Your report is waiting to start."
        : "Your report is being made. It is " + data.progress + "% done." +
          (data.message ? " " + data.message + "." : "");
    }
    setTimeout(check, delay);
  }
  setTimeout(check, delay);
})();
