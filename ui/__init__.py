"""The officials' chat page (Gradio), mounted into the FastAPI app under ``/ui``.

Kept outside the ``rag`` package so the engine, CLI and API never import Gradio: only the web
server that serves the page pays for it.
"""
