"""``python -m eloket.profile.standin --port 12112 [--store var/profile-standin.json]``"""

import argparse
import logging
import threading
from pathlib import Path

from eloket.profile.standin import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eloket.profile.standin", description=__doc__)
    parser.add_argument("--port", type=int, default=12112)
    parser.add_argument("--store", type=Path, default=None, help="keep the announcements in this JSON file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s profile-standin %(message)s")
    running = serve(port=args.port, store=args.store)
    print(f"Mijn Burgerprofiel stand-in on {running.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        running.stop()


if __name__ == "__main__":
    main()
