"""English dates as the site shows them: one format, day month year ("1 December 2026", 14:05).

Django's own English formats mix "Dec. 1, 2026" with "12/01/2026"; the short formats are the
long ones here so every page writes a date the same way. Input formats stay Django's.
"""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
