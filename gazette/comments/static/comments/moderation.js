// The moderation queue: a "select all" box. The queue works without it.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("select-all");
  if (!all) return;
  all.hidden = false;
  all.querySelector("input").addEventListener("change", (event) => {
    for (const box of document.querySelectorAll('input[name="ids"]')) {
      box.checked = event.target.checked;
    }
  });
});
