"""Writing results: atomically, owner-only, exact and spreadsheet-safe.

* ``atomic``    -- all-or-nothing files and directories (temp + fsync + rename);
* ``safe_text`` -- OWASP CSV-injection neutralization of text cells;
* ``tables``    -- CSV / XLSX / JSON / Parquet writers with exact decimals;
* ``manifest``  -- ``manifest.json``: sha256 of every output, plus close metadata.
"""

from incentive.output.atomic import atomic_directory, atomic_file, atomic_path
from incentive.output.manifest import build_manifest, check_manifest, sha256_file, write_manifest
from incentive.output.safe_text import neutralize, neutralize_expr
from incentive.output.tables import write_csv, write_json, write_parquet, write_xlsx

__all__ = [
    "atomic_directory", "atomic_file", "atomic_path",
    "build_manifest", "check_manifest", "sha256_file", "write_manifest",
    "neutralize", "neutralize_expr",
    "write_csv", "write_json", "write_parquet", "write_xlsx",
]
