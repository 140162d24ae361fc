"""The Spark engine: the same compiled crediting SQL on Apache Spark, local or through Spark Connect.

``SparkEngine()`` runs on a local session (``local[2]``, started once per
process and shared: a JVM start costs seconds, so every run -- and every
test -- reuses it, each in a ``newSession()`` of its own temporary views).
``SparkEngine(url="sc://host:port")`` runs on a Spark Connect server (a
cluster); its client needs ``pyspark[connect]`` (pandas, pyarrow, grpcio).

Exact decimals both ways, without pyarrow on the local path: frames go in
as Parquet files that polars writes (DECIMAL(p, s) and DATE logical types,
read back by Spark as the same types) and come back through ``collect()``,
whose values are Python ``Decimal`` / ``date``; the polars frame is built
with the dtypes of the Spark schema, so DECIMAL(18,2) comes back as
``Decimal(18, 2)`` -- 1.50, never 1.5, never a float. On Connect the frames
go in as rows with an explicit schema (the server cannot read local files).

The session is tuned for many small statements on two cores (Spark's
defaults suit big jobs on a cluster): 2 shuffle partitions, no adaptive
re-planning, no UI, no progress bar, UTC, ANSI SQL (overflow is an error,
not a null), and the JVM's quick JIT tier. A Connect server keeps its own
settings (a cluster's are its operator's).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from incentive.credits import sql
from incentive.credits.dialect import SPARK
from incentive.credits.staged import Staged
from incentive.errors import UsageError

INSTALL = "pip install 'incentive[spark]' and a Java runtime 17 or later (Debian: apt-get install openjdk-17-jre-headless)"
_LOG4J = Path(__file__).with_name("spark-log4j2.properties")

#: settings of the local session (``INCENTIVE_SPARK_MEMORY`` sets the driver's heap, default 2g)
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    # adaptive execution re-plans at every shuffle, a job each: 130 jobs per run of a small case instead of 68
    # (its partition coalescing is moot with 2 partitions on 2 cores)
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.driver.extraJavaOptions": f"-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile=file:{_LOG4J}",
}

_local: Any = None  # the process's local SparkSession, started on first use


def available() -> str | None:
    """Why a local Spark session cannot start here (what to install), or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return f"the Spark engine needs pyspark, which is not installed: {INSTALL}"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and Path(java_home, "bin", "java").exists()):
        return f"the Spark engine needs Java, which is not on PATH (nor JAVA_HOME): {INSTALL}"
    return None


def local_session() -> Any:
    """The process's local session (``local[2]``), started once."""
    global _local
    if _local is not None:
        return _local
    missing = available()
    if missing:
        raise UsageError(missing)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(os.environ.get("INCENTIVE_SPARK_MASTER", "local[2]")).appName("incentive-credit")
    for key, value in {**LOCAL_CONF, "spark.driver.memory": os.environ.get("INCENTIVE_SPARK_MEMORY", "2g")}.items():
        builder = builder.config(key, value)
    try:
        _local = builder.getOrCreate()
    except Exception as e:  # the JVM did not start (PySparkRuntimeError JAVA_GATEWAY_EXITED, a bad JRE ...)
        raise UsageError(f"could not start a local Spark session ({type(e).__name__}: {e}); {INSTALL}") from None
    _local.sparkContext.setLogLevel("ERROR")
    return _local


def connect_session(url: str) -> Any:
    if not url.startswith("sc://"):
        raise UsageError(f"--spark-url {url!r}: expected a Spark Connect URL such as sc://host:15002")
    try:
        from pyspark.sql import SparkSession

        return SparkSession.builder.remote(url).getOrCreate()
    except ImportError as e:
        raise UsageError(f"Spark Connect needs the client's packages ({e}): pip install 'pyspark[connect]>=4.0'") from None
    except Exception as e:
        raise UsageError(f"--spark-url {url}: could not connect ({type(e).__name__}: {e})") from None


class SparkEngine:
    """One Spark session's temporary views with the run's tables."""

    dialect = SPARK

    def __init__(self, url: str | None = None, session: Any = None):
        self.remote = url is not None
        if session is not None:
            self.spark = session
        elif url is not None:
            self.spark = connect_session(url)
        else:
            self.spark = local_session().newSession()  # its own temporary views, the same JVM
        self._dir = tempfile.mkdtemp(prefix="incentive-spark-")
        os.chmod(self._dir, 0o700)
        self._views: list[str] = []
        self._cached: list[Any] = []

    def load(self, table: str, frame: pl.DataFrame) -> None:
        if self.remote:
            df = self.spark.createDataFrame(frame.rows(), schema=spark_schema(frame.schema))
        else:  # read lazily by Spark: the file stays until ``close``
            path = os.path.join(self._dir, f"{sql.name(table)}.parquet")
            frame.write_parquet(path, compression="uncompressed", statistics=False)
            df = self.spark.read.parquet(path)
        self._view(table, df)

    def load_staged(self, table: str, staged: Staged) -> None:
        """Read on this machine and loaded as a frame (the source files are this machine's)."""
        self.load(table, staged.frame())

    def materialize(self, table: str, query: str) -> int:
        df = self.spark.sql(query).cache()
        self._cached.append(df)
        self._view(table, df)
        return int(df.count())

    def view(self, table: str, query: str) -> None:
        self._view(table, self.spark.sql(query))

    def query(self, query: str) -> pl.DataFrame:
        df = self.spark.sql(query)
        return to_polars(df.schema, df.collect())

    def copy_parquet(self, query: str, path: str) -> int:
        """Collected and written by polars on the driver: the same file as DuckDB's, value for value."""
        frame = self.query(query)
        frame.write_parquet(path, compression="zstd", compression_level=1)
        return frame.height

    def _view(self, table: str, df: Any) -> None:
        df.createOrReplaceTempView(sql.name(table))
        self._views.append(table)

    def close(self) -> None:
        for df in self._cached:
            df.unpersist()
        for table in dict.fromkeys(self._views):
            self.spark.catalog.dropTempView(table)
        self._cached.clear()
        self._views.clear()
        shutil.rmtree(self._dir, ignore_errors=True)


def polars_type(t: Any) -> pl.DataType:
    """The polars dtype of a Spark SQL type (only those the crediting SQL produces)."""
    from pyspark.sql import types as T

    simple: dict[type, pl.DataType] = {T.StringType: pl.String(), T.DateType: pl.Date(), T.IntegerType: pl.Int32(),
                                       T.LongType: pl.Int64(), T.ShortType: pl.Int16(), T.ByteType: pl.Int8(),
                                       T.BooleanType: pl.Boolean(), T.DoubleType: pl.Float64(), T.NullType: pl.Null()}
    if isinstance(t, T.DecimalType):
        return pl.Decimal(t.precision, t.scale)
    for kind, dtype in simple.items():
        if isinstance(t, kind):
            return dtype
    raise TypeError(f"no polars type for Spark type {t}")


def to_polars(schema: Any, rows: list) -> pl.DataFrame:
    """Collected rows as a polars frame with the schema's exact types (decimals at the column's scale)."""
    types = {f.name: polars_type(f.dataType) for f in schema.fields}
    columns: dict[str, list] = {name: [] for name in types}
    names = list(types)
    for row in rows:
        for name, value in zip(names, row):
            columns[name].append(value)
    for name, dtype in types.items():
        if isinstance(dtype, pl.Decimal):  # a Decimal at its column's scale, whatever its exponent
            unit = Decimal(1).scaleb(-(dtype.scale or 0))
            columns[name] = [None if v is None else v.quantize(unit) for v in columns[name]]
    return pl.DataFrame(columns, schema=types)


def spark_schema(schema: pl.Schema) -> Any:
    """The Spark schema of a polars frame (for rows sent to Spark Connect)."""
    from pyspark.sql import types as T

    def one(dtype: pl.DataType) -> Any:
        if isinstance(dtype, pl.Decimal):
            return T.DecimalType(dtype.precision or 38, dtype.scale or 0)
        simple = {pl.String: T.StringType(), pl.Date: T.DateType(), pl.Int32: T.IntegerType(), pl.Int64: T.LongType(),
                  pl.Int16: T.ShortType(), pl.Int8: T.ByteType(), pl.Boolean: T.BooleanType(), pl.Null: T.StringType()}
        for kind, spark_type in simple.items():
            if dtype == kind:
                return spark_type
        raise TypeError(f"no Spark type for polars type {dtype}")

    return T.StructType([T.StructField(n, one(d), True) for n, d in schema.items()])
