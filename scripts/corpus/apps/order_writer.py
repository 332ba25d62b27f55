"""A small batch writer logging with Python's logging module (basicConfig with the cookbook's format).

Inserts a batch of rows every INTERVAL seconds into PostgreSQL through psycopg; on a database error it logs
the exception (traceback included) and reconnects with exponential back-off, as a typical worker does.
Stops after RUN_SECONDS. Needs psycopg (installed outside the repo by the generator).
"""

import logging
import os
import time

import psycopg

logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s", level=logging.INFO)
log = logging.getLogger("order_writer")

DSN = os.environ["DSN"]
INTERVAL = float(os.environ.get("INTERVAL", "0.5"))
ROWS = int(os.environ.get("ROWS", "500"))
RUN_SECONDS = float(os.environ.get("RUN_SECONDS", "60"))


def main() -> None:
    deadline = time.monotonic() + RUN_SECONDS
    conn = None
    batch = 0
    backoff = 1.0
    while time.monotonic() < deadline:
        try:
            if conn is None:
                conn = psycopg.connect(DSN, autocommit=True)
                log.info("connected to %s", conn.info.host)
                backoff = 1.0
            batch += 1
            conn.execute(
                "INSERT INTO orders (payload) SELECT repeat(md5(random()::text), 30) FROM generate_series(1, %s)",
                (ROWS,),
            )
            log.info("batch %d committed rows=%d", batch, ROWS)
            time.sleep(INTERVAL)
        except psycopg.OperationalError:
            log.exception("batch %d failed", batch)
            if conn is not None:
                conn.close()
            conn = None
            log.warning("reconnecting in %.0fs", backoff)
            time.sleep(backoff)
            backoff = min(backoff * 2, 8.0)
        except psycopg.Error:
            log.exception("batch %d rejected", batch)
            time.sleep(INTERVAL)
    log.info("stopping after %d batches", batch)


if __name__ == "__main__":
    main()
