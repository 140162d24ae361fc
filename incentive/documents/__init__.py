"""Documents people read and sign: per-person statements and plan documents.

Each document is a model (plain data, already in the reader's language)
rendered to HTML, Markdown or PDF. PDF goes through Typst (``pdf``): a fixed
template per document reads its data as JSON, so no text from a policy or a
data file is ever parsed as markup.
"""
