"""``python -m eloket.payments.standin --port 12111 --webhook-url http://127.0.0.1:8000/betalingen/webhook/stripe/``"""

import argparse
import logging
import os
import threading

from eloket.payments.standin import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eloket.payments.standin", description=__doc__)
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", default=os.environ.get("STANDIN_WEBHOOK_URL", ""))
    parser.add_argument("--webhook-secret", default=os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_standin"))
    parser.add_argument("--async-delay", type=float, default=3.0, help="seconds before a delayed outcome")
    parser.add_argument("--refund-delay", type=float, default=2.0, help="seconds before a refund succeeds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s standin %(message)s")
    running = serve(
        port=args.port,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        async_delay_s=args.async_delay,
        refund_delay_s=args.refund_delay,
    )
    print(f"Stripe stand-in on {running.url} (webhooks to {args.webhook_url or 'nowhere'})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        running.stop()


if __name__ == "__main__":
    main()
