"""Output: a Doc as a JSON record, Parquet files, the MDC (Make Data Count) CSV."""
