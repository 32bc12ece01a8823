"""From question and passages to a cited answer: question analysis, entity guard, backends."""
