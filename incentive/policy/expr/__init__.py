"""The policy expression language (SPEC §2): a safe subset of Python
expression syntax, checked once at load time and evaluated column-wise.

- ``parse``: text -> allow-listed ``ast`` (limits, forbidden constructs)
- ``check``: ``ast`` -> typed IR (``nodes``) against a ``Scope`` (``check_base``: the
  scope and shared state; ``check_calls``: calls and history functions)
- ``types``: the five value types and how they combine
- ``functions``: the function library table and the null rules
- ``scopes`` / ``policy_check``: what each policy stage may read; the whole
  policy checked into a ``checked.CheckedPolicy``
- ``compile``: IR -> one polars expression; ``reference``: the row-wise oracle
- ``suggest``: "did you mean" hints
"""
