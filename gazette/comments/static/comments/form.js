// The comment form's one-use token, fetched when the reader starts to write.
//
// A reader's post page is one copy for every reader (from the page cache),
// so it carries no token of its own. The form asks for one the first time it
// gets focus, and a form sent before the answer came waits for it. Without
// this script, the first "Publish comment" brings the form back with a token
// and the reader's text (see comments/views.py).
"use strict";

for (const form of document.querySelectorAll("form[data-token-url]")) {
  const field = form.querySelector('input[name="token"]');
  if (!field) continue;
  let pending = null;

  const fetchToken = () => {
    if (field.value) return Promise.resolve();
    pending ??= fetch(form.dataset.tokenUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then((answer) => (answer.ok ? answer.json() : Promise.reject(answer)))
      .then((data) => {
        field.value = data.token;
      })
      .catch(() => {
        pending = null; // try again on the next focus; the server asks to confirm
      });
    return pending;
  };

  form.addEventListener("focusin", fetchToken);
  form.addEventListener("submit", (event) => {
    if (field.value) return;
    event.preventDefault();
    fetchToken().finally(() => form.submit());
  });
}

// After a comment is sent the page opens at it (#comment-N): move the focus
// there too, so that keyboard and screen-reader users land on their comment
// rather than at the top of the page.
const arrived = /^#comment-\d+$/.test(location.hash)
  ? document.getElementById(location.hash.slice(1))
  : null;
if (arrived) {
  arrived.setAttribute("tabindex", "-1");
  arrived.focus();
}
