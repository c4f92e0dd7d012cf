"""Parking paid by app or SMS: sessions are parking rights, like permits (``eloket.permits``).

The rules every part applies the same way (models in ``eloket.models.parking``):

- **Area.** A session names an area by its code (``ParkingArea.code``, normalised with
  ``eloket.places.zone_code_normalise``) in one municipality. A retribution is *in* an area when its
  ``zone_code`` equals the area's code, or its ``street_key`` is one of the area's street keys
  (``ParkingAreaStreet``).
- **Plate.** Compared normalised (``eloket.plates.plate_normalise``), in the same municipality.
- **Time, with grace.** A session covers an observation at ``t`` when
  ``start_at - grace <= t`` and (``end_at`` is null, still running, or ``t <= end_at + grace``).
  ``grace`` is ``Regulation.session_grace_minutes`` of the retribution's regulation (the cross-check)
  or of the area organisation's retribution regulation valid on that day (the rights check); no
  regulation means no grace. Never a constant in code.
- **Which retributions are cancelled automatically**: parking retributions in a status from which the
  policy allows ``cancelled_by_session`` other than ``paid`` (not yet paid, contested or closed) are
  cancelled set-based; a ``paid`` one is cancelled and refunded through the existing refund path.
- **Near match** (a contest that says "I had paid by app"): a neighbouring area of the same
  municipality, or a start up to ``Regulation.session_near_minutes`` after the grace, or a plate one
  confusable character away (O/0, I/1, B/8, and the like): never an exact match, which the
  cross-check has already cancelled.

Modules: ``validate`` (one validator for a session line, API and bulk alike), ``write`` (idempotent
upsert), ``coverage`` (the rights check), ``cross_check`` (set-based cancellation), ``near`` (near
matches for a contest), ``areas`` (areas and their street keys, CSV import), ``selectors`` (the
citizen's sessions, scoped to the acting party).
"""
