// "Copy link" buttons (data-copy="<id of an input>"): copy the input's value to the clipboard,
// then say so in the page's language (data-copied, from the template).
// Without this script, or a clipboard, the button stays hidden and the link can be selected.
if (navigator.clipboard) {
  for (const button of document.querySelectorAll("[data-copy]")) {
    const input = document.getElementById(button.dataset.copy);
    if (!input) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(input.value);
        button.textContent = button.dataset.copied || "Link copied";
      } catch {
        input.select();
      }
    });
  }
}
