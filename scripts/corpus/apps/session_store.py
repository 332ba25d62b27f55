"""A login service's session writer logging with structlog as JSON (timestamper, level, JSONRenderer).

Writes one session of SIZE bytes to Redis every INTERVAL seconds; every 10 writes it reads INFO memory and
warns above 70 % of maxmemory (a common self-check); a refused write (OOM under noeviction) is an error and
three refused writes in a row open the circuit (critical). Needs redis and structlog (installed outside the
repo by the generator).
"""

import os
import secrets
import time

import redis
import structlog

structlog.configure(
    processors=[
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.JSONRenderer(),
    ]
)
log = structlog.get_logger(service="session-store")

r = redis.Redis(host="127.0.0.1", port=int(os.environ["REDIS_PORT"]))
SIZE = int(os.environ.get("SIZE", "16384"))
INTERVAL = float(os.environ.get("INTERVAL", "0.2"))
COUNT = int(os.environ.get("COUNT", "400"))


def main() -> None:
    log.info("session store started", redis=f"127.0.0.1:{r.connection_pool.connection_kwargs['port']}")
    failures = 0
    for n in range(1, COUNT + 1):
        user = f"user{n % 97}"
        key = f"session:{secrets.token_hex(8)}"
        try:
            r.set(key, os.urandom(SIZE // 2).hex())
            failures = 0
            log.info("session created", user=user, key=key)
        except redis.exceptions.ResponseError as err:
            failures += 1
            log.error("session write failed", user=user, key=key, error=str(err))
            if failures == 3:
                log.critical("session cache unavailable, logins failing", consecutive_failures=failures)
            if failures >= 6:
                break
        if n % 10 == 0:
            mem = r.info("memory")
            ratio = mem["used_memory"] / mem["maxmemory"]
            if ratio > 0.7:
                log.warning(
                    "redis memory high",
                    used_memory=mem["used_memory"],
                    maxmemory=mem["maxmemory"],
                    policy=mem["maxmemory_policy"],
                    ratio=round(ratio, 2),
                )
        time.sleep(INTERVAL)
    log.info("session store stopping")


if __name__ == "__main__":
    main()
