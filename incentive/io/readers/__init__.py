"""One reader per period-data format; ``incentive.io.formats`` picks the one a file's extension names."""
