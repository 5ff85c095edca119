/* Wagtail's rich text editor (Draftail) keeps the field's value in a hidden input, and the
   field's label points at that input: the box people type in had no name, so a screen
   reader announced only "edit text" (axe: aria-input-field-name). Each box is named after
   its field's label or, for a block in a StreamField, after the block's heading. Editors
   are made as the page is built and whenever a block is added, so new ones are watched for.
   Added to the page editor by cms/wagtail_hooks.py (insert_editor_js). */
(() => {
  const nameOf = (wrapper) => {
    const input = wrapper.previousElementSibling;
    const label = input && input.id
      ? document.querySelector(`label[for="${CSS.escape(input.id)}"]`)
      : null;
    if (label) {
      if (!label.id) label.id = `${input.id}-label`;
      return label.id;
    }
    const section = wrapper.closest("section[aria-labelledby]");
    return section ? section.getAttribute("aria-labelledby") : null;
  };

  const nameEditors = () => {
    document.querySelectorAll(".Draftail-Editor__wrapper").forEach((wrapper) => {
      const box = wrapper.querySelector('[role="textbox"]');
      if (!box || box.hasAttribute("aria-labelledby") || box.hasAttribute("aria-label")) return;
      const id = nameOf(wrapper);
      if (id) box.setAttribute("aria-labelledby", id);
    });
  };

  let queued = false;
  const queue = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      nameEditors();
    });
  };

  const start = () => {
    nameEditors();
    new MutationObserver(queue).observe(document.body, { childList: true, subtree: true });
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
