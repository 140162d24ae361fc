"""The application layer: what each command does, without the command line.

Each module takes paths and options, calls the domain layers (policy, io,
engine, ledger, output, report) and returns plain objects; the CLI only
parses options and prints, and tests and other tools call these directly.

- ``run``: one evaluation (a dry run) and the options every run takes;
- ``variants``: several variants of a policy on one data file (diff, sweep);
- ``tables``: the tables users read, built from results;
- ``files``: the names of the files of a close's output directory;
- ``outputs``: writing an evaluation's or a close's files (started as futures);
- ``close``: the period close, its order written once, top to bottom;
- ``recorded_options``: the options a close records, so every re-run reuses them;
- ``rebuild``: re-running a recorded close (the idempotent re-close and verify);
- ``verify``: proving a close is what the ledger says;
- ``history``: one person across closed periods;
- ``close_dir``, ``recorded``: reading a close's output directory back (explain --close);
- ``progress``: what a long run shows on a terminal.
"""
