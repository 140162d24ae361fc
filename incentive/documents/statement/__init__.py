"""Per-person incentive statements of a closed period (``incentive statements``).

``model`` builds one plain dict per person from the close's own files (the
audit record, the policy copy, ranking.csv, the manifest) in the reader's
language; ``html`` and the Typst template ``templates/statement.typ`` print
it. Nothing is re-run: every number is the one the close recorded.
"""
