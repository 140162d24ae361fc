"""incentive: a rule-driven incentive and evaluation engine.

Data flows one way: policy (``incentive.policy``) + period data
(``incentive.io``) → evaluation (``incentive.engine``) → results →
outputs (``incentive.output``, ``incentive.report``, ``incentive.ledger``).
The CLI (``incentive.cli``) only wires these together.
"""

__version__ = "0.3.0"
