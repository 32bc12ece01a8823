"""Text rules shared by every layer: language, tokenizer, places, glossary, numbers, sentences, patterns."""
