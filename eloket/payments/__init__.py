"""Payments: online through a provider (Stripe Checkout, behind ``provider.PaymentProvider``), or by
bank transfer with the OGM, matched from CODA statements; refunds through the channel that took the
money. Writes in ``services``, reads in ``selectors``; the Stripe SDK only in ``stripe_provider``."""
