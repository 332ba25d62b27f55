"""Python logging in its common default shapes and structlog's defaults, one per run.

`python_libs.py basic|cookbook|structlog-console|structlog-json` logs the same short sequence as the Go and
Node ones, including an exception with its traceback (multi-line).
"""

import logging
import sys
import time

which = sys.argv[1]


def run(info, warning, error, exception, critical) -> None:
    info("starting inventory version=2.1.0")
    time.sleep(0.003)
    info("request handled method=GET path=/items/42 status=200")
    time.sleep(0.003)
    warning("cache unavailable, retrying attempt=2")
    time.sleep(0.003)
    try:
        {}["item-42"]
    except KeyError:
        exception("cannot load item item=42")
    time.sleep(0.003)
    critical("inventory count negative count=-3")
    time.sleep(0.003)
    info("shutting down signal=SIGTERM")


if which in ("basic", "cookbook"):
    if which == "basic":
        logging.basicConfig(level=logging.INFO)  # default format: LEVEL:name:message, no timestamp
    else:
        logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s", level=logging.INFO)
    log = logging.getLogger("inventory")
    run(log.info, log.warning, log.error, log.exception, log.critical)
elif which in ("structlog-console", "structlog-json"):
    import structlog

    if which == "structlog-json":
        structlog.configure(
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso"),
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ]
        )
    # structlog-console: structlog's out-of-the-box configuration (ConsoleRenderer; colours off: not a TTY).
    log = structlog.get_logger()
    run(log.info, log.warning, log.error, log.exception, log.critical)
else:
    sys.exit(2)
