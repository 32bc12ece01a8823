"""The local language model: packaged GGUF weights (model_files) and the llama.cpp server (server)."""
