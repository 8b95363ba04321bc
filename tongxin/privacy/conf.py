"""How long personal data is kept and how fast requests are answered (settings, with defaults).

Each value can be set in settings (TONGXIN_PRIVACY_*); docs/privacy.md lists them.
"""

from django.conf import settings

DEFAULTS = {
    # a resident's name and phone on a case: erased this many days after the case is closed
    "TONGXIN_PRIVACY_CASE_REPORTER_DAYS": 3 * 365,
    # the resident's tracking and rating link stops working this many days after closing
    "TONGXIN_PRIVACY_TRACKING_LINK_DAYS": 180,
    # a mobile member's contact number: erased this many days after they came back
    "TONGXIN_PRIVACY_MOBILE_CONTACT_DAYS": 3 * 365,
    # a resident's name and phone on a room booking: erased this many days after the booking ended,
    # or after it was cancelled or not approved (the booking stays for the venue's figures)
    "TONGXIN_PRIVACY_BOOKING_CONTACT_DAYS": 90,
    # a subject-rights request's name and phone: erased this many days after it was answered
    "TONGXIN_PRIVACY_REQUEST_DAYS": 3 * 365,
    # working days to answer a subject-rights request (PIPL art. 50; GB/T 35273 8.7: 15)
    "TONGXIN_PRIVACY_DUE_WORKING_DAYS": 15,
    # requests a client address may file on the public form per hour
    "TONGXIN_PRIVACY_REQUESTS_PER_HOUR": 5,
}


def value(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))
