// copylab lab: the exercise page's controls, and the live jobs page's refresh. Every call goes to /lab/api/; the page works by
// keyboard alone and announces results through aria-live regions.
"use strict";
(function () {
  // Language links keep the rest of the URL (an exam's seed and answers).
  for (const link of document.querySelectorAll("a.lang-link")) {
    const url = new URL(window.location.href);
    url.searchParams.set("lang", link.getAttribute("hreflang"));
    link.href = url.pathname + url.search;
  }
  // The live jobs page: its rows (states and events) are refreshed in place every 2 s, so new
  // jobs and events appear as they arrive; focus and the rest of the page are left alone.
  const jobsTable = document.querySelector("table.jobs tbody");
  if (jobsTable) {
    setInterval(() => {
      fetch(window.location.href).then((r) => r.text()).then((page) => {
        const fresh = new DOMParser().parseFromString(page, "text/html").querySelector("table.jobs tbody");
        if (fresh && fresh.innerHTML !== jobsTable.innerHTML) jobsTable.innerHTML = fresh.innerHTML;
      });
    }, 2000);
  }
  const root = document.getElementById("exercise");
  if (!root) return;
  const session = root.dataset.session;
  const lang = root.dataset.lang;
  // The URL names the session, so a reload or a language switch keeps the trainee's changes.
  const here = new URL(window.location.href);
  if (here.searchParams.get("session") !== session) {
    here.searchParams.set("session", session);
    history.replaceState(null, "", here.pathname + here.search);
    for (const link of document.querySelectorAll("a.lang-link")) {
      const url = new URL(here.href);
      url.searchParams.set("lang", link.getAttribute("hreflang"));
      link.href = url.pathname + url.search;
    }
  }
  const errorFormat = root.dataset.errorFormat;
  const api = (path) => "/lab/api/sessions/" + session + "/" + path + "?lang=" + lang;
  const post = (url, body) =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then((r) => r.json());
  const text = (id, value) => { document.getElementById(id).textContent = value == null || value === "" ? "—" : value; };

  function poll(job) {
    fetch(api("jobs/" + job)).then((r) => r.json()).then((answer) => {
      text("job-state", answer.state);
      text("job-message", answer.status_message);
      text("job-category", answer.message_category);
      // The event a monitor (an EventBridge rule's target) receives for the job's latest state.
      const box = document.getElementById("job-event-box");
      if (box && answer.event) {
        document.getElementById("job-event").textContent = JSON.stringify(answer.event, null, 2);
        box.hidden = false;
      }
      // Once solved, the answer also names the exercise's scenario.
      document.getElementById("job-note").textContent = [answer.text, answer.solved_text].filter(Boolean).join(" ");
      if (answer.state === "CREATED" || answer.state === "RUNNING") {
        setTimeout(() => poll(job), 400);
      }
    });
  }
  function start() {
    text("job-state", "…");
    text("job-message", "");
    text("job-category", "");
    post(api("start"), {}).then((answer) => {
      if (typeof answer.error === "string") {
        document.getElementById("job-note").textContent = answer.error;
        return;
      }
      if (answer.error) {
        text("job-id", "");
        text("job-state", answer.error.code);
        text("job-message", answer.error.message);
        document.getElementById("job-note").textContent = answer.text;
        return;
      }
      text("job-id", answer.job_id);
      poll(answer.job_id);
    });
  }
  document.getElementById("start").addEventListener("click", start);
  const retry = document.getElementById("retry");
  if (retry) retry.addEventListener("click", () => { start(); document.getElementById("job-heading").scrollIntoView(); });

  function choiceForm(id, path, field) {
    const form = document.getElementById(id);
    if (!form) return;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = form.querySelector("input[name=" + field + "]:checked");
      if (!chosen) return;
      post(api(path), { [field]: chosen.value }).then((answer) => {
        const feedback = form.querySelector(".feedback");
        feedback.textContent = [answer.feedback, answer.solved_text].filter(Boolean).join(" ");
        feedback.className = "feedback " + (answer.correct ? "right" : "wrong");
      });
    });
  }
  choiceForm("investigate", "investigate", "check");
  choiceForm("alternative", "alternative", "choice");

  // Policy editors validate as the trainee types, with errors in place.
  function showErrors(form, errors) {
    const list = form.querySelector(".errors");
    const area = form.querySelector("textarea");
    if (!list || !area) return;
    list.textContent = "";
    area.setAttribute("aria-invalid", errors.length ? "true" : "false");
    const lines = area.value.split("\n");
    for (const e of errors) {
      const item = document.createElement("li");
      item.textContent = errorFormat.replace("LINE", e.line).replace("COLUMN", e.column).replace("MESSAGE", e.message);
      // The offending line, with a caret under the column: the error where it is.
      const line = lines[e.line - 1];
      if (line !== undefined) {
        const code = document.createElement("pre");
        code.className = "at";
        code.textContent = line + "\n" + " ".repeat(Math.max(0, e.column - 1)) + "^";
        item.appendChild(code);
      }
      list.appendChild(item);
    }
  }
  for (const area of document.querySelectorAll("textarea[data-policy-kind]")) {
    let timer = null;
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        post("/lab/api/validate", { kind: area.dataset.policyKind, policy: area.value })
          .then((answer) => showErrors(area.form, answer.errors || []));
      }, 300);
    });
  }
  for (const form of document.querySelectorAll("form.change")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const change = { kind: form.dataset.kind };
      for (const field of form.querySelectorAll("input[name], textarea[name]")) {
        let value = field.value;
        if (field.dataset.type === "bool") value = value === "true";
        if (field.dataset.type === "int") value = parseInt(value, 10);
        if (field.name === "replaces" && value === form.querySelector("input[name=key]").value) continue;
        change[field.name] = value;
      }
      post(api("changes"), change).then((answer) => {
        const feedback = form.querySelector(".feedback");
        if (answer.ok) {
          feedback.textContent = answer.message;
          feedback.className = "feedback right";
          showErrors(form, []);
        } else {
          feedback.textContent = answer.message || "";
          feedback.className = "feedback wrong";
          showErrors(form, answer.errors || []);
        }
      });
    });
  }

  const hint = document.getElementById("hint");
  let shown = 0;
  hint.addEventListener("click", () => {
    fetch(api("hints/" + shown)).then((r) => r.json()).then((answer) => {
      const item = document.createElement("li");
      item.textContent = answer.hint;
      const hints = document.getElementById("hints");
      hints.appendChild(item);
      shown += 1;
      if (!answer.more) {
        // Focus moves to the hints before the button is disabled, so it is not lost.
        hints.focus();
        hint.disabled = true;
      }
    });
  });
  document.getElementById("answer").addEventListener("click", () => {
    fetch("/lab/answer/" + session + "?lang=" + lang).then((r) => r.text()).then((page) => {
      const doc = new DOMParser().parseFromString(page, "text/html");
      const article = doc.querySelector("article");
      const target = document.getElementById("answer-body");
      target.textContent = "";
      if (!article) return;
      // One h1 per page: the answer's heading becomes an h2, and focus moves to it.
      const heading = article.querySelector("h1");
      if (heading) {
        const h2 = document.createElement("h2");
        h2.textContent = heading.textContent;
        heading.replaceWith(h2);
      }
      const imported = document.importNode(article, true);
      target.appendChild(imported);
      imported.focus();
    });
  });
})();
