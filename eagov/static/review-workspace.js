// Reviewer workspace shortcuts; the page works fully without them.
// Ctrl+Enter (or Cmd+Enter) saves the item being edited; Alt+N / Alt+P go to the next /
// previous item and put the cursor in its answer.
(() => {
  const items = () => Array.from(document.querySelectorAll("article.review-item"));
  const current = () => {
    const active = document.activeElement;
    const article = active && active.closest ? active.closest("article.review-item") : null;
    if (article) return items().indexOf(article);
    const id = window.location.hash.slice(1);
    return items().findIndex((el) => el.id === id);
  };
  const focusItem = (index) => {
    const list = items();
    if (index < 0 || index >= list.length) return;
    const article = list[index];
    article.scrollIntoView({ block: "start" });
    const field = article.querySelector("textarea, select, input:not([type=hidden])");
    if (field) field.focus();
    else article.focus();
  };
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      const form = document.activeElement && document.activeElement.form;
      if (form && form.classList.contains("item-form")) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (event.altKey && !event.ctrlKey && (event.code === "KeyN" || event.code === "KeyP")) {
      event.preventDefault();
      const here = current();
      focusItem(event.code === "KeyN" ? here + 1 : Math.max(0, here - 1));
    }
  });
  // Arriving at #item-<id> after a save: start typing in that item's answer.
  const id = window.location.hash.slice(1);
  if (id.startsWith("item-")) {
    const index = items().findIndex((el) => el.id === id);
    if (index >= 0) focusItem(index);
  }
})();
