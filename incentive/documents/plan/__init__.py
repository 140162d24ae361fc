"""Plan documents: the policy as the document participants read and sign (``incentive plan``).

``model.build`` turns a checked policy and an engine-run example into one
plain structure of already-worded sections; ``md``, ``html`` and ``pdf``
only lay that structure out, so the three formats always say the same.
"""
