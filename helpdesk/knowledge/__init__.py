"""Knowledge base of Kudumbashree practice: articles, search, suggestions, capture."""
