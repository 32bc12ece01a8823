"""The page's CSS and the two small browser scripts, kept apart from the Python wiring.

The scripts are ``js_on_load`` snippets of ``gr.HTML`` components: Gradio runs them with
``element`` (the component), ``trigger`` (send an event to Python), ``props`` and ``watch``.
"""

from __future__ import annotations

#: Sources panel: a click on a card's 「查看全文」 button asks Python for that document.
SOURCES_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('[data-open-doc]');
  if (button) { trigger('open_doc', {n: Number(button.dataset.openDoc)}); }
});
"""

#: Document viewer: scroll the cited passage into view whenever a document is shown; 「收起」 closes.
DOCUMENT_VIEW_JS = """
const focusPassage = () => {
  const box = element.querySelector('.rag-doc-text');
  const target = element.querySelector('#rag-focus');
  if (!box || !target) { return; }
  box.scrollTop = Math.max(0, target.offsetTop - 24);
  element.scrollIntoView({block: 'nearest'});
};
watch('value', focusPassage);
focusPassage();
element.addEventListener('click', (event) => {
  if (event.target.closest('[data-close-doc]')) { props.value = ''; }
});
"""

PAGE_CSS = """
.rag-header h1 { margin-bottom: 0.2em; }
.rag-header p { color: var(--body-text-color-subdued); margin-top: 0; }
#rag-chatbot .message-wrap strong { color: var(--body-text-color); }
.rag-examples button { font-size: 0.9em; }
.rag-sources { display: flex; flex-direction: column; gap: 10px; }
.rag-sources-head { font-weight: 600; font-size: 1.05em; }
.rag-sources-head.rag-related { color: #b45309; }
.rag-note { color: var(--body-text-color-subdued); font-size: 0.9em; }
.rag-empty { color: var(--body-text-color-subdued); padding: 12px 4px; }
.rag-card {
  border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  background: var(--background-fill-primary);
}
.rag-refused .rag-card { border-style: dashed; }
.rag-card-head { font-weight: 600; }
.rag-num { color: var(--color-accent); }
.rag-where { color: var(--body-text-color-subdued); font-size: 0.8em; margin-left: 0.5em; }
.rag-card .rag-where { margin-left: 0; }
.rag-passage, .rag-quote {
  white-space: pre-wrap; line-height: 1.7; margin-top: 6px; max-height: 14em; overflow-y: auto;
}
mark.rag-hl { background: #fde68a; color: #1f2937; padding: 0 2px; border-radius: 3px; }
.rag-open {
  margin-top: 8px; padding: 2px 10px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary);
  color: var(--body-text-color);
}
.rag-open:hover { border-color: var(--color-accent); }
.rag-doc-view { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; }
.rag-doc-head { font-weight: 600; margin-bottom: 6px; display: flex; flex-wrap: wrap; gap: 6px; align-items: baseline; }
.rag-doc-view button.rag-doc-close {
  margin: 0 0 0 auto; padding: 0 4px; font-size: 0.85em; font-weight: normal; cursor: pointer;
  border: none; background: none; box-shadow: none; color: var(--color-accent);
}
.rag-doc-text {
  position: relative; white-space: pre-wrap; line-height: 1.8; max-height: 460px; overflow-y: auto;
}
.rag-focus { background: rgba(59, 130, 246, 0.12); outline: 1px solid rgba(59, 130, 246, 0.35); border-radius: 3px; }
"""
