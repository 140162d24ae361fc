"""Policy tests: YAML files that pin what a plan promises, run by ``incentive test``.

``loader`` reads a ``*.test.yaml`` file into the ``model``; ``runner``
evaluates every case with the engine and compares the expectations;
``coverage`` says which branches of the policy no case exercises; ``outcomes``
holds what a run produced, as ``incentive.report.policy_tests`` reports it.
"""
