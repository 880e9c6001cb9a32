// The import page (/board/import): the upload sent with its progress (XMLHttpRequest's upload
// events), then each step that reads the whole ledger (preview, import) shown row by row while
// the form's ordinary submission runs: the page polls the step's progress file on the server.
(function () {
  "use strict";
  const box = document.querySelector(".import-progress");
  if (!box) return;
  const bar = box.querySelector("progress");
  const text = box.querySelector(".import-progress-text");
  const number = (n) => Number(n).toLocaleString("en-US");

  // The bar takes the numbers themselves ("6,000" is no number: its max would refuse it); the
  // text says them as ``say`` writes them.
  function show(template, done, total, say = String) {
    box.hidden = false;
    if (total) { bar.max = total; bar.value = done; } else { bar.removeAttribute("value"); }
    text.textContent = template.replace("{done}", say(done)).replace("{total}", say(total));
  }

  function disable(form) {
    form.querySelectorAll("button, input[type=submit]").forEach((b) => { b.disabled = true; });
  }

  // Upload: refuse a file over the limit at once; otherwise send it and show its bytes.
  const upload = document.querySelector("form.import-upload");
  if (upload) {
    upload.addEventListener("submit", (event) => {
      const file = upload.querySelector("input[type=file]").files[0];
      if (!file) return;
      event.preventDefault();
      const error = document.querySelector(".import-error") || document.createElement("p");
      error.className = "import-error";
      error.setAttribute("role", "alert");
      if (file.size > Number(upload.dataset.maxBytes)) {
        error.textContent = upload.dataset.textTooLarge;
        upload.before(error);
        return;
      }
      disable(upload);
      const request = new XMLHttpRequest();
      request.open("POST", upload.action);
      request.setRequestHeader("Accept", "application/json");
      const mb = (bytes) => (bytes / 1048576).toFixed(1);
      request.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) show(box.dataset.textUpload, e.loaded, e.total, mb);
      });
      request.upload.addEventListener("load", () => show(box.dataset.textReading, 0, 0));
      request.addEventListener("load", () => {
        let answer = {};
        try { answer = JSON.parse(request.responseText); } catch (e) { answer = {}; }
        if (request.status < 300 && answer.location) {
          window.location.assign(answer.location);
          return;
        }
        // The page again with the reason the file was refused (or an error page): shown as is.
        const page = new DOMParser().parseFromString(request.responseText, "text/html");
        const message = page.querySelector(".import-error") || page.querySelector("[role=alert]");
        error.textContent = message ? message.textContent : box.dataset.textFailed;
        upload.before(error);
        box.hidden = true;
        upload.querySelectorAll("button").forEach((b) => { b.disabled = false; });
      });
      request.addEventListener("error", () => {
        error.textContent = box.dataset.textFailed;
        upload.before(error);
        box.hidden = true;
        upload.querySelectorAll("button").forEach((b) => { b.disabled = false; });
      });
      request.send(new FormData(upload));
    });
  }

  // Preview and import: the form goes as usual; until its answer arrives, poll the progress.
  document.querySelectorAll("form[data-import-run]").forEach((form) => {
    form.addEventListener("submit", () => {
      const url = form.dataset.progressUrl;
      setTimeout(() => disable(form), 0);  // after the browser has taken the form's values
      show(box.dataset.textReading, 0, 0);
      const poll = () => {
        fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
          .then((response) => (response.ok ? response.json() : null))
          .catch(() => null)  // a poll lost on the way: the next one asks again
          .then((state) => {
            if (state && state.total && (state.phase === "checking" || state.phase === "writing")) {
              show(box.dataset.textRows, state.done, state.total, number);
            }
          })
          .finally(() => setTimeout(poll, 400));
      };
      setTimeout(poll, 300);
    });
  });
})();
